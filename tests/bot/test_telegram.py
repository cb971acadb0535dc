"""The Telegram adapter through the real python-telegram-bot `Application` (no network)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.logs import quiet_library_logs
from bot.telegram.app import base_file_url, register_commands
from bot.telegram.render import calls_for
from flows.i18n import SHIPPED
from flows.model import Button, Document, Reply
from tests.bot.fake_telegram import TOKEN, Harness, TgUser, labels

CANARY = "Zebulon Quixotevna 4471"  # a distinctive string a person types
SECRET_NAME = "Quillonia"  # a distinctive first name
USER_ID = 731_904_265  # a distinctive Telegram user id


async def to_main_menu(user: TgUser) -> None:
    await user.send("/start")
    await user.press("I understand, continue")
    await user.press("English")
    user.expect("What would you like to do?")


# --- the way in --------------------------------------------------------------


async def test_start_shows_the_safety_notice(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    user.expect("not end-to-end encrypted")
    assert "I understand, continue" in user.buttons()


async def test_the_sender_keeps_nothing_of_a_person_once_their_rows_are_done(
    harness: Harness,
) -> None:
    for user_id in (USER_ID, USER_ID + 1, USER_ID + 2):
        user = harness.user(user_id)
        await user.send("/start")
        await user.press("I understand, continue")
    sender = harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]
    assert sender._tasks == {} and sender._stale == set() and sender._answered == {}
    # Every row ended, the answered buttons' rows with the sends after them.
    store = harness.runtime.store
    assert store._database().execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


async def test_notice_language_menu_by_buttons(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("I understand, continue")
    assert {"English", "Français", "Español"} <= user.plain_buttons()
    await user.press("English")
    user.expect("What would you like to do?")
    assert {"Find the right UN expert", "Language", "About this bot"} <= user.plain_buttons()


async def test_callback_queries_are_always_answered(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    await user.press("I understand, continue")
    answered = [c for c in harness.request.calls[user.since :] if c.method == "answerCallbackQuery"]
    assert len(answered) == 1


async def test_messages_without_an_address_are_protected_and_every_callback_fits(
    harness: Harness,
) -> None:
    user = harness.user(USER_ID)
    await to_main_menu(user)
    await user.press("Language")
    await user.press("Français")
    await user.send("/help")
    await user.send("a question typed where buttons are expected")
    await user.feed({"message": user.message_json(location={"latitude": 1, "longitude": 2})})
    sends = harness.request.sends()
    assert sends, "the bot sent nothing"
    for call in sends:
        assert call.params.get("protect_content") is True, call.method
    buttons = 0
    for call in harness.request.calls:
        markup = call.params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                buttons += 1
                assert 0 < len(button["callback_data"].encode("utf-8")) <= 64
    assert buttons > 5


# --- what the bot does not read ----------------------------------------------


async def test_group_chat_gets_one_line_and_nothing_is_stored(harness: Harness) -> None:
    group = {"id": -100123456, "type": "supergroup", "title": "Defenders"}
    sender = {"id": USER_ID, "is_bot": False, "first_name": SECRET_NAME, "language_code": "en"}
    update_id = harness.next_update_id()
    since = await harness.feed(
        {
            "update_id": update_id,
            "message": {
                "message_id": 7,
                "date": 0,
                "chat": group,
                "from": sender,
                "text": "/start",
            },
        }
    )
    texts = harness.request.texts(since)
    assert texts == ["Please talk to me in a private chat."]
    assert harness.request.calls[since].params["chat_id"] == group["id"]
    assert await harness.runtime.store.count_sessions() == 0
    # Handled once (its id only, no content), so a redelivery is not answered twice.
    assert await harness.runtime.store.is_processed(update_id)


async def test_channel_post_gets_the_same_line(harness: Harness) -> None:
    channel = {"id": -100999, "type": "channel", "title": "News"}
    since = await harness.feed(
        {
            "channel_post": {"message_id": 3, "date": 0, "chat": channel, "text": CANARY},
        }
    )
    assert harness.request.texts(since) == ["Please talk to me in a private chat."]
    assert await harness.runtime.store.count_sessions() == 0


@pytest.mark.parametrize(
    "content",
    [
        {
            "photo": [{"file_id": "p", "file_unique_id": "pu", "width": 10, "height": 10}],
            "caption": CANARY,
        },
        {"document": {"file_id": "d", "file_unique_id": "du", "file_name": "case.pdf"}},
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "su",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}},
        {"location": {"latitude": 35.7, "longitude": 51.4}},
        {"contact": {"phone_number": "+100000", "first_name": SECRET_NAME}},
    ],
    ids=["photo", "document", "sticker", "voice", "location", "contact"],
)
async def test_non_text_gets_the_short_warning(harness: Harness, content: dict[str, Any]) -> None:
    user = harness.user(USER_ID)
    texts = await user.feed({"message": user.message_json(**content)})
    assert len(texts) == 1
    assert "I can only read text and button presses" in texts[0]
    assert "not end-to-end encrypted" in texts[0]
    assert await harness.runtime.store.count_sessions() == 0


async def test_non_text_warning_with_any_language_tag(harness: Harness) -> None:
    for tag in ("fr-CA", "pt-br", None):
        user = harness.user(USER_ID, language=tag)
        texts = await user.feed(
            {"message": user.message_json(location={"latitude": 1, "longitude": 2})}
        )
        assert len(texts) == 1  # translated once the catalogs have it; never missing


async def test_edited_message_gets_a_short_line(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await to_main_menu(user)
    edited = user.message_json(text="see you tomorrow", edit_date=1)
    texts = await user.feed({"edited_message": edited})
    assert texts == ["I do not read edited messages; please send a new one."]
    # One that looks like it names someone is checked like a new message.
    edited = user.message_json(text=CANARY, edit_date=2)
    texts = await user.feed({"edited_message": edited})
    assert texts[0].startswith("Careful") and CANARY not in " ".join(texts)


async def test_updates_without_user_or_message_do_not_crash(harness: Harness) -> None:
    await harness.feed({})  # nothing but an update id
    await harness.feed(
        {
            "inline_query": {
                "id": "iq1",
                "query": CANARY,
                "offset": "",
                "from": {"id": USER_ID, "is_bot": False, "first_name": SECRET_NAME},
            }
        }
    )
    await harness.feed(
        {
            "my_chat_member": {
                "chat": {"id": USER_ID, "type": "private"},
                "from": {"id": USER_ID, "is_bot": False, "first_name": SECRET_NAME},
                "date": 0,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 1, "is_bot": True, "first_name": "b"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 1, "is_bot": True, "first_name": "b"},
                },
            }
        }
    )
    assert harness.request.sends() == []


async def test_press_without_message_is_only_answered(harness: Harness) -> None:
    user = harness.user(USER_ID)
    since = await harness.feed(
        {
            "callback_query": {
                "id": "q1",
                "from": user.user_json(),
                "chat_instance": "x",
                "data": "1.ok",
                "inline_message_id": "inline-1",
            }
        }
    )
    assert [c.method for c in harness.request.calls[since:]] == ["answerCallbackQuery"]


# --- conversation state ------------------------------------------------------


async def test_an_old_button_says_it_expired(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    notice = user.last_keyboard()
    await user.press("I understand, continue")
    await user.press("English")
    texts = await user.press("I understand, continue", message=notice)
    assert any("earlier message" in t for t in texts), texts
    assert harness.errors == []


async def test_two_people_do_not_share_state(harness: Harness) -> None:
    amina = harness.user(111_111_111, "Amina")
    bruno = harness.user(222_222_222, "Bruno", language="es")
    await amina.send("/start")
    await amina.press("I understand, continue")
    await bruno.send("/start")
    bruno.expect("No tiene cifrado de extremo a extremo")  # his Telegram is in Spanish
    # Amina is still at the language choice, whatever Bruno did.
    await amina.press("English")
    amina.expect("What would you like to do?")
    assert all(c.params.get("chat_id") == amina.id for c in harness.request.sends(amina.since))
    # And Bruno is still at his notice.
    await bruno.press("Entiendo, continuar")
    assert {"English", "Français", "Español"} <= bruno.plain_buttons()
    assert await harness.runtime.store.count_sessions() == 2


async def test_a_redelivered_update_is_answered_once(harness: Harness) -> None:
    user = harness.user(USER_ID)
    update = user.text_update("/start")
    first = await user.feed(dict(update))
    again = await user.feed(dict(update))
    assert first and any("not end-to-end encrypted" in t for t in first)
    assert again == []


async def test_a_redelivered_press_is_answered_but_not_replayed(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await user.send("/start")
    message = user.last_keyboard()
    update = user.press_update(user.find_button("I understand, continue", message), message)
    await user.feed(dict(update))
    since = len(harness.request.calls)
    await user.feed(dict(update))
    # The first time answered the button too: a redelivery changes and sends nothing.
    assert harness.request.calls[since:] == []


async def test_one_persons_quick_updates_are_answered_in_order(harness: Harness) -> None:
    user = harness.user(USER_ID)
    # The first send is slow, the second fast: without the per-person lock held
    # through sending, the second reply would overtake the first.
    harness.request.delays["sendMessage"] = [0.2, 0.0]
    first, second = user.text_update("/start"), user.text_update("/help")
    await asyncio.gather(
        harness.app.process_update(harness_update(harness, first)),
        harness.app.process_update(harness_update(harness, second)),
    )
    await harness.app.adapter.sender_for(harness.app.bot).drain()  # type: ignore[attr-defined]
    texts = harness.request.texts(chat_id=user.id)
    assert len(texts) == 2
    assert "not end-to-end encrypted" in texts[0]
    assert "/language" in texts[1]


def harness_update(harness: Harness, data: dict[str, Any]) -> Any:
    from telegram import Update

    return Update.de_json(data, harness.app.bot)


# --- the finder (needs the lead's mandate flow) ------------------------------


async def test_finder_toggles_edit_in_place_and_recommend(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await to_main_menu(user)
    await user.press("Find the right UN expert")
    assert "Detention or arrest" in user.buttons()
    finder = user.last_keyboard()
    await user.press("Detention or arrest")
    methods = [c.method for c in harness.request.calls[user.since :]]
    assert "editMessageText" in methods and "sendMessage" not in methods
    assert user.last_keyboard()["message_id"] == finder["message_id"]
    assert "✓ Detention or arrest" in user.buttons()
    await user.press("Done")
    user.expect("country")
    await user.send("Iran")
    user.expect("Working Group on Arbitrary Detention")


# --- rendering and Bot API errors ----------------------------------------------


async def deliver(harness: Harness, replies: list[Reply], pressed: int | None = None) -> None:
    """Queue replies as an update would, and let the sender carry them out."""
    owner = harness.runtime.sealer.pseudonym("telegram", USER_ID)
    rows = await harness.runtime.store.commit(
        owner, None, update_id=None, calls=calls_for(USER_ID, replies, pressed=pressed),
        keep_session=True,
    )
    sender = harness.app.adapter.sender_for(harness.app.bot)  # type: ignore[attr-defined]
    sender.wake(rows or [])
    await sender.drain()


async def test_an_address_to_copy_is_not_protected(harness: Harness) -> None:
    user = harness.user(USER_ID)
    await to_main_menu(user)
    await user.press("Find the right UN expert")
    await user.press("Detention or arrest")
    await user.press("Done (1 chosen)")
    await user.send("Belarus")
    (call,) = [c for c in harness.request.sends() if "spsubmission" in c.params.get("text", "")]
    assert call.params["protect_content"] is False


async def test_document_is_sent_unprotected_txt_so_it_can_be_saved(harness: Harness) -> None:
    reply = Reply(
        text="Your draft, with placeholders instead of names:",
        buttons=[[Button(id="menu", label="Main menu")]],
        document=Document(name="draft letter", text="Dear Special Rapporteur, V1 ..."),
    )
    await deliver(harness, [reply])
    (call,) = [c for c in harness.request.calls if c.method == "sendDocument"]
    assert call.params["protect_content"] is False
    assert call.params["caption"].startswith("Your draft")
    assert labels(call.params["reply_markup"]) == ["Main menu"]
    ((filename, content, mimetype),) = call.files.values()
    assert filename == "draft-letter.txt"
    assert content == b"Dear Special Rapporteur, V1 ..."
    assert mimetype.startswith("text/plain")


async def test_long_text_with_document_is_sent_before_it(harness: Harness) -> None:
    reply = Reply(text="x" * 2000, document=Document(name="a.txt", text="b"))
    await deliver(harness, [reply])
    assert [c.method for c in harness.request.calls][-2:] == ["sendMessage", "sendDocument"]


async def test_too_long_callback_data_is_left_out(harness: Harness) -> None:
    too_long = Button(id="x" * 65, label="bad")
    reply = Reply(text="t", buttons=[[too_long, Button(id="ok", label="ok")]])
    await deliver(harness, [reply])
    assert labels(harness.request.calls[-1].params["reply_markup"]) == ["ok"]


async def test_edit_falls_back_to_sending_when_editing_fails(harness: Harness) -> None:
    harness.request.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    await deliver(harness, [Reply(text="edited", edit=True)], pressed=5)
    assert [c.method for c in harness.request.calls][-2:] == ["editMessageText", "sendMessage"]


async def test_message_not_modified_is_ignored(harness: Harness, caplog: Any) -> None:
    harness.request.fail_next(
        "editMessageText",
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same",
    )
    await deliver(harness, [Reply(text="same", edit=True)], pressed=5)
    assert [c.method for c in harness.request.calls][-1] == "editMessageText"


async def test_blocked_bot_is_logged_by_event_name_only(harness: Harness, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    user = harness.user(USER_ID, SECRET_NAME)
    harness.request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await user.send("/start")  # no crash
    assert harness.errors == []
    assert any("blocked" in r.getMessage() for r in caplog.records)
    assert_clean_logs(caplog, extra=[SECRET_NAME])


async def test_flood_control_waits_and_retries(harness: Harness) -> None:
    harness.request.fail_next("sendMessage", 429, "Too Many Requests", retry_after=1)
    user = harness.user(USER_ID)
    started = asyncio.get_running_loop().time()
    await user.send("/start")
    # Postponed by exactly retry_after, then sent: nothing dropped.
    assert asyncio.get_running_loop().time() - started >= 1.0
    user.expect("not end-to-end encrypted")
    assert [c.method for c in harness.request.calls[user.since :]] == ["sendMessage"] * 2


async def test_network_trouble_is_logged_by_type(harness: Harness, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    harness.request.fail_next("sendMessage", 502, "Bad Gateway")
    user = harness.user(USER_ID)
    await user.send("/start")
    assert harness.errors == []
    assert any("NetworkError" in r.getMessage() for r in caplog.records)


async def test_commands_are_registered_in_every_language(harness: Harness) -> None:
    await register_commands(harness.app, harness.runtime)
    calls = [c for c in harness.request.calls if c.method == "setMyCommands"]
    assert len(calls) == len(SHIPPED)
    assert [c["command"] for c in calls[0].params["commands"]] == [
        name for name, _, _ in harness.runtime.advisor.engine.commands
    ]
    assert {"start", "menu", "help", "wipe", "exit"} <= {
        c["command"] for c in calls[0].params["commands"]
    }
    assert {c.params.get("language_code") for c in calls} == {None, *SHIPPED[1:]}
    # What a person sees before pressing Start, in every language too.
    for method in ("setMyDescription", "setMyShortDescription"):
        described = [c for c in harness.request.calls if c.method == method]
        assert {c.params.get("language_code") for c in described} == {None, *SHIPPED[1:]}
    (english,) = [c for c in harness.request.calls
                  if c.method == "setMyDescription" and not c.params.get("language_code")]
    assert "not end-to-end encrypted" in english.params["description"]


async def test_commands_are_registered_through_network_trouble(harness: Harness) -> None:
    harness.request.fail_next("setMyCommands", 502, "Bad Gateway")
    harness.request.drop_next("setMyCommands")
    harness.request.fail_next("setMyDescription", 429, "Too Many Requests: retry after 1",
                              retry_after=1)
    await register_commands(harness.app, harness.runtime)
    for method in ("setMyCommands", "setMyDescription"):
        calls = [c for c in harness.request.calls if c.method == method]
        assert len(calls) == len(SHIPPED) + (2 if method == "setMyCommands" else 1)
        # Every language is set; the one that failed was tried again until it was.
        assert {c.params.get("language_code") for c in calls} == {None, *SHIPPED[1:]}
    assert not harness.request.failures.get("setMyCommands")


def test_file_url_follows_the_base_url() -> None:
    assert base_file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert (
        base_file_url("https://api.example.org/bot{token}")
        == "https://api.example.org/file/bot{token}"
    )


# --- nothing identifying in the logs -------------------------------------------


def assert_clean_logs(caplog: Any, extra: list[str] = ()) -> None:  # type: ignore[assignment]
    forbidden = [CANARY, TOKEN, TOKEN.split(":", 1)[1], str(USER_ID), *extra]
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        for secret in forbidden:
            assert secret not in text, f"{secret!r} logged by {record.name}"


async def test_logs_hold_no_text_no_id_no_token(harness: Harness, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    user = harness.user(USER_ID, SECRET_NAME)
    await user.send("/start")
    await user.send(CANARY)
    await user.press("I understand, continue")
    await user.send(CANARY)
    await user.feed({"edited_message": user.message_json(text=CANARY, edit_date=1)})
    await user.feed(
        {
            "message": user.message_json(
                document={"file_id": "d", "file_unique_id": "du", "file_name": f"{CANARY}.pdf"},
                caption=CANARY,
            )
        }
    )
    await harness.feed(
        {
            "message": {
                "message_id": 9,
                "date": 0,
                "text": CANARY,
                "chat": {"id": -100555, "type": "group", "title": CANARY},
                "from": user.user_json(),
            }
        }
    )
    harness.request.fail_next("answerCallbackQuery", 400, f"Bad Request: {CANARY}")
    await user.press("English")
    assert_clean_logs(caplog, extra=[SECRET_NAME])


async def test_a_failing_handler_is_logged_by_type_only(
    harness: Harness, caplog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)

    async def broken(event: Any, *_: Any) -> None:
        raise ValueError(f"cannot handle {event.payload}")

    monkeypatch.setattr(harness.runtime.advisor, "handle", broken)
    user = harness.user(USER_ID, SECRET_NAME)
    await user.feed(user.text_update(CANARY), allow_errors=True)
    # Caught in the adapter: the person gets an apology instead of silence.
    assert harness.errors == []
    user.expect("Sorry, something went wrong")
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("bot.telegram")]
    assert any("ValueError" in m for m in logged), logged
    assert_clean_logs(caplog, extra=[SECRET_NAME])


def test_library_log_arguments_are_withheld(caplog: Any) -> None:
    quiet_library_logs()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("telegram.ext.ExtBot").critical(
        "Error while parsing updates! Received data was %r", [{"text": CANARY}]
    )
    logging.getLogger("telegram.ext.ExtBot").debug("Calling %s with %s", "sendMessage", CANARY)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Error while parsing updates! Received data was [withheld]"]
