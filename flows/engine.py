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
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, NamedTuple

from transitions import EventData, Machine

from flows.i18n import N_, NP_, T, negotiate, translator
from flows.model import (
    AddReminder,
    Answers,
    Button,
    CancelReminder,
    Choice,
    CountStat,
    DeleteDraftMessages,
    DeleteMessages,
    Effect,
    Event,
    Flow,
    Go,
    Outcome,
    Parsed,
    QuickExit,
    Reminder,
    ReminderKind,
    Reply,
    Session,
    Step,
    View,
    Wipe,
    text_for,
)
from flows.personal_data import kinds as personal_data_kinds

_DELETIONS = (DeleteMessages, DeleteDraftMessages, QuickExit, Wipe)

# transitions logs every callback at INFO/DEBUG; states are not personal, but the
# noise would hide what matters and its format may change.
logging.getLogger("transitions").setLevel(logging.WARNING)

TELEGRAM_TEXT_LIMIT = 4096
SPLIT_AT = 3900  # leave room for bidi marks and the adapter's own additions
CALLBACK_LIMIT = 64
HISTORY_LIMIT = 40

# The buttons that work from any message, however old.
MENU_ID = "menu"
EXIT_ID = "exit"
BACK, DONE, PICK = "<", ">", "~"
ANSWER = "answer"  # the trigger of a typed answer that was read
# Answers to a personal-data warning.
RETYPE, KEEP_DELETED, USE_AS_IS, DELETE_IT = "!r", "!k", "!u", "!d"

HOME_STATE = "menu.main"
START_STATE = "start.notice"


HINT_BUTTONS = N_(
    "Please answer with the buttons below. There is no need to type details here."
)
EXPIRED = N_("That button belongs to an earlier message. Here is where you are now:")
UNKNOWN_COMMAND = N_("I do not know that command. /help lists the ones I understand.")
CHOOSE_ONE = N_("Press at least one button first, then Done.")
LABEL_BACK = N_("Back")
LABEL_EXIT = N_("Quick exit")
CLOSED = N_("Closed.")
WIPED = N_("Done. Everything this bot stored about you has been deleted.")
PD_WARNING = {
    "telegram": N_(
        "Careful: this looks like it could identify someone ({what}). This chat is not "
        "end-to-end encrypted: Telegram and whoever runs this bot could read it.\n\n"
        "You can delete your message now and answer again with placeholders instead: "
        "V1, V2 for victims, P1 for perpetrators, L1 for places."
    ),
    "terminal": N_(
        "Careful: this looks like it could identify someone ({what}). It stays on this "
        "computer, but anyone who can open this computer could read it.\n\n"
        "You can answer again with placeholders instead: V1, V2 for victims, P1 for "
        "perpetrators, L1 for places."
    ),
}
PD_KINDS = {
    "phone": N_("a phone number"),
    "email": N_("an e-mail address"),
    "birth_date": N_("a date of birth"),
    "id_number": N_("an ID or passport number"),
    "address": N_("a street address"),
    "name": N_("a name"),
}
LABEL_RETYPE_DELETE = N_("Delete it, I will use placeholders")
LABEL_RETYPE = N_("I will answer again with placeholders")
LABEL_KEEP_DELETED = N_("Delete it from the chat, keep my answer")
LABEL_USE_AS_IS = N_("Keep it as it is")
LABEL_DELETE_IT = N_("Delete that message now")
DELETED = N_("Deleted from this chat.")
NOT_DELETED = N_(
    "I could not delete that message. Please delete it yourself: press and hold it, then "
    "choose Delete."
)
# Shown only when a deletion of this outcome could not be done (see `Reply.alt`).
NOT_ALL_DELETED = N_(
    "Some messages of this chat could not be deleted by the bot. To remove them, delete "
    "this chat yourself: open the chat's menu and choose Delete chat, or press and hold a "
    "message and choose Delete."
)
# Added after a wipe, when the store counts messages too old for the bot to delete.
WIPE_LEFT_TELEGRAM = NP_(
    "{count} message could not be deleted by the bot (Telegram lets a bot delete messages "
    "only for 48 hours, and some deletions can fail). To remove it, delete this chat "
    "yourself: open the chat's menu and choose Delete chat, or press and hold the message "
    "and choose Delete.",
    "{count} messages could not be deleted by the bot (Telegram lets a bot delete messages "
    "only for 48 hours, and some deletions can fail). To remove them, delete this chat "
    "yourself: open the chat's menu and choose Delete chat, or press and hold a message and "
    "choose Delete.",
)
GATE_FIRST = N_("Before anything is drafted, a few questions on consent and risk.")
LABEL_MENU = N_("Main menu")
LABEL_DONE = N_("Done")
LABEL_DONE_COUNT = NP_("Done ({count} chosen)", "Done ({count} chosen)")
CHECK = "✓ "


class _Ctx:
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


def _ctx(ev: EventData) -> _Ctx:
    model = ev.model
    assert isinstance(model, _Ctx)
    return model


def _when(choice: Choice) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return choice.when is None or bool(choice.when(_ctx(ev).view))

    return condition


def _apply(flow: Flow, choice: Choice) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        ctx = _ctx(ev)
        _choose(flow, choice, ctx.session, ctx.view, ctx.effects)

    return before


def _answers(flow: Flow, session: Session) -> Answers:
    """The flow's answers in the session (compilation made sure it declares them)."""
    assert flow.answers is not None, flow.name
    return flow.answers.of(session)


def _choose(
    flow: Flow, choice: Choice, session: Session, view: View, effects: list[Effect]
) -> None:
    if choice.set:
        answers = _answers(flow, session)
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
        setattr(_answers(flow, session), field, value)


def _store_answer(flow: Flow, field: str) -> Callable[[EventData], None]:
    def before(ev: EventData) -> None:
        store(flow, _ctx(ev).session, field, ev.kwargs["parsed"].value)
        _ctx(ev).session.offer = {}

    return before


def _has_selection(flow: Flow, field: str) -> Callable[[EventData], bool]:
    def condition(ev: EventData) -> bool:
        return bool(getattr(_answers(flow, _ctx(ev).session), field))

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


class Engine:
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
            if len(f"ffffff.{choice.id}".encode()) > CALLBACK_LIMIT or "." in choice.id:
                raise ValueError(f"{source}: choice id {choice.id!r} unusable as callback data")
            routes = _routes(choice.to)
            self.arrows += [
                arrow._replace(shown_when=choice.when.name if choice.when else None)
                for arrow in _arrows(
                    source, choice.id, routes, [self.target(flow, go.to) for go in routes]
                )
            ]
            for go in routes:
                self.machine.add_transition(
                    choice.id,
                    source,
                    self.target(flow, go.to),
                    conditions=[_when(choice), _holds(go)],
                    before=[_apply(flow, choice)],
                )
        routes = _routes(step.to)
        dests = [self.target(flow, go.to) for go in routes]
        if step.multi:
            self.arrows += _arrows(source, DONE, routes, dests)
            for go in routes:
                self.machine.add_transition(
                    DONE,
                    source,
                    self.target(flow, go.to),
                    conditions=[_has_selection(flow, step.multi), _holds(go)],
                )
        if step.ask:
            if step.parse is None:
                raise ValueError(f"{source}: a step that asks needs a parser")
            self.arrows += _arrows(source, ANSWER, routes, dests)
            for go in routes:
                self.machine.add_transition(
                    ANSWER,
                    source,
                    self.target(flow, go.to),
                    conditions=[_accepted, _holds(go)],
                    before=[_store_answer(flow, step.ask)],
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
        effects = run.effects
        if not any(isinstance(e, Wipe | QuickExit) for e in effects):
            # Quick exit keeps reminders (they live apart); a wipe deletes them all.
            effects += reminder_changes(
                session.reminders, run.session.reminders, locale=run.t.locale
            )
        replies = _split(run.replies)
        deleting = any(isinstance(e, _DELETIONS) for e in effects)
        if deleting and event.channel == "telegram" and not any(r.alt for r in replies):
            # Said first, and only if a deletion failed: the rest never claims more.
            replies.insert(0, Reply(text="", alt=run.t(NOT_ALL_DELETED)))
        return Outcome(session=run.session, replies=replies, effects=effects)

    def wipe_left(self, language: str | None, count: int) -> Reply:
        """The line added after a wipe that left `count` messages too old to delete."""
        return Reply(text=translator(negotiate(language)).n(WIPE_LEFT_TELEGRAM, count))


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
        return View(
            answers=self.session.answers,
            reminders=self.session.reminders,
            commands=[(name, description) for name, _, description in self.engine.commands],
            t=self.t,
            channel=self.event.channel,
            meta=self.event.meta,
            today=self.event.today,
            draft=self.session.draft or {},
        )

    def current(self) -> tuple[Flow, Step]:
        return self.engine.steps[self.session.state]

    def count(self, event: str, state: str | None = None) -> None:
        flow, _, step = (state or self.session.state).partition(".")
        self.effects.append(CountStat(flow=flow, step=step, event=event))

    def say(self, msgid: str, **values: Any) -> None:
        self.replies.append(Reply(text=self.t(msgid, **values)))

    def fire(self, trigger: str, **kwargs: Any) -> bool:
        before = self.session.state
        ctx = _Ctx(self.session, self.view(), self.effects)
        event = self.engine.machine.events.get(trigger)
        if event is None or not event.trigger(ctx, **kwargs):
            return False
        self.arrived(before, forward=True)
        return True

    def arrived(self, before: str, *, forward: bool) -> None:
        flow, step = self.current()
        if flow.requires is not None and not flow.requires(self.view()):
            # The gate holds whatever the way in: a button, an old button, a command, Back.
            assert flow.redirect is not None
            self.count("gate_redirect")
            self.session.state = self.engine.target(flow, flow.redirect)
            self.say(GATE_FIRST)
            flow, step = self.current()
        if step.enter is not None:
            step.enter(self.session, self.view())
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
        # A document is handed over on arrival, not again on Back or on a re-shown screen.
        self.render(with_document=forward)

    # -- dispatch --

    def dispatch(self) -> None:
        self._dispatch()
        if any(isinstance(e, Wipe | QuickExit) for e in self.effects):
            self.close(wipe=any(isinstance(e, Wipe) for e in self.effects))

    def _dispatch(self) -> None:
        ev = self.event
        known = self.session.state in self.engine.steps
        if ev.kind == "command":
            words = ev.payload.lstrip("/").split(maxsplit=1)
            name = words[0].split("@", 1)[0].lower() if words else ""
            if name == "exit":
                self.effects.append(QuickExit())
            elif name == "start" or not known:
                self.restart()
            elif not self.fire(f"/{name}"):
                self.say(UNKNOWN_COMMAND)
                self.count("unknown_command")
                self.render()
        elif ev.kind == "press" and ev.payload == EXIT_ID:
            self.effects.append(QuickExit())
        elif not known:
            self.restart()
        elif ev.kind == "press":
            self.press(ev.payload)
        else:
            self.text(ev.payload)

    def restart(self) -> None:
        self.session = Session(locale=self.session.locale, screen=self.session.screen)
        self.session.state = START_STATE
        self.arrived("", forward=False)

    def close(self, *, wipe: bool) -> None:
        """Quick exit and wipe: nothing of the conversation is kept or shown any more.
        The one message left is neutral: no buttons, nothing about human rights."""
        self.count("wipe" if wipe else "quick_exit", self.session.state or "start.notice")
        self.session = Session(screen=self.session.screen + 1)
        self.replies = [Reply(text=self.t(WIPED if wipe else CLOSED))]

    def press(self, payload: str) -> None:
        if payload == MENU_ID:
            self.fire(MENU_ID)
            return
        screen, _, cid = payload.partition(".")
        if screen != format(self.session.screen, "x") or not cid:
            self.expired()
            return
        flow, step = self.current()
        if cid in (RETYPE, KEEP_DELETED, USE_AS_IS, DELETE_IT):
            self.personal_data_answer(cid, step)
        elif cid == BACK:
            self.back()
        elif cid == DONE and step.multi:
            if not self.fire(DONE):
                self.say(CHOOSE_ONE)
                self.render()
        elif cid.startswith(PICK) and step.options is not None and step.pick is not None:
            value, view = cid[len(PICK) :], self.view()
            if value in dict(step.options(view)):
                self.effects.extend(step.pick(self.session, view, value))
                self.count("option")
                self.render(edit=True)
            else:
                self.expired()
        elif cid.startswith(PICK) and step.ask:
            value = cid[len(PICK) :]
            if value in self.session.offer:
                self.fire(ANSWER, parsed=Parsed(ok=True, value=value))
            else:
                self.expired()
        else:
            choice = next((c for c in step.choices if c.id == cid), None)
            if choice is None or (choice.when is not None and not choice.when(self.view())):
                self.expired()
            elif step.multi and choice.to is None:
                self.toggle(flow, step.multi, choice.id)
            elif choice.to is None:
                # A setting on the same screen: apply it and show the screen again.
                _choose(flow, choice, self.session, self.view(), self.effects)
                self.count(f"choose_{choice.id}")
                self.render(edit=True)
            elif not self.fire(choice.id):
                self.render()

    def expired(self) -> None:
        self.say(EXPIRED)
        self.count("expired")
        self.render()

    def toggle(self, flow: Flow, field: str, value: str) -> None:
        answers = _answers(flow, self.session)
        chosen: list[str] = list(getattr(answers, field))
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        setattr(answers, field, chosen)
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
        if step.ask and step.parse is not None and not step.free_text:
            # A short structured answer (a country, a date) that reads correctly is
            # not personal data; anything else is checked before it is used.
            parsed = step.parse(text, self.view())
            if parsed.ok:
                self.fire(ANSWER, parsed=parsed)
                return
        found = personal_data_kinds(text)
        if found:
            # Warn before using it; the text waits, sealed with the session, until the
            # person decides what to do with it.
            self.count("personal_data")
            self.render(warning=found, pending=text if step.ask else None)
            return
        if not step.ask:
            self.say(step.hint or HINT_BUTTONS)
            self.count("hint")
            self.render()
            return
        self.answer(step, text)

    def answer(self, step: Step, text: str) -> None:
        assert step.parse is not None  # compilation made sure a step that asks has one
        parsed = step.parse(text, self.view())
        if parsed.ok:
            self.fire(ANSWER, parsed=parsed)
            return
        self.count("not_understood")
        self.session.offer = dict(parsed.suggestions)
        self.render(problem=parsed)

    def personal_data_answer(self, cid: str, step: Step) -> None:
        pending, message_id = self.session.pending, self.session.pd_message
        if cid in (RETYPE, KEEP_DELETED, DELETE_IT) and message_id is not None:
            self.effects.append(DeleteMessages(message_ids=[message_id]))
        if cid == DELETE_IT:
            self.replies.append(Reply(text=self.t(DELETED), alt=self.t(NOT_DELETED)))
            self.render()
        elif cid == RETYPE or pending is None or not step.ask:
            self.render()
        else:
            self.count("personal_data_kept")
            self.answer(step, pending)

    # -- rendering --

    def render(
        self,
        *,
        edit: bool = False,
        problem: Parsed | None = None,
        warning: AbstractSet[str] | None = None,
        pending: str | None = None,
        with_document: bool = False,
    ) -> None:
        flow, step = self.current()
        self.session.pending = self.session.pd_message = None
        if problem is None:
            self.session.offer = {}
        self.session.screen += 1
        view = self.view()
        prefix = format(self.session.screen, "x") + "."
        rows: list[list[Button]] = []
        if warning:
            texts = self.warning_texts(warning, step, pending)
            rows += self.warning_rows(prefix, pending is not None)
            self.session.pending = pending
            if self.event.message_id is not None and self.event.channel == "telegram":
                self.session.pd_message = self.event.message_id
        else:
            texts = self.step_texts(step, view)
            if problem is not None and problem.error:
                texts = [self.t(problem.error, **problem.error_values)]
        if problem is not None:
            for value, label in problem.suggestions:
                rows.append([Button(id=f"{prefix}{PICK}{value}", label=label)])
        if pending is None and step.options is not None:
            rows += [[Button(id=f"{prefix}{PICK}{value}", label=label)]
                     for value, label in step.options(view)]
        if pending is None:
            rows += self.choice_rows(prefix, flow, step, view)
        nav: list[Button] = []
        if step.back and self.session.history:
            nav.append(Button(id=prefix + BACK, label=self.t(LABEL_BACK)))
        if flow.home and self.session.state != HOME_STATE:
            nav.append(Button(id=MENU_ID, label=self.t(LABEL_MENU)))
        if nav:
            rows.append(nav)
        if flow.sensitive:
            rows.append([Button(id=EXIT_ID, label=self.t(LABEL_EXIT))])
        document = step.document(view) if step.document and with_document else None
        for text in texts[:-1]:
            self.replies.append(Reply(text=text))
        self.replies.append(
            Reply(text=texts[-1] if texts else "…", buttons=rows, edit=edit, document=document)
        )

    def choice_rows(
        self, prefix: str, flow: Flow, step: Step, view: View
    ) -> list[list[Button]]:
        rows: list[list[Button]] = []
        chosen: set[str] = (
            set(getattr(_answers(flow, self.session), step.multi)) if step.multi else set()
        )
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
        return rows

    def warning_texts(
        self, warning: AbstractSet[str], step: Step, pending: str | None
    ) -> list[str]:
        what = ", ".join(self.t(PD_KINDS[k]) for k in PD_KINDS if k in warning)
        texts = [self.t(PD_WARNING[self.event.channel], what=what)]
        if pending is None:
            # On a step that expects buttons, show the step again under the warning.
            texts += self.step_texts(step, self.view())
        return texts

    def step_texts(self, step: Step, view: View) -> list[str]:
        """The step's own text (for this channel, its values filled in), then what its
        renderer makes of the answers."""
        texts = list(step.render(view)) if step.render else []
        if step.text:
            values = step.values(view) if step.values else {}
            texts.insert(0, self.t(text_for(step.text, view.channel), **values))
        return texts

    def warning_rows(self, prefix: str, pending: bool) -> list[list[Button]]:
        deletable = self.event.channel == "telegram" and self.event.message_id is not None
        if not pending:
            return [[Button(id=prefix + DELETE_IT, label=self.t(LABEL_DELETE_IT))]] if (
                deletable
            ) else []
        rows = [[Button(id=prefix + RETYPE,
                        label=self.t(LABEL_RETYPE_DELETE if deletable else LABEL_RETYPE))]]
        if deletable:
            rows.append([Button(id=prefix + KEEP_DELETED, label=self.t(LABEL_KEEP_DELETED))])
        rows.append([Button(id=prefix + USE_AS_IS, label=self.t(LABEL_USE_AS_IS))])
        return rows


def reminder_changes(
    before: Sequence[Reminder], after: Sequence[Reminder], *, locale: str
) -> list[Effect]:
    """Flows only edit the session's list of reminders; what to schedule or cancel is
    the difference, so no flow can forget to tell the adapter."""

    def keys(entries: Sequence[Reminder]) -> dict[tuple[ReminderKind, str], Reminder]:
        return {(e.kind, e.due): e for e in entries}

    old, new = keys(before), keys(after)
    changes: list[Effect] = []
    for key in new.keys() - old.keys():
        changes.append(
            AddReminder(reminder=key[0], due=datetime.fromisoformat(key[1]), locale=locale)
        )
    for key in old.keys() - new.keys():
        changes.append(CancelReminder(reminder=key[0], due=datetime.fromisoformat(key[1])))
    return sorted(changes, key=lambda e: e.model_dump_json())


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
