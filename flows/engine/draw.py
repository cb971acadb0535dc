"""Draw: state + session -> replies. What a step shows: its texts for the channel,
its buttons (choices, options, Done with a count, the warning's answers), and the
engine's own navigation (Back, Main menu, Quick exit); the screen counter that
makes old buttons recognisable; long texts cut under Telegram's limit."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from flows.engine import guard
from flows.engine.compile import Compiled, answers_of
from flows.engine.texts import (
    BACK,
    CHECK,
    DONE,
    EXIT_ID,
    HOME_STATE,
    LABEL_BACK,
    LABEL_DONE,
    LABEL_DONE_COUNT,
    LABEL_EXIT,
    LABEL_MENU,
    MENU_ID,
    PICK,
)
from flows.i18n import T, translator
from flows.model import (
    Button,
    CountStat,
    Effect,
    Event,
    Flow,
    Parsed,
    Reply,
    Session,
    Step,
    View,
    text_for,
)


class Drawing:
    """One event's work, the drawing part: kept apart from Engine, which stays
    stateless across users. `decide.Run` adds what changes the session."""

    def __init__(self, engine: Compiled, session: Session, t: T, event: Event) -> None:
        self.engine = engine
        self.session = session
        self.t = t
        self.event = event
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []

    def view(self) -> View:
        # Built several times per event from values already validated (the session,
        # the event): constructed without validating them again, with the same
        # shallow copies validation would make.
        return View.model_construct(
            answers=dict(self.session.answers),
            reminders=list(self.session.reminders),
            commands=self.engine.command_list,
            t=self.t,
            channel=self.event.channel,
            meta=dict(self.event.meta),
            today=self.event.today,
            draft=dict(self.session.draft or {}),
            autodelete=self.session.autodelete,
            delete_answers=self.session.delete_answers,
        )

    def current(self) -> tuple[Flow, Step]:
        return self.engine.steps[self.session.state]

    def count(self, event: str, state: str | None = None) -> None:
        flow, _, step = (state or self.session.state).partition(".")
        self.effects.append(CountStat(flow=flow, step=step, event=event))

    def say(self, msgid: str, **values: Any) -> None:
        self.replies.append(Reply(text=self.t(msgid, **values)))

    def render(
        self,
        *,
        edit: bool = False,
        problem: Parsed | None = None,
        warning: AbstractSet[str] | None = None,
        pending: str | None = None,
        with_document: bool = False,
        brief: bool = False,
    ) -> None:
        """Draw the current step. `edit`: its first message replaces the message pressed
        (only when nothing was said before it in this event). `brief`: the line just
        said stands for the text of a buttons-only screen (a hint, an expired
        button, an unknown command: the screen is not sent again)."""
        flow, step = self.current()
        if self.session.locale is not None and self.session.locale != self.t.locale:
            # A language was just chosen: what follows is drawn in it.
            self.t = translator(self.session.locale)
        self.session.pending = self.session.pd_message = None
        if problem is None:
            self.session.offer = {}
        self.session.screen += 1
        view = self.view()
        prefix = format(self.session.screen, "x") + "."
        rows: list[list[Button]] = []
        if warning:
            texts = guard.texts(self.t, self.event.channel, warning)
            if pending is None:
                # On a step that expects buttons, show the step again under the warning.
                texts += self.step_texts(step, view)
            deletable = self.event.channel == "telegram" and self.event.message_id is not None
            rows += guard.rows(self.t, prefix, deletable=deletable, pending=pending is not None)
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
            rows += [
                [Button(id=f"{prefix}{PICK}{value}", label=label)]
                for value, label in step.options(view)
            ]
        if pending is None:
            rows += self.choice_rows(prefix, flow, step, view)
        nav: list[Button] = []
        if step.back and self.session.history:
            nav.append(Button(id=prefix + BACK, label=self.t(LABEL_BACK)))
        if flow.home and self.session.state != HOME_STATE:
            nav.append(Button(id=MENU_ID, label=self.t(LABEL_MENU)))
        if nav:
            rows.append(nav)
        # Quick exit on every screen, whatever the flow: anyone may need to leave at once.
        rows.append([Button(id=EXIT_ID, label=self.t(LABEL_EXIT))])
        document = step.document(view) if step.document and with_document else None
        if brief and self.replies and not step.ask and not warning and problem is None:
            texts = [self.replies.pop().text]
        edit = edit and not self.replies
        for i, text in enumerate(texts[:-1]):
            self.replies.append(Reply(text=text, edit=edit and i == 0))
        self.replies.append(
            Reply(text=texts[-1] if texts else "…", buttons=rows,
                  edit=edit and len(texts) <= 1, document=document)
        )

    def choice_rows(
        self, prefix: str, flow: Flow, step: Step, view: View
    ) -> list[list[Button]]:
        rows: list[list[Button]] = []
        chosen: set[str] = (
            set(getattr(answers_of(flow, self.session), step.multi)) if step.multi else set()
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
            done = self.t.n(LABEL_DONE_COUNT, len(chosen)) if chosen else self.t(LABEL_DONE)
            rows.append([Button(id=prefix + DONE, label=done)])
        return rows

    def step_texts(self, step: Step, view: View) -> list[str]:
        """The step's own text (for this channel, its values filled in), then what its
        renderer makes of the answers."""
        texts = list(step.render(view)) if step.render else []
        if step.text:
            values = step.values(view) if step.values else {}
            texts.insert(0, self.t(text_for(step.text, view.channel), **values))
        return texts
