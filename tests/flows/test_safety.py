"""Safety screens, quick exit, wipe and personal-data warnings, as a person meets them."""

from __future__ import annotations

import pytest

from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.model import DeleteMessages, Event, QuickExit, Session, SetAutoDelete, Wipe
from flows.registry import ENGINE
from flows.safety import CHANNEL
from tests.flows.chat import Chat

LANGUAGE_BUTTON = NATIVE_NAMES


def effects(chat: Chat, kind: type) -> list[object]:
    return [e for e in chat.last_effects if isinstance(e, kind)]


def tg(lang: str = "en") -> Chat:
    return Chat(channel="telegram", lang=lang).start(LANGUAGE_BUTTON[lang])


def test_the_notice_offers_auto_delete_on_telegram_only() -> None:
    chat = Chat(channel="telegram").send("/start")
    chat.press("Continue, auto-delete after 1 hour")
    assert effects(chat, SetAutoDelete) == [SetAutoDelete(seconds=3600)]
    assert "Continue, auto-delete after 1 hour" not in Chat().send("/start").labels


def test_auto_delete_setting_shows_its_state_and_can_be_turned_off() -> None:
    chat = tg().press("Safety").press("Auto-delete").press("After 24 hours")
    assert "✓ After 24 hours" in chat.labels
    assert effects(chat, SetAutoDelete) == [SetAutoDelete(seconds=86400)]
    chat.press("Off")
    assert "✓ Off" in chat.labels
    assert effects(chat, SetAutoDelete) == [SetAutoDelete(seconds=None)]


def test_auto_delete_is_not_offered_in_the_terminal() -> None:
    chat = Chat().start().press("Safety")
    assert "Auto-delete" not in chat.labels


def test_every_sensitive_screen_has_quick_exit() -> None:
    chat = tg().press("Find the right UN expert")
    assert "Quick exit" in chat.labels
    chat.press("Detention or arrest")
    assert "Quick exit" in chat.labels
    chat.press("Main menu").press("Safety")
    assert "Quick exit" in chat.labels


def test_quick_exit_is_one_tap_even_from_an_old_message() -> None:
    chat = tg().press("Find the right UN expert")
    old_exit = chat.button("Quick exit").id
    chat.press("Detention or arrest").press("Done (1 chosen)")
    chat.press_id(old_exit)
    assert effects(chat, QuickExit)
    assert chat.text == "Closed." and chat.buttons == []
    assert chat.session.state == "" and chat.session.answers == {}


def test_exit_command_closes_at_once() -> None:
    chat = tg().press("Find the right UN expert").send("/exit")
    assert effects(chat, QuickExit) and chat.text == "Closed."
    # The notice was seen: what comes next is the main menu, not the notice again.
    chat.send("hello").expect("What would you like to do?").expect_not("a word on safety")


def test_a_command_after_a_quick_exit_does_what_it_says() -> None:
    chat = tg().press("Find the right UN expert").send("/exit")
    chat.send("/wipe").expect("Delete everything?").expect_not("a word on safety")
    chat.send("/exit").send("/reminders").expect("You have no reminders.")
    chat.send("/exit").send("/start").expect("a word on safety")


def test_a_first_ever_command_still_shows_the_notice() -> None:
    Chat(channel="telegram").send("/wipe").expect("a word on safety")


def test_auto_delete_screen_shows_the_delay_kept_after_a_quick_exit() -> None:
    chat = Chat(channel="telegram").send("/start")
    chat.press("Continue, auto-delete after 1 hour").press("English").send("/exit")
    chat.send("/safety").press("Auto-delete")
    assert "✓ After 1 hour" in chat.labels and "Off" in chat.labels
    chat.send("/start").send("/safety").press("Auto-delete")
    assert "✓ After 1 hour" in chat.labels


def test_wipe_asks_once_then_deletes_everything() -> None:
    chat = tg().send("/wipe").expect("Delete everything?")
    chat.press("No, keep everything").expect("Safety.")
    assert not effects(chat, Wipe)
    chat.press("Delete everything").press("Yes, delete everything")
    assert effects(chat, Wipe)
    chat.expect("Everything this bot stored about you has been deleted")
    assert chat.buttons == [] and chat.session == Session(screen=chat.session.screen)


@pytest.mark.parametrize("lang", SHIPPED)
def test_safety_menu_in_each_language(lang: str) -> None:
    t = translator(lang)
    chat = tg(lang).press(t("Safety")).press(t("What this chat is"))
    chat.expect(t(CHANNEL["telegram"]))


def test_channel_advice_follows_what_the_person_can_use() -> None:
    chat = tg().press("Safety").press("Which channels to use")
    chat.press("Ordinary e-mail").press("Done (1 chosen)")
    chat.expect("Ordinary e-mail is not end-to-end encrypted", "https://spsubmission.ohchr.org/")
    chat.expect_not("Between Proton Mail accounts")
    chat.press("Back").press("Ordinary e-mail").press("Proton Mail").press("Signal")
    chat.press("Done (2 chosen)")
    chat.expect("Between Proton Mail accounts", "disappearing messages")


def test_verify_shows_username_and_phrase_from_the_operator() -> None:
    chat = Chat(channel="telegram")
    chat.meta = {"bot_username": "sp_advisor_bot", "verify_phrase": "blue heron at dawn"}
    chat.start().send("/verify")
    chat.expect("@sp_advisor_bot", "“blue heron at dawn”",
                "only after you have started a chat with it")
    no_phrase = Chat(channel="telegram").start().send("/verify")
    no_phrase.expect("has not set a verification phrase")


# --- personal data -------------------------------------------------------------


def test_a_name_typed_at_a_button_step_is_warned_about_and_can_be_deleted() -> None:
    chat = tg().press("Find the right UN expert")
    chat.message_id = 4242
    chat.send("my brother Karim Haddad was arrested by police")
    chat.expect("this looks like it could identify someone (a name)", "not end-to-end encrypted")
    chat.press("Delete that message now")
    assert effects(chat, DeleteMessages) == [DeleteMessages(message_ids=[4242])]
    chat.expect("Deleted from this chat.", "What happened?")


def test_a_phone_number_in_free_text_waits_for_a_decision() -> None:
    chat = tg().press("Find the right UN expert").press("Detention or arrest")
    chat.press("Done (1 chosen)")
    chat.message_id = 77
    chat.send("Iran, call me on +98 912 345 6789")
    chat.expect("a phone number")
    assert chat.session.state == "mandate.country"
    assert set(chat.labels) >= {"Delete it, I will use placeholders",
                                "Delete it from the chat, keep my answer", "Keep it as it is"}
    chat.press("Delete it, I will use placeholders")
    assert effects(chat, DeleteMessages) == [DeleteMessages(message_ids=[77])]
    assert chat.session.pending is None
    chat.send("Iran").expect("Islamic Republic of Iran")


def test_keep_it_as_it_is_uses_the_answer() -> None:
    chat = Chat().start().press("Find the right UN expert").press("Detention or arrest")
    chat.press("Done (1 chosen)").send("Mr Haddad lives in Iran")
    chat.expect("It stays on this computer")
    assert "Delete it from the chat, keep my answer" not in chat.labels
    chat.press("Keep it as it is")
    assert chat.session.state == "mandate.country"  # not a country: asked again, politely
    chat.expect("I could not find a country")


def test_an_old_warning_button_does_not_act() -> None:
    chat = tg().press("Find the right UN expert")
    chat.message_id = 5
    chat.send("Karim Haddad")
    old = chat.button("Delete that message now").id
    chat.press("Detention or arrest")
    chat.press_id(old).expect("earlier message")
    assert not effects(chat, DeleteMessages)


def test_the_pending_text_is_not_kept_after_moving_on() -> None:
    chat = tg().press("Find the right UN expert").press("Detention or arrest")
    chat.press("Done (1 chosen)").send("call +98 912 345 6789")
    assert chat.session.pending
    chat.press("Main menu")
    assert chat.session.pending is None


def test_events_are_unchanged_by_meta() -> None:
    event = Event(user="u", kind="command", payload="/start", meta={"x": "y"})
    assert ENGINE.handle(Session(), event).replies


@pytest.mark.parametrize("channel", ["telegram", "terminal"])
@pytest.mark.parametrize("lang", SHIPPED)
def test_every_screen_of_every_flow_has_quick_exit_in_every_language(
    lang: str, channel: str
) -> None:
    """The compiled machine knows every screen: each one, in each language, offers Quick
    exit in that language (the first screen, language, the main menu and reminders too)."""
    label = translator(lang)("Quick exit")
    assert lang == "en" or label != "Quick exit"
    for state in ENGINE.machine.states:
        chat = Chat(channel=channel, lang=lang)  # type: ignore[arg-type]
        chat.session = Session(state=state, locale=lang, screen=1)
        chat.press_id("0.x")  # an old button: the screen is drawn again, as it is
        assert label in chat.labels, f"{state} ({lang}, {channel}): {chat.labels}"


def test_the_first_message_says_who_sees_the_account_and_that_the_chat_stays() -> None:
    Chat(channel="telegram").send("/start").expect(
        "sees your Telegram account: its number (ID), your name and your @username",
        "stays in your Telegram chat list until you delete it",
    )


def test_channel_advice_says_what_proton_and_signal_do_not_protect() -> None:
    chat = tg().press("Safety").press("Which channels to use")
    chat.press("Proton Mail").press("Signal").press("Done (2 chosen)")
    chat.expect(
        "such as an expert's OHCHR address, it is not end-to-end encrypted unless you send "
        "it as a password-protected email or with PGP",
        "hide your phone number", "Registration Lock",
    )


def test_an_edited_message_is_checked_like_a_new_one() -> None:
    chat = tg().press("Find the right UN expert")
    chat.message_id = 41
    chat._handle("edit", "Call her on +7 912 345 67 89")
    chat.expect("Careful", "a phone number")
    chat.press("Delete that message now")
    assert effects(chat, DeleteMessages) == [DeleteMessages(message_ids=[41])]
    chat._handle("edit", "hello again")
    assert chat.text == "I do not read edited messages; please send a new one."


def test_typed_answers_are_deleted_after_reading_in_the_reprisal_report() -> None:
    """On by default where answers are typed at length; the reply claims nothing (the
    engine's line is said only if the deletion failed); it can be turned off."""
    on = "Delete my answers from the chat after reading: on"
    off = "Delete my answers from the chat after reading: off"
    chat = tg().send("/reprisal")
    assert on in chat.labels
    chat.press("No").press("Threats or intimidation").press("Done (1 chosen)")
    chat.message_id = 77
    chat.send("March 2026")
    assert effects(chat, DeleteMessages) == [DeleteMessages(message_ids=[77])]
    assert [r.alt for r in chat.replies if r.alt] and chat.replies[0].text == ""
    chat.send("/reprisal").press(on)
    assert off in chat.labels and on not in chat.labels
    chat.press("No").press("Threats or intimidation").press("Done (1 chosen)")
    chat.message_id = 78
    chat.send("March 2026")
    assert not effects(chat, DeleteMessages)
    assert off not in Chat().start().send("/reprisal").labels  # the terminal: no such thing
