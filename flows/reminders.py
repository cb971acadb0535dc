"""Opt-in reminders: once, on a day, a neutral line. Listed and cancelled with /reminders.

The flow only edits the session's list of reminders; the engine turns the change
into effects (`reminder_changes`) and the adapter keeps the schedule in the
database, so reminders survive restarts. What is stored for a reminder is only
the chat to write to (sealed), when, which kind and the language: no case details.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flows.declare import Date
from flows.i18n import N_, T
from flows.model import (
    Answers,
    Choice,
    Command,
    Cond,
    Effect,
    Flow,
    Reminder,
    ReminderKind,
    Session,
    Step,
    View,
)
from flows.reprisal import next_sg_deadline

MAX_REMINDERS = 5
DATABASE_DAYS = 60  # the government's usual time to reply, then publication
SG_NOTICE = timedelta(days=7)  # remind a week before the report's deadline
REMIND_AT = time(8, 0, tzinfo=UTC)

OFFER = {
    "telegram": N_(
        "I can write to you once, on a day you choose, with one neutral line. Nothing about "
        "your case is stored: only when, which kind, and where to write."
    ),
    "terminal": N_(
        "I can remind you once, on a day you choose: the reminder shows when you start this "
        "program on or after that day. Nothing about your case is stored."
    ),
}
FULL = N_("You already have {count} reminders, the most I keep. Cancel one with /reminders.")
ASK_DATE = N_("Type the date, for example 15 March 2027 or 15/03/2027 (day first).")
SET = N_("Reminder set for {date}.")
SET_DATABASE = N_(
    "A letter appears in the database only once the government's deadline has passed, "
    "usually 60 days after the experts send it, and only if they send one. If it is not "
    "there yet, check again later."
)
LIST_EMPTY = N_("You have no reminders.")
LIST_HEAD = N_("Your reminders. Press one to cancel it:")
KIND_LABEL: dict[str, str] = {
    "database": N_("Check the communications database"),
    "sg_deadline": N_("The Secretary-General's report deadline"),
    "date": N_("Your date"),
}
CANCEL = N_("Cancel: {what}, {date}")
ITEM = N_("{what}: {date}")
# What is sent when a reminder fires: it may show on a lock screen, so it says nothing
# of why. The reason is shown in the chat, by /reminders (`RECENT`).
FIRED = N_("You asked to be reminded today. Open the chat to see why.")
RECENT = N_("Reminded on {date}: {what}")
RECENT_DAYS = 30  # how long /reminders still shows a reminder that fired


def _at(day: date) -> datetime:
    return datetime.combine(day, REMIND_AT)


class ReminderAnswers(Answers):
    flow = "reminders"

    when: date | None = None  # the date typed, until the reminder is set
    last: datetime | None = None  # when the reminder set last is due
    last_kind: ReminderKind | None = None


def upcoming(view: View) -> list[Reminder]:
    now = _at(view.today) - timedelta(hours=REMIND_AT.hour)
    return sorted(
        (e for e in view.reminders if datetime.fromisoformat(e.due) >= now),
        key=lambda e: e.due,
    )


def _add(session: Session, kind: ReminderKind, due: datetime) -> None:
    entry = Reminder(kind=kind, due=due.isoformat())
    if entry not in session.reminders:
        session.reminders = [*session.reminders, entry]
    answers = ReminderAnswers.of(session)
    answers.last, answers.last_kind = due, kind


def _add_database(session: Session, view: View) -> None:
    _add(session, "database", _at(view.today + timedelta(days=DATABASE_DAYS)))


def _add_sg(session: Session, view: View) -> None:
    deadline = next_sg_deadline(view.today)
    _add(session, "sg_deadline", _at(max(deadline - SG_NOTICE, view.today)))


def _add_date(session: Session, view: View) -> None:
    answers = ReminderAnswers.of(session)
    day, answers.when = answers.when, None
    if day is not None:
        # The day before, so there is time to act; never in the past.
        _add(session, "date", _at(max(day - timedelta(days=1), view.today)))


def _has_room(view: View) -> bool:
    return len(upcoming(view)) < MAX_REMINDERS


_room = Cond("with room for another reminder", _has_room)


def fired_text(t: T, kind: str, due: datetime) -> str:
    """The line sent when a reminder fires: the same neutral line whatever the kind,
    since a notification may be read by anyone who sees the phone."""
    return t(FIRED)


def recent(view: View) -> list[Reminder]:
    """Reminders that fired in the last days, so that /reminders can say why."""
    now = _at(view.today) - timedelta(hours=REMIND_AT.hour)
    since = now - timedelta(days=RECENT_DAYS)
    return sorted(
        (e for e in view.reminders if since <= datetime.fromisoformat(e.due) < now),
        key=lambda e: e.due,
    )


def _offer(view: View) -> list[str]:
    t = view.t
    if not _room(view):
        return [t(FULL, count=MAX_REMINDERS)]
    return [t(OFFER[view.channel])]


def _set(view: View) -> list[str]:
    answers = ReminderAnswers.of(view)
    when = answers.last.date() if answers.last else view.today
    lines = [view.t(SET, date=view.t.date(when))]
    if answers.last_kind == "database":
        lines.append(view.t(SET_DATABASE))
    return ["\n\n".join(lines)]


def _list(view: View) -> list[str]:
    t = view.t
    entries, fired = upcoming(view), recent(view)
    if not entries and not fired:
        return [t(LIST_EMPTY)]
    lines = [
        "• " + t(RECENT, what=t(KIND_LABEL[e.kind]),
                 date=t.date(datetime.fromisoformat(e.due).date()))
        for e in fired
    ]
    if entries:
        lines.append(t(LIST_HEAD) if not lines else "\n" + t(LIST_HEAD))
    for e in entries:
        due = datetime.fromisoformat(e.due)
        lines.append("• " + t(ITEM, what=t(KIND_LABEL[e.kind]), date=t.date(due.date())))
    return ["\n".join(lines)]


def _options(view: View) -> list[tuple[str, str]]:
    t = view.t
    return [
        (
            f"{i}",
            t(CANCEL, what=t(KIND_LABEL[e.kind]),
              date=t.date(datetime.fromisoformat(e.due).date())),
        )
        for i, e in enumerate(upcoming(view))
    ]


def _cancel(session: Session, view: View, value: str) -> list[Effect]:
    entries = upcoming(view)
    index = int(value)
    if 0 <= index < len(entries):
        session.reminders = [e for e in session.reminders if e != entries[index]]
    # The engine derives the cancellation from the changed list.
    return []


REMINDERS = Flow(
    name="reminders",
    title=N_("Reminders"),
    commands=[
        Command("reminders", "list", N_("your reminders: see or cancel them")),
    ],
    answers=ReminderAnswers,
    steps=[
        Step(
            id="offer",
            render=_offer,
            choices=[
                Choice(id="database", label=N_("In 60 days: check the communications database"),
                       do=_add_database, to="set", when=_room),
                Choice(id="sg", label=N_("Before the Secretary-General's report deadline"),
                       do=_add_sg, to="set", when=_room),
                Choice(id="date", label=N_("On a date I give"), to="date", when=_room),
                Choice(id="list", label=N_("See my reminders"), to="list"),
            ],
        ),
        Date(id="date", text=ASK_DATE, field="when", to="set"),
        Step(
            id="set",
            render=_set,
            enter=_add_date,
            choices=[Choice(id="list", label=N_("See my reminders"), to="list")],
        ),
        Step(
            id="list",
            render=_list,
            options=_options,
            pick=_cancel,
            choices=[Choice(id="add", label=N_("Add a reminder"), to="offer", when=_room)],
        ),
    ],
)
