"""Guard: the personal-data warning, checked on typed text before it is dispatched.

When a message looks like it identifies someone, it is not used: the person is
warned, and the text waits (sealed with the session) until they choose to answer
again with placeholders, delete the message and keep the answer, or keep it as it
is. This module knows that dialogue: what is checked, what is shown, the buttons,
and what each answer means. `decide` applies it; `draw` shows it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import NamedTuple

from flows.engine.texts import (
    DELETE_IT,
    KEEP_DELETED,
    LABEL_DELETE_IT,
    LABEL_KEEP_DELETED,
    LABEL_RETYPE,
    LABEL_RETYPE_DELETE,
    LABEL_USE_AS_IS,
    PD_KINDS,
    PD_WARNING,
    RETYPE,
    USE_AS_IS,
)
from flows.i18n import T
from flows.model import Button, Channel, Session, Step, View
from flows.personal_data import kinds as personal_data_kinds

# The ids of the warning's buttons.
ANSWERS = (RETYPE, KEEP_DELETED, USE_AS_IS, DELETE_IT)


def screen(text: str, step: Step, view: View) -> AbstractSet[str]:
    """What kinds of personal data `text` seems to hold; empty when it may be used.
    A short structured answer (a country, a date) that reads correctly is not
    personal data: it is exempt."""
    parse = step.parse if step.ask and not step.free_text else None
    if parse is not None and parse(text, view).ok:
        return frozenset()
    return personal_data_kinds(text)


def edited(text: str) -> AbstractSet[str]:
    """What kinds of personal data an edited message seems to hold: it is never an
    answer, so nothing is exempt."""
    return personal_data_kinds(text)


def texts(t: T, channel: Channel, warning: AbstractSet[str]) -> list[str]:
    what = ", ".join(t(PD_KINDS[k]) for k in PD_KINDS if k in warning)
    return [t(PD_WARNING[channel], what=what)]


def rows(t: T, prefix: str, *, deletable: bool, pending: bool) -> list[list[Button]]:
    if not pending:
        if not deletable:
            return []
        return [[Button(id=prefix + DELETE_IT, label=t(LABEL_DELETE_IT))]]
    label = LABEL_RETYPE_DELETE if deletable else LABEL_RETYPE
    out = [[Button(id=prefix + RETYPE, label=t(label))]]
    if deletable:
        out.append([Button(id=prefix + KEEP_DELETED, label=t(LABEL_KEEP_DELETED))])
    out.append([Button(id=prefix + USE_AS_IS, label=t(LABEL_USE_AS_IS))])
    return out


class Decision(NamedTuple):
    delete: list[int]  # chat messages to delete
    deleted_note: bool  # say it was deleted (or that it could not be)
    use: str | None  # the held-back text to use as the answer after all


def respond(cid: str, session: Session, step: Step) -> Decision:
    """What an answer to the warning means, given what the session holds back."""
    pending, message_id = session.pending, session.pd_message
    delete = (
        [message_id]
        if cid in (RETYPE, KEEP_DELETED, DELETE_IT) and message_id is not None
        else []
    )
    use = None
    if cid in (KEEP_DELETED, USE_AS_IS) and pending is not None and step.ask:
        use = pending
    return Decision(delete, cid == DELETE_IT, use)
