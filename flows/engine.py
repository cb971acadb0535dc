"""The conversation engine: one static state machine for every flow, pure functions.

Every flow declaration is compiled once, at import, into a single
`transitions.Machine` shared by all users. A person's position is a string in
their `Session`; for each event a throw-away context object carries it through
the machine, so nothing per user lives in memory between updates.

The engine, not the flows, knows about Back, Main menu, expired buttons, hints
and the anonymous step counters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from transitions import EventData, Machine

from flows.i18n import N_, NP_, T, negotiate, translator
from flows.model import (
    Button,
    Choice,
    CountStat,
    Effect,
    Event,
    Flow,
    Outcome,
    Parsed,
    Reply,
    Session,
    Step,
    View,
)

# transitions logs every callback at INFO/DEBUG; states are not personal, but the
# noise would hide what matters and its format may change.
logging.getLogger("transitions").setLevel(logging.WARNING)

TELEGRAM_TEXT_LIMIT = 4096
SPLIT_AT = 3900  # leave room for bidi marks and the adapter's own additions
CALLBACK_LIMIT = 64
HISTORY_LIMIT = 40

MENU_ID = "menu"  # the one button that works from any message, however old
BACK, DONE, PICK = "<", ">", "~"

HOME_STATE = "menu.main"
START_STATE = "start.notice"

# Commands: (name, target state, description msgid). /help lists them in this order.
COMMANDS: list[tuple[str, str, str]] = [
    ("start", START_STATE, N_("begin again, with the safety notice")),
    ("menu", HOME_STATE, N_("the main menu")),
    ("language", "language.choose", N_("choose another language")),
    ("help", "help.main", N_("this list")),
]

HINT_BUTTONS = N_(
    "Please answer with the buttons below. There is no need to type details here."
)
EXPIRED = N_("That button belongs to an earlier message. Here is where you are now:")
UNKNOWN_COMMAND = N_("I do not know that command. /help lists the ones I understand.")
CHOOSE_ONE = N_("Press at least one button first, then Done.")
LABEL_BACK = N_("Back")
LABEL_MENU = N_("Main menu")
LABEL_DONE = N_("Done")
LABEL_DONE_COUNT = NP_("Done ({count} chosen)", "Done ({count} chosen)")
CHECK = "✓ "


class _Ctx:
    """The machine's model for one event: the session being changed and the event data."""

    def __init__(self, session: Session, view: View) -> None:
        self.session = session
        self.view = view

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


def _ctx(ev: EventData) -> _Ctx:
    model = ev.model
    assert isinstance(model, _Ctx)
    return model


def _when(choice: Choice) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return choice.when is None or bool(choice.when(_ctx(ev).view))

    return condition


def _apply(choice: Choice) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        session: Session = _ctx(ev).session
        session.slots.update(choice.set)
        if choice.do is not None:
            choice.do(session)

    return before


def _accepted(ev: EventData) -> bool:
    parsed: Parsed = ev.kwargs["parsed"]
    return parsed.ok


def _store_answer(slot: str) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        _ctx(ev).session.slots[slot] = ev.kwargs["parsed"].value
        _ctx(ev).session.slots.pop("_offer", None)

    return before


def _has_selection(slot: str) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return bool(_ctx(ev).session.slots.get(slot))

    return condition


class Engine:
    def __init__(self, flows: Sequence[Flow]) -> None:
        self.flows: dict[str, Flow] = {f.name: f for f in flows}
        if len(self.flows) != len(flows):
            raise ValueError("two flows share a name")
        self.steps: dict[str, tuple[Flow, Step]] = {
            f"{f.name}.{s.id}": (f, s) for f in flows for s in f.steps
        }
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
        for name, target, _ in COMMANDS:
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
        for choice in step.choices:
            if len(f"ffffff.{choice.id}".encode()) > CALLBACK_LIMIT or "." in choice.id:
                raise ValueError(f"{source}: choice id {choice.id!r} unusable as callback data")
            if choice.to is None:
                continue
            self.machine.add_transition(
                choice.id,
                source,
                self.target(flow, choice.to),
                conditions=[_when(choice)],
                before=[_apply(choice)],
            )
        if step.multi and step.to:
            self.machine.add_transition(
                DONE, source, self.target(flow, step.to), conditions=[_has_selection(step.multi)]
            )
        if step.ask and step.to:
            if step.parse is None:
                raise ValueError(f"{source}: a step that asks needs a parser")
            self.machine.add_transition(
                "answer",
                source,
                self.target(flow, step.to),
                conditions=[_accepted],
                before=[_store_answer(step.ask)],
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

    # --- handling ------------------------------------------------------------

    def handle(self, session: Session, event: Event) -> Outcome:
        s = session.model_copy(deep=True)
        if s.locale is None:
            # The client's language preselects ours until the person chooses one.
            s.locale = negotiate(event.language)
        t = translator(s.locale)
        run = _Run(self, s, t, event)
        run.dispatch()
        return Outcome(session=run.session, replies=_split(run.replies), effects=run.effects)


class _Run:
    """One event's work: kept separate so Engine stays stateless across users."""

    def __init__(self, engine: Engine, session: Session, t: T, event: Event) -> None:
        self.engine = engine
        self.session = session
        self.t = t
        self.event = event
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []

    # -- helpers --

    def view(self) -> View:
        return View(slots=self.session.slots, t=self.t, channel=self.event.channel)

    def current(self) -> tuple[Flow, Step]:
        return self.engine.steps[self.session.state]

    def count(self, event: str, state: str | None = None) -> None:
        flow, _, step = (state or self.session.state).partition(".")
        self.effects.append(CountStat(flow=flow, step=step, event=event))

    def say(self, msgid: str, **values: Any) -> None:
        self.replies.append(Reply(text=self.t(msgid, **values)))

    def fire(self, trigger: str, **kwargs: Any) -> bool:
        before = self.session.state
        ctx = _Ctx(self.session, self.view())
        event = self.engine.machine.events.get(trigger)
        if event is None or not event.trigger(ctx, **kwargs):
            return False
        self.arrived(before, forward=True)
        return True

    def arrived(self, before: str, *, forward: bool) -> None:
        after = self.session.state
        if forward and before and before != after and after != HOME_STATE:
            self.session.history = [*self.session.history, before][-HISTORY_LIMIT:]
        if after in self.session.history:
            # Moving forward to a step already passed ("Start again") is a way back:
            # Back must not then cycle through the abandoned steps.
            self.session.history = self.session.history[: self.session.history.index(after)]
        if after in (HOME_STATE, START_STATE):
            self.session.history = []
        self.count("enter")
        self.render()

    # -- dispatch --

    def dispatch(self) -> None:
        ev = self.event
        if ev.kind == "command":
            name = ev.payload.lstrip("/").split(maxsplit=1)[0].split("@", 1)[0].lower() if (
                ev.payload.strip("/ ")
            ) else ""
            if not self.session.state or self.session.state not in self.engine.steps:
                self.session.state = ""
            if name == "start" or not self.session.state:
                self.restart()
                return
            if not self.fire(f"/{name}"):
                self.say(UNKNOWN_COMMAND)
                self.count("unknown_command")
                self.render()
            return
        if not self.session.state or self.session.state not in self.engine.steps:
            self.restart()
            return
        if ev.kind == "press":
            self.press(ev.payload)
        else:
            self.text(ev.payload)

    def restart(self) -> None:
        locale = self.session.locale
        self.session = Session(locale=locale, screen=self.session.screen)
        self.session.state = START_STATE
        self.arrived("", forward=False)

    def press(self, payload: str) -> None:
        if payload == MENU_ID:
            self.fire(MENU_ID)
            return
        screen, _, cid = payload.partition(".")
        if screen != format(self.session.screen, "x") or not cid:
            self.say(EXPIRED)
            self.count("expired")
            self.render()
            return
        _, step = self.current()
        if cid == BACK:
            self.back()
        elif cid == DONE and step.multi:
            if not self.fire(DONE):
                self.say(CHOOSE_ONE)
                self.render()
        elif cid.startswith(PICK) and step.ask:
            offer: dict[str, str] = self.session.slots.get("_offer") or {}
            value = cid[len(PICK) :]
            if value in offer:
                self.fire("answer", parsed=Parsed(ok=True, value=value))
            else:
                self.say(EXPIRED)
                self.render()
        else:
            choice = next((c for c in step.choices if c.id == cid), None)
            if choice is None:
                self.say(EXPIRED)
                self.count("expired")
                self.render()
            elif step.multi and choice.to is None:
                self.toggle(step.multi, choice.id)
            elif not self.fire(choice.id):
                self.render()

    def toggle(self, slot: str, value: str) -> None:
        chosen: list[str] = list(self.session.slots.get(slot) or [])
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        self.session.slots[slot] = chosen
        self.render(edit=True)

    def back(self) -> None:
        if not self.session.history:
            self.render()
            return
        *rest, previous = self.session.history
        self.session.history = rest
        self.session.state = previous
        self.count("back")
        self.arrived("", forward=False)

    def text(self, text: str) -> None:
        _, step = self.current()
        if not step.ask:
            self.say(step.hint or HINT_BUTTONS)
            self.count("hint")
            self.render()
            return
        parsed: Parsed = step.parse(text, self.view())
        if parsed.ok:
            self.fire("answer", parsed=parsed)
            return
        self.count("not_understood")
        self.session.slots["_offer"] = dict(parsed.suggestions)
        self.render(problem=parsed)

    # -- rendering --

    def render(self, *, edit: bool = False, problem: Parsed | None = None) -> None:
        flow, step = self.current()
        self.session.screen += 1
        view = self.view()
        texts: list[str] = list(step.render(view)) if step.render else []
        if step.text:
            texts.insert(0, self.t(step.text))
        if problem is not None and problem.error:
            texts = [self.t(problem.error, **problem.error_values)]
        prefix = format(self.session.screen, "x") + "."
        rows: list[list[Button]] = []
        if problem is not None:
            for value, label in problem.suggestions:
                rows.append([Button(id=f"{prefix}{PICK}{value}", label=label)])
        chosen = set(self.session.slots.get(step.multi) or []) if step.multi else set()
        row: list[Button] = []
        for choice in step.choices:
            if choice.when is not None and not choice.when(view):
                continue
            mark = choice.id in chosen or (choice.checked is not None and choice.checked(view))
            row.append(
                Button(id=prefix + choice.id, label=(CHECK if mark else "") + self.t(choice.label))
            )
            if len(row) == step.columns:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
        if step.multi:
            done = (
                self.t.n(LABEL_DONE_COUNT, len(chosen))
                if chosen
                else self.t(LABEL_DONE)
            )
            rows.append([Button(id=prefix + DONE, label=done)])
        nav: list[Button] = []
        if step.back and self.session.history:
            nav.append(Button(id=prefix + BACK, label=self.t(LABEL_BACK)))
        if flow.home and self.session.state != HOME_STATE:
            nav.append(Button(id=MENU_ID, label=self.t(LABEL_MENU)))
        if nav:
            rows.append(nav)
        for text in texts[:-1]:
            self.replies.append(Reply(text=text))
        self.replies.append(Reply(text=texts[-1] if texts else "…", buttons=rows, edit=edit))


def _split(replies: list[Reply]) -> list[Reply]:
    """Keep every message under Telegram's limit, cutting at paragraph breaks."""
    out: list[Reply] = []
    for reply in replies:
        if len(reply.text) <= SPLIT_AT:
            out.append(reply)
            continue
        chunks = _chunks(reply.text)
        for chunk in chunks[:-1]:
            out.append(Reply(text=chunk))
        out.append(reply.model_copy(update={"text": chunks[-1], "edit": False}))
    return out


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        while len(para) > SPLIT_AT:
            cut = para.rfind("\n", 0, SPLIT_AT)
            cut = cut if cut > 0 else para.rfind(" ", 0, SPLIT_AT)
            cut = cut if cut > 0 else SPLIT_AT
            if current:
                chunks.append(current)
                current = ""
            chunks.append(para[:cut].rstrip())
            para = para[cut:].lstrip()
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) > SPLIT_AT:
            chunks.append(current)
            current = para
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
