"""Reminders: offered at the end of the builder and the reprisal flow, listed and
cancelled with /reminders; the engine turns list changes into schedule effects."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from flows.i18n import SHIPPED, translator
from flows.model import AddReminder, CancelReminder
from flows.reminders import MAX_REMINDERS, fired_text
from tests.flows.chat import Chat

TODAY = date(2026, 11, 22)


def reminders() -> Chat:
    return Chat(today=TODAY).start().send("/reminders")


def added(chat: Chat) -> list[AddReminder]:
    return [e for e in chat.last_effects if isinstance(e, AddReminder)]


def test_database_reminder_in_sixty_days() -> None:
    chat = reminders().expect("You have no reminders.").press("Add a reminder")
    chat.press("In 60 days: check the communications database")
    assert [(e.reminder, e.due) for e in added(chat)] == [
        ("database", datetime(2027, 1, 21, 8, 0, tzinfo=UTC))]
    chat.expect("Reminder set for January 21, 2027.")


def test_secretary_general_deadline_reminder_a_week_before() -> None:
    chat = reminders().press("Add a reminder")
    chat.press("Before the Secretary-General's report deadline")
    assert [(e.reminder, e.due.date()) for e in added(chat)] == [
        ("sg_deadline", date(2027, 4, 8))]


def test_a_date_the_person_gives_is_reminded_the_day_before() -> None:
    chat = reminders().press("Add a reminder").press("On a date I give").send("15/03/2027")
    assert [(e.reminder, e.due.date()) for e in added(chat)] == [("date", date(2027, 3, 14))]


def test_listing_and_cancelling() -> None:
    chat = reminders().press("Add a reminder").press(
        "In 60 days: check the communications database")
    chat.send("/reminders").expect("Your reminders", "Check the communications database")
    chat.press("Cancel: Check the communications database, January 21, 2027")
    assert [type(e) for e in chat.last_effects] == [CancelReminder]
    chat.expect("You have no reminders.")


def test_at_most_five_reminders() -> None:
    chat = reminders()
    for day in range(1, MAX_REMINDERS + 1):
        chat.send("/reminders").press("Add a reminder").press("On a date I give")
        chat.send(f"{day}/01/2027")
    chat.send("/reminders")
    assert "Add a reminder" not in chat.labels


def test_quick_exit_keeps_reminders_and_wipe_is_left_to_storage() -> None:
    chat = reminders().press("Add a reminder").press(
        "In 60 days: check the communications database")
    chat.send("/exit")
    assert not [e for e in chat.last_effects if isinstance(e, CancelReminder)]
    # The reminder is still in the store, so the list says so.
    chat.send("/reminders").expect("Check the communications database: January 21, 2027")


def test_start_keeps_reminders_as_it_says() -> None:
    chat = reminders().press("Add a reminder").press(
        "In 60 days: check the communications database")
    chat.send("/start")
    assert not [e for e in chat.last_effects if isinstance(e, CancelReminder)]
    chat.press_id(chat.buttons[0].id).press("English").send("/reminders")
    chat.expect("Check the communications database: January 21, 2027")


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_fired_text_is_neutral_in_every_language(lang: str) -> None:
    """A reminder may show on a lock screen: it says nothing of why, whatever the kind."""
    t = translator(lang)
    neutral = t("You asked to be reminded today. Open the chat to see why.")
    assert lang == "en" or neutral != "You asked to be reminded today. Open the chat to see why."
    for kind in ("database", "sg_deadline", "date"):
        assert fired_text(t, kind, datetime(2027, 1, 21, 8, tzinfo=UTC)) == neutral


def test_the_reason_is_shown_in_the_chat_once_the_reminder_fired() -> None:
    chat = reminders().press("Add a reminder").press(
        "In 60 days: check the communications database")
    chat.today = date(2027, 1, 25)
    chat.send("/reminders").expect(
        "Reminded on January 21, 2027: Check the communications database")
    assert not [b for b in chat.labels if b.startswith("Cancel")]


def test_offered_at_the_end_of_the_reprisal_flow() -> None:
    chat = Chat(today=TODAY).start().send("/reprisal")
    assert chat.session.state == "reprisal.danger"


def test_a_date_of_today_is_reminded_today_not_yesterday() -> None:
    chat = reminders().press("Add a reminder").press("On a date I give").send("22/11/2026")
    assert [e.due.date() for e in added(chat)] == [TODAY]
