"""Safety on Telegram, through the real Application: wipe, quick exit, auto-delete,
reminders, personal-data deletion, documents sent to the bot, /verify."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.telegram.housekeeping import Housekeeping
from storage.store import DB_FILE
from tests.bot.fake_telegram import Harness, TgUser

USER_ID = 424_242


def deleted_ids(harness: Harness, since: int = 0) -> list[int]:
    ids: list[int] = []
    for call in harness.request.calls[since:]:
        if call.method == "deleteMessages":
            ids += list(call.params["message_ids"])
        elif call.method == "deleteMessage":
            ids.append(int(call.params["message_id"]))
    return ids


async def menu(harness: Harness) -> TgUser:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")
    return user


async def housekeeping(harness: Harness, now: datetime) -> None:
    sender = harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]
    await Housekeeping(harness.runtime, sender).once(now)
    await sender.drain()


def rows(harness: Harness, table: str) -> int:
    path = harness.runtime.settings.data_dir / DB_FILE
    with sqlite3.connect(path) as db:
        return int(db.execute(f"select count(*) from {table}").fetchone()[0])


async def test_wipe_deletes_the_chat_in_batches_and_every_row(harness: Harness) -> None:
    user = await menu(harness)
    for _ in range(60):  # 60 typed messages and 60 replies: more than one batch of 100
        await user.send("hello")
    tracked = [m for m, _ in await harness.runtime.store.ledger(user.pseudonym())]
    assert len(tracked) > 100
    since = len(harness.request.calls)
    await user.send("/wipe")
    await user.press("Yes, delete everything")
    batches = [c for c in harness.request.calls[since:] if c.method == "deleteMessages"]
    assert len(batches) >= 2 and all(len(c.params["message_ids"]) <= 100 for c in batches)
    assert set(tracked) <= set(deleted_ids(harness, since))
    user.expect("Everything this bot stored about you has been deleted")
    for table in ("sessions", "ledger", "chats", "reminders"):
        assert rows(harness, table) == 0, table


async def test_wipe_still_erases_the_data_when_telegram_refuses(harness: Harness) -> None:
    user = await menu(harness)
    await user.send("/wipe")
    harness.request.fail_next("deleteMessages", 400, "Bad Request: message can't be deleted")
    await user.press("Yes, delete everything")
    assert rows(harness, "sessions") == 0 and rows(harness, "ledger") == 0
    user.expect("could not be deleted by the bot")


async def test_old_messages_are_listed_for_the_person_to_delete(harness: Harness) -> None:
    user = await menu(harness)
    old = datetime.now(UTC) - timedelta(hours=50)
    await harness.runtime.store.record_messages(user.pseudonym(), [7, 8, 9], now=old)
    since = len(harness.request.calls)
    await user.send("/wipe")
    await user.press("Yes, delete everything")
    assert not {7, 8, 9} & set(deleted_ids(harness, since))
    user.expect("3 messages could not be deleted by the bot")


async def test_quick_exit_is_one_tap_and_leaves_a_neutral_line(harness: Harness) -> None:
    user = await menu(harness)
    await user.press("Find the right UN expert")
    since = len(harness.request.calls)
    await user.press("Quick exit")
    assert deleted_ids(harness, since)
    texts = harness.request.texts(since)
    assert texts == ["Closed."]
    assert harness.request.sends(since)[-1].params.get("reply_markup") is None


async def test_auto_delete_survives_a_restart_and_fires(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("Continue, auto-delete after 1 hour")
    assert await harness.runtime.store.autodelete_of(user.pseudonym()) == 3600
    # New housekeeping, as after a restart: the schedule is in the database.
    since = len(harness.request.calls)
    await housekeeping(harness, datetime.now(UTC) + timedelta(hours=2))
    assert deleted_ids(harness, since)
    assert await harness.runtime.store.ledger(user.pseudonym()) == []


async def test_a_reminder_fires_once_after_a_restart(harness: Harness) -> None:
    user = await menu(harness)
    await user.press("Safety")
    await harness.runtime.store.add_reminder(
        user.pseudonym(), user.id, datetime.now(UTC) + timedelta(days=1), "database", "fr"
    )
    since = len(harness.request.calls)
    later = datetime.now(UTC) + timedelta(days=2)
    await housekeeping(harness, later)
    await housekeeping(harness, later)
    texts = harness.request.texts(since)
    # Neutral, in the person's language: a lock screen may show it.
    assert texts == [
        "Vous avez demandé un rappel pour aujourd’hui. Ouvrez la conversation pour en voir "
        "la raison."
    ]
    assert await harness.runtime.store.reminders_of(user.pseudonym()) == []


async def test_reminders_set_listed_and_cancelled_from_the_chat(harness: Harness) -> None:
    user = await menu(harness)
    await user.send("/reminders")
    user.expect("You have no reminders.")
    await user.press("Add a reminder")
    await user.press("In 60 days: check the communications database")
    user.expect("Reminder set for")
    stored = await harness.runtime.store.reminders_of(user.pseudonym())
    assert [r.kind for r in stored] == ["database"] and stored[0].chat_id == user.id
    await user.send("/reminders")
    cancel = next(label for label in user.plain_buttons() if label.startswith("Cancel:"))
    await user.press(cancel)
    assert await harness.runtime.store.reminders_of(user.pseudonym()) == []
    user.expect("You have no reminders.")


async def test_a_photo_is_deleted_unopened_and_explained(harness: Harness) -> None:
    user = await menu(harness)
    message = user.message_json(photo=[{"file_id": "p1", "file_unique_id": "u", "width": 1,
                                         "height": 1}])
    since = len(harness.request.calls)
    await user.feed({"update_id": harness.next_update_id(), "message": message})
    assert message["message_id"] in deleted_ids(harness, since)
    assert not any(c.method == "getFile" for c in harness.request.calls)
    user.expect("I deleted what you sent from this chat without opening it")


async def test_personal_data_message_can_be_deleted_at_once(harness: Harness) -> None:
    user = await menu(harness)
    await user.press("Find the right UN expert")
    update = user.text_update("my brother Karim Haddad was arrested")
    await user.feed(update)
    user.expect("could identify someone")
    since = len(harness.request.calls)
    await user.press("Delete that message now")
    assert update["message"]["message_id"] in deleted_ids(harness, since)


async def test_verify_shows_the_username_and_the_operators_phrase(harness: Harness) -> None:
    harness.runtime.settings.verify_phrase = "blue heron at dawn"
    user = await menu(harness)
    await user.send("/verify")
    user.expect("@sp_advisor_test_bot")
    user.expect("“blue heron at dawn”")


@pytest.mark.parametrize("language", ["fr", "es"])
async def test_wipe_in_french_and_spanish(harness: Harness, language: str) -> None:
    user = harness.user(USER_ID, language=language)
    await user.send("/start")
    await user.press(user.buttons()[0])
    await user.press({"fr": "Français", "es": "Español"}[language])
    await user.send("/wipe")
    labels = user.plain_buttons()
    yes = next(label for label in labels if label.startswith(("Oui", "Sí")))
    await user.press(yes)
    assert rows(harness, "sessions") == 0


async def test_a_bug_still_gets_an_answer_and_logs_nothing_personal(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(event: object) -> None:
        raise RuntimeError("boom with Zebulon Quixotevna")

    monkeypatch.setattr(harness.runtime.advisor, "handle", broken)
    user = harness.user(USER_ID)
    await user.send("Zebulon Quixotevna")
    user.expect("Sorry, something went wrong")
    assert "Zebulon" not in caplog.text and str(USER_ID) not in caplog.text


async def test_operators_get_anonymous_counters_others_do_not(harness: Harness) -> None:
    harness.runtime.settings.operators = "777"
    for user_id in range(1, 13):  # enough people for the counters to pass the threshold
        await harness.user(user_id).send("/start")
    operator = harness.user(777)
    await operator.send("/stats")
    summary = operator.expect("sp-advisor report")
    assert "numbers under 10 hidden" in summary and str(USER_ID) not in summary
    (document,) = [c for c in harness.request.calls[operator.since :]
                   if c.method == "sendDocument"]
    ((filename, content, _mimetype),) = document.files.values()
    assert filename.endswith(".html") and b"<svg" in content
    assert str(USER_ID).encode() not in content
    someone = harness.user(USER_ID)
    await someone.send("/start")
    await someone.press("I understand, continue")
    await someone.press("English")
    await someone.send("/stats")
    someone.expect("I do not know that command")


async def test_no_telegram_ids_are_kept_in_memory_between_updates(harness: Harness) -> None:
    for user_id in range(100, 120):
        await harness.user(user_id).send("/start")
    app = harness.app
    assert not app._user_ids_to_be_updated_in_persistence
    assert not app._chat_ids_to_be_updated_in_persistence
    assert not app.user_data and not app.chat_data


async def test_a_photo_that_cannot_be_deleted_is_not_said_to_be(harness: Harness) -> None:
    user = await menu(harness)
    harness.request.fail_next("deleteMessages", 400, "Bad Request: message can't be deleted")
    message = user.message_json(sticker={"file_id": "s", "file_unique_id": "u", "width": 1,
                                         "height": 1, "is_animated": False, "is_video": False,
                                         "type": "regular"})
    await user.feed({"update_id": harness.next_update_id(), "message": message})
    user.expect("I could not delete what you sent")


async def test_an_edited_message_is_checked_like_a_new_one(harness: Harness) -> None:
    user = await menu(harness)
    sent = user.message_json(text="hello")
    await user.feed({"message": sent})
    edited = {**sent, "text": "Call her on +7 912 345 67 89", "edit_date": 1}
    texts = await user.feed({"edited_message": edited})
    assert "Careful" in texts[0] and "a phone number" in texts[0]
    since = len(harness.request.calls)
    await user.press("Delete that message now")
    assert sent["message_id"] in deleted_ids(harness, since)
    harmless = {**sent, "text": "hello again", "edit_date": 2}
    texts = await user.feed({"edited_message": harmless})
    assert texts == ["I do not read edited messages; please send a new one."]
