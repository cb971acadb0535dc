"""Decide: event + session -> new state, answer changes, effects.

One dispatcher: commands, presses (a choice, Done, a pick, Back, Main menu, Quick
exit, an answer to the personal-data warning) and typed text (screened by
`guard` first) all end in a transition of the compiled machine or in a change
shown on the same screen. The gate is met on arrival, whatever the way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flows.engine import guard
from flows.engine.compile import Ctx, answers_of, choose
from flows.engine.draw import Drawing
from flows.engine.texts import (
    ANSWER,
    BACK,
    CHOOSE_ONE,
    CLOSED,
    DELETED,
    DONE,
    EDITED_MESSAGE,
    EXIT_ID,
    EXPIRED,
    GATE_FIRST,
    HINT_BUTTONS,
    HISTORY_LIMIT,
    HOME_STATE,
    MENU_ID,
    NOT_DELETED,
    PD_CHOICE_EVENTS,
    PICK,
    START_STATE,
    UNKNOWN_COMMAND,
    WIPED,
)
from flows.model import (
    AddReminder,
    CancelReminder,
    DeleteMessages,
    Effect,
    Flow,
    Parsed,
    QuickExit,
    Reminder,
    ReminderKind,
    Reply,
    Session,
    Step,
    Wipe,
)


class Run(Drawing):
    """One event's work: what it changes, then what is drawn."""

    pd_answered: int | None = None

    def fire(self, trigger: str, **kwargs: Any) -> bool:
        before = self.session.state
        ctx = Ctx(self.session, self.view(), self.effects)
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
        # A press moves on in place: the next screen replaces the message pressed.
        self.render(with_document=forward, edit=self.event.kind == "press")

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
            elif name == "start" or not (known or self.session.noticed):
                self.restart()
            else:
                if not known:
                    # After a quick exit the notice was seen: the command does what it says.
                    self.session.state = HOME_STATE
                if not self.fire(f"/{name}"):
                    self.say(UNKNOWN_COMMAND)
                    self.count("unknown_command")
                    self.render(brief=True)
        elif ev.kind == "press" and ev.payload == EXIT_ID:
            self.effects.append(QuickExit())
        elif ev.kind == "edit":
            self.edited(ev.payload, known=known)
        elif not known and self.session.noticed:
            # Back after a quick exit: the main menu, not the notice again.
            self.session.state = HOME_STATE
            self.arrived("", forward=False)
        elif not known:
            self.restart()
        elif ev.kind == "press":
            self.press(ev.payload)
        else:
            self.text(ev.payload)

    def restart(self) -> None:
        # Reminders and auto-delete live in the store: "/start" keeps them, as it says.
        self.session = self.session.kept(screen=self.session.screen)
        self.session.state, self.session.noticed = START_STATE, True
        # Once per conversation start: which language and channel, nothing else.
        self.count(self.session.locale or "none", "meta.language")
        self.count(self.event.channel, "meta.channel")
        self.arrived("", forward=False)

    def close(self, *, wipe: bool) -> None:
        """Quick exit and wipe: nothing of the conversation is kept or shown any more.
        The one message left is neutral: no buttons, nothing about human rights."""
        self.count("wipe" if wipe else "quick_exit", self.session.state or "start.notice")
        screen = self.session.screen + 1
        # A wipe leaves nothing; a quick exit leaves what the store still holds for the
        # person (reminders, auto-delete), so that what is shown next stays true.
        self.session = Session(screen=screen) if wipe else self.session.kept(screen=screen)
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
        if cid in guard.ANSWERS:
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
                choose(flow, choice, self.session, self.view(), self.effects)
                self.count(f"choose_{choice.id}")
                self.render(edit=True)
            elif not self.fire(choice.id):
                self.render()

    def expired(self) -> None:
        self.say(EXPIRED)
        self.count("expired")
        self.render(brief=True)

    def toggle(self, flow: Flow, field: str, value: str) -> None:
        answers = answers_of(flow, self.session)
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
        found = guard.screen(text, step, self.view())
        if found:
            # Warn before using it; the text waits, sealed with the session, until the
            # person decides what to do with it.
            self.count("personal_data")
            self.render(warning=found, pending=text if step.ask else None)
            return
        if not step.ask:
            self.say(step.hint or HINT_BUTTONS)
            self.count("hint")
            self.render(brief=True)
            return
        self.answer(step, text)

    def edited(self, text: str, *, known: bool) -> None:
        """An edited message is not read as an answer, but it stays in the chat: checked
        like a new one, and if it looks like it identifies someone, the person is warned
        and offered to delete it."""
        found = guard.edited(text)
        if not found or not known:
            # The screen above stays as it is: its buttons still work.
            self.say(EDITED_MESSAGE)
            return
        self.count("personal_data_edit")
        self.render(warning=found)

    def answer(self, step: Step, text: str) -> None:
        assert step.parse is not None  # compilation made sure a step that asks has one
        parsed = step.parse(text, self.view())
        if parsed.ok:
            flow, _ = self.current()
            if self.fire(ANSWER, parsed=parsed):
                self.delete_answer(flow)
            return
        self.count("not_understood")
        self.session.offer = dict(parsed.suggestions)
        self.render(problem=parsed)

    def delete_answer(self, flow: Flow) -> None:
        """On Telegram, the message that carried an answer just stored is deleted from the
        chat when the person wants it (the flow's default until they choose); the reply
        does not claim it (`Engine.handle` adds the line said only if it failed)."""
        wanted = self.session.delete_answers
        if self.event.channel != "telegram" or not (
            flow.delete_answers if wanted is None else wanted
        ):
            return
        message = self.event.message_id if self.event.kind == "text" else self.pd_answered
        if message is None:
            return
        if not any(isinstance(e, DeleteMessages) and message in e.message_ids
                   for e in self.effects):
            self.effects.append(DeleteMessages(message_ids=[message]))

    def personal_data_answer(self, cid: str, step: Step) -> None:
        decision = guard.respond(cid, self.session, step)
        self.pd_answered = self.session.pd_message  # the message a kept answer came in
        self.count(PD_CHOICE_EVENTS[cid])
        if decision.delete:
            self.effects.append(DeleteMessages(message_ids=decision.delete))
        if decision.deleted_note:
            self.replies.append(Reply(text=self.t(DELETED), alt=self.t(NOT_DELETED)))
            self.render()
        elif decision.use is None:
            self.render()
        else:
            self.count("personal_data_kept")
            self.answer(step, decision.use)


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
