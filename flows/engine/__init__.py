"""The conversation engine: one static state machine for every flow, pure functions.

The engine, not the flows, knows about Back, Main menu, Quick exit, expired
buttons, hints, the personal-data warning and the anonymous step counters. It is
split by job:

- `compile`: declarations -> one `transitions.Machine` (and the checks);
- `decide`: event + session -> new state, answer changes, effects (one dispatcher);
- `draw`: state + session -> replies;
- `guard`: the personal-data warning, on typed text before it is dispatched;
- `texts`: its ids, limits and its own words.
"""

from __future__ import annotations

from flows.engine.compile import Arrow, Compiled, store
from flows.engine.decide import Run, reminder_changes
from flows.engine.texts import *  # noqa: F403  (the ids, limits and texts others name)
from flows.engine.texts import NOT_ALL_DELETED, WIPE_LEFT_TELEGRAM
from flows.i18n import negotiate, translator
from flows.model import (
    DeleteDraftMessages,
    DeleteMessages,
    Event,
    Outcome,
    QuickExit,
    Reply,
    Session,
    Wipe,
)

__all__ = ["Arrow", "Engine", "reminder_changes", "store"]

_DELETIONS = (DeleteMessages, DeleteDraftMessages, QuickExit, Wipe)


class Engine(Compiled):
    """The compiled flows, and the handling of one event at a time."""

    def handle(self, session: Session, event: Event) -> Outcome:
        # A copy, so `session` stays as it was: built the way storage reads a session
        # (4x cheaper than a deep copy, and no object shared with the original).
        s = Session.model_validate(session.model_dump())
        if s.locale is None:
            # The client's language preselects ours until the person chooses one.
            s.locale = negotiate(event.language)
        t = translator(s.locale)
        run = Run(self, s, t, event)
        run.dispatch()
        effects = run.effects
        if not any(isinstance(e, Wipe | QuickExit) for e in effects):
            # Quick exit keeps reminders (they live apart); a wipe deletes them all.
            effects += reminder_changes(
                session.reminders, run.session.reminders, locale=run.t.locale
            )
        replies = list(run.replies)
        deleting = any(isinstance(e, _DELETIONS) for e in effects)
        if deleting:
            # The message pressed may be among those deleted: say it anew.
            replies = [r.model_copy(update={"edit": False}) for r in replies]
        if deleting and event.channel == "telegram" and not any(r.alt for r in replies):
            # Said first, and only if a deletion failed: the rest never claims more.
            replies.insert(0, Reply(text="", alt=run.t(NOT_ALL_DELETED)))
        return Outcome(session=run.session, replies=replies, effects=effects)

    def wipe_left(self, language: str | None, count: int) -> Reply:
        """The line added after a wipe that left `count` messages too old to delete."""
        return Reply(text=translator(negotiate(language)).n(WIPE_LEFT_TELEGRAM, count))
