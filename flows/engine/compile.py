"""Compile: flow declarations -> one `transitions.Machine` for every flow.

Every flow is compiled once, at import, into a single static machine whose states
are `flow.step`; moving from one flow to another is an ordinary transition. The
machine's model is a throw-away `Ctx` per event, so nothing per user lives in
memory between updates. Compilation refuses what cannot work: an answer that is
not a field of the flow's answers, an unknown destination, a gate without a way
round, a callback id too long for Telegram, a command declared twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from transitions import EventData, Machine

from flows.engine.texts import ANSWER, CALLBACK_LIMIT, DONE, HOME_STATE, MENU_ID
from flows.model import Answers, Choice, Effect, Flow, Go, Parsed, Session, Step, View

# The largest screen counter a button carries: it starts below 2**31 (Session.screen).
SCREEN_MAX = (1 << 32) - 1

# transitions logs every callback at INFO/DEBUG; states are not personal, but the
# noise would hide what matters and its format may change.
logging.getLogger("transitions").setLevel(logging.WARNING)


class Ctx:
    """The machine's model for one event: the session being changed and the event data."""

    def __init__(self, session: Session, view: View, effects: list[Effect]) -> None:
        self.session = session
        self.view = view
        self.effects = effects

    @property
    def state(self) -> str:
        return self.session.state

    @state.setter
    def state(self, value: str) -> None:
        self.session.state = value


def _resolve(flow: Flow, target: str) -> str:
    if "." in target:
        return target
    if any(s.id == target for s in flow.steps):
        return f"{flow.name}.{target}"
    return target  # a flow name; resolved to its first step by the Engine


def _ctx(ev: EventData) -> Ctx:
    model = ev.model
    assert isinstance(model, Ctx)
    return model


def _when(choice: Choice) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return choice.when is None or bool(choice.when(_ctx(ev).view))

    return condition


def _apply(flow: Flow, choice: Choice) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        ctx = _ctx(ev)
        choose(flow, choice, ctx.session, ctx.view, ctx.effects)

    return before


def answers_of(flow: Flow, session: Session) -> Answers:
    """The flow's answers in the session (compilation made sure it declares them)."""
    assert flow.answers is not None, flow.name
    return flow.answers.of(session)


def choose(
    flow: Flow, choice: Choice, session: Session, view: View, effects: list[Effect]
) -> None:
    if choice.set:
        answers = answers_of(flow, session)
        for name, value in choice.set.items():
            setattr(answers, name, value)
    if choice.do is not None:
        choice.do(session, view)
    effects.extend(choice.effects)


def _routes(to: str | list[Go] | None) -> list[Go]:
    if to is None:
        return []
    return [Go(to=to)] if isinstance(to, str) else to


def _holds(go: Go) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return go.when is None or bool(go.when(_ctx(ev).view))

    return condition


def _accepted(ev: EventData) -> bool:
    parsed: Parsed = ev.kwargs["parsed"]
    return parsed.ok


DRAFT_PREFIX = "draft."


def store(flow: Flow, session: Session, field: str, value: Any) -> None:
    """Put an answer where it belongs: "draft.x" in the draft (which expires sooner and is
    stored apart), anything else in the flow's answers."""
    if field.startswith(DRAFT_PREFIX):
        session.draft = {**(session.draft or {}), field[len(DRAFT_PREFIX) :]: value}
    else:
        setattr(answers_of(flow, session), field, value)


def _store_answer(flow: Flow, field: str) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        store(flow, _ctx(ev).session, field, ev.kwargs["parsed"].value)
        _ctx(ev).session.offer = {}

    return before


def _has_selection(flow: Flow, field: str) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return bool(getattr(answers_of(flow, _ctx(ev).session), field))

    return condition


def _check_fields(flow: Flow, step: Step) -> None:
    """Every answer a step stores is a declared field of the flow's answers."""
    names = [name for choice in step.choices for name in choice.set]
    names += [step.multi] if step.multi else []
    names += [step.ask] if step.ask and not step.ask.startswith(DRAFT_PREFIX) else []
    declared = flow.answers.model_fields if flow.answers is not None else {}
    for name in names:
        if name not in declared:
            raise ValueError(f"{flow.name}.{step.id}: {name!r} is not a field of its answers")
    if flow.answers is not None and flow.answers.flow != flow.name:
        raise ValueError(f"{flow.name}: its answers are stored as {flow.answers.flow!r}")


class Arrow(NamedTuple):
    """One declared move, with the names of the conditions it depends on: for the
    diagrams and the checks."""

    source: str
    trigger: str  # a choice id, DONE or ANSWER
    dest: str
    shown_when: str | None = None  # the button is offered only when this holds
    when: str | None = None  # this way is taken only when this holds
    otherwise: bool = False  # taken when an earlier way's condition did not hold


def _arrows(source: str, trigger: str, routes: list[Go], dests: list[str]) -> list[Arrow]:
    conditional = False
    out = []
    for go, dest in zip(routes, dests, strict=True):
        out.append(Arrow(source, trigger, dest, None, go.when.name if go.when else None,
                         otherwise=conditional and go.when is None))
        conditional = conditional or go.when is not None
    return out


class Compiled:
    """Every flow's declarations, checked and compiled into one transitions.Machine
    shared by all users; `Engine` adds the handling of events."""

    def __init__(self, flows: Sequence[Flow]) -> None:
        self.flows: dict[str, Flow] = {f.name: f for f in flows}
        if len(self.flows) != len(flows):
            raise ValueError("two flows share a name")
        self.steps: dict[str, tuple[Flow, Step]] = {
            f"{f.name}.{s.id}": (f, s) for f in flows for s in f.steps
        }
        self.arrows: list[Arrow] = []
        self.machine = Machine(
            model=None,
            states=list(self.steps),
            initial=HOME_STATE if HOME_STATE in self.steps else next(iter(self.steps)),
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=True,
        )
        for flow in flows:
            for step in flow.steps:
                self._compile_step(flow, step)
            if flow.requires is not None:
                if flow.redirect is None:
                    raise ValueError(f"{flow.name}: a gate needs a redirect")
                redirect = self.target(flow, flow.redirect)
                if redirect.startswith(f"{flow.name}."):
                    raise ValueError(f"{flow.name}: a gate cannot redirect into its own flow")
        # (name, target state or "" for the engine's own, description), in /help's order.
        self.commands: list[tuple[str, str, str]] = []
        for flow in flows:
            for command in flow.commands:
                if any(command.name == known for known, _, _ in self.commands):
                    raise ValueError(f"{flow.name}: /{command.name} is declared twice")
                target = "" if command.step is None else self.target(flow, command.step)
                self.commands.append((command.name, target, command.description))
        # What a view shows of them (name, description); shared by every view, read only.
        self.command_list: list[tuple[str, str]] = [
            (name, description) for name, _, description in self.commands
        ]
        for name, target, _ in self.commands:
            if target in self.steps:
                self.machine.add_transition(f"/{name}", "*", target)
        if HOME_STATE in self.steps:
            self.machine.add_transition(MENU_ID, "*", HOME_STATE)

    # --- compilation ---------------------------------------------------------

    def target(self, flow: Flow, to: str) -> str:
        state = _resolve(flow, to)
        if state in self.flows:
            state = f"{state}.{self.flows[state].steps[0].id}"
        if state not in self.steps:
            raise ValueError(f"{flow.name}: unknown destination {to!r}")
        return state

    def _compile_step(self, flow: Flow, step: Step) -> None:
        source = f"{flow.name}.{step.id}"
        _check_fields(flow, step)
        for choice in step.choices:
            if len(f"{SCREEN_MAX:x}.{choice.id}".encode()) > CALLBACK_LIMIT or "." in choice.id:
                raise ValueError(f"{source}: choice id {choice.id!r} unusable as callback data")
            self._routes(
                flow, source, choice.id, choice.to, [_when(choice)], [_apply(flow, choice)],
                shown_when=choice.when.name if choice.when else None,
            )
        if step.multi:
            self._routes(flow, source, DONE, step.to, [_has_selection(flow, step.multi)], [])
        if step.ask:
            if step.parse is None:
                raise ValueError(f"{source}: a step that asks needs a parser")
            before = [_store_answer(flow, step.ask)]
            self._routes(flow, source, ANSWER, step.to, [_accepted], before)

    def _routes(
        self,
        flow: Flow,
        source: str,
        trigger: str,
        to: str | list[Go] | None,
        conditions: list[Callable[[EventData], bool]],
        before: list[Callable[[EventData], None]],
        *,
        shown_when: str | None = None,
    ) -> None:
        """One transition per way `to` declares, tried in order (the first whose
        condition holds wins), and the arrows the diagrams draw."""
        routes = _routes(to)
        dests = [self.target(flow, go.to) for go in routes]
        self.arrows += [
            arrow._replace(shown_when=shown_when)
            for arrow in _arrows(source, trigger, routes, dests)
        ]
        for go, dest in zip(routes, dests, strict=True):
            self.machine.add_transition(
                trigger, source, dest, conditions=[*conditions, _holds(go)], before=[*before]
            )

    def edges(self) -> Iterable[tuple[str, str, str]]:
        """(source, trigger, dest) of every declared move, for diagrams and checks."""
        for name, event in self.machine.events.items():
            for source, transitions in event.transitions.items():
                if source == "*":
                    continue
                for tr in transitions:
                    if tr.dest is not None:
                        yield source, name, tr.dest
