"""Prepare a submission: questions with placeholders, the draft document, the hand-off."""

from __future__ import annotations

from datetime import date

import pytest

from flows.i18n import translator
from flows.model import DeleteDraftMessages, DeleteMessages
from tests.flows.chat import Chat
from tests.flows.test_consent import answer_gate, to_gate

TODAY = date(2026, 11, 22)
ANSWERS = {
    "sender": "A local organisation documenting detention.",
    "urgency": "V1 is held incommunicado; a hearing is on 15 December.",
    "victims": "V1, a man in his forties, a trade unionist; V2, his colleague.",
    "what": "On 2 November P1 arrested V1 at L1 and took him to L2.",
    "perpetrators": "P1, officers of the security service.",
    "context": "The 2021 public order law is used against unions.",
    "action": "A complaint to the prosecutor on 5 November, no answer.",
    "request": "Ask where V1 is held; a public statement if no answer.",
}


def builder(channel: str = "terminal", **gate: str) -> Chat:
    chat = Chat(channel=channel, today=TODAY).start()  # type: ignore[arg-type]
    chat.press("Find the right UN expert").press("Detention or arrest").press(
        "Done (1 chosen)").send("Belarus")
    chat.press("Main menu")
    answer_gate(to_gate(chat), **gate).press("Next: prepare the submission")
    return chat


def fill(chat: Chat, language: str = "English", skip: tuple[str, ...] = ()) -> Chat:
    chat.press("Start").press(language)
    for key, text in ANSWERS.items():
        if key in skip:
            chat.press(translator(chat.session.locale)("Skip"))
        else:
            chat.send(text)
    return chat


def test_placeholders_are_explained_before_the_first_question() -> None:
    chat = builder()
    chat.expect("V1, V2 for victims, P1, P2 for perpetrators", "L1, L2 for places")


def test_every_question_has_a_hint_skip_and_back() -> None:
    chat = builder("telegram").press("Start").press("English")
    for _ in ANSWERS:
        chat.expect("Example:", "not end-to-end encrypted")
        assert {"Skip", "Back", "Delete this draft", "Quick exit"} <= set(chat.labels)
        chat.press("Skip")
    chat.expect("Answered: none")


def test_the_document_holds_every_answer_and_the_checklist() -> None:
    chat = fill(builder()).press("Create the draft")
    document = chat.replies[-1].document or next(r.document for r in chat.replies if r.document)
    assert document is not None
    for text in ANSWERS.values():
        assert text in document.text
    for heading in ("1. Who is sending", "4. Consent", "9. What we ask"):
        assert heading in document.text
    assert "V1: agrees to be named to the government: yes" in document.text
    assert "Working Group on Arbitrary Detention" in document.text
    for placeholder in ("V1", "V2", "P1", "L1", "L2"):
        assert f"Replace {placeholder} with the real name" in document.text
    assert "Please do not share with the government: the identity of the source" in document.text
    chat.expect("https://spsubmission.ohchr.org/", "You use Signal",
                "keep a copy offline", "Not all experts acknowledge receipt")
    chat.expect_not("Between Proton Mail accounts")


def test_the_draft_can_be_in_another_language_than_the_chat() -> None:
    chat = fill(builder(), language="Français").press("Create the draft")
    document = next(r.document for r in chat.replies if r.document)
    assert "4. Consentement" in document.text or "Consentement" in document.text
    assert ANSWERS["what"] in document.text  # answers stay as typed


def test_skipped_questions_are_marked() -> None:
    chat = fill(builder(), skip=("context", "action")).press("Create the draft")
    document = next(r.document for r in chat.replies if r.document)
    assert document.text.count("(not answered yet)") == 2


def test_delete_this_draft_removes_the_answers_at_once() -> None:
    chat = builder().press("Start").press("English").send(ANSWERS["sender"])
    assert chat.session.draft
    # Said before: the document goes from the chat too, so save it first.
    chat.press("Delete this draft").expect("save it somewhere safe first")
    assert chat.session.draft
    chat.press("Yes, delete the draft").expect("The draft is deleted.")
    assert chat.session.draft is None
    assert DeleteDraftMessages() in chat.last_effects


def test_the_document_has_nothing_from_another_user() -> None:
    first = fill(builder()).press("Create the draft")
    other = Chat(today=TODAY, user="u2").start()
    answer_gate(to_gate(other)).press("Next: prepare the submission").press("Start").press(
        "English").send("Another person's sender answer")
    for _ in range(7):
        other.press("Skip")
    other.press("Create the draft")
    document = next(r.document for r in other.replies if r.document)
    assert "Another person's sender answer" in document.text
    assert not any(text in document.text for text in ANSWERS.values())
    assert first.session != other.session


def test_anonymous_mode_draft_names_no_individual() -> None:
    chat = builder(gov="No", by="Nobody yet", writing="No")
    chat.press("Start").press("English")
    chat.send("An organisation.").send("Now.")
    chat.expect("Anonymous mode")
    for _ in range(6):
        chat.press("Skip")
    chat.press("Create the draft")
    document = next(r.document for r in chat.replies if r.document)
    assert "No individual is named" in document.text


def test_a_name_typed_in_an_answer_is_warned_about_first() -> None:
    chat = builder("telegram").press("Start").press("English")
    chat.message_id = 99
    chat.send("Sent by Karim Haddad, phone +216 22 345 678")
    chat.expect("could identify someone")
    assert not (chat.session.draft or {}).get("sender")
    chat.press("Delete it, I will use placeholders")
    chat.send(ANSWERS["sender"])
    assert chat.session.draft and chat.session.draft["sender"] == ANSWERS["sender"]


@pytest.mark.parametrize(("lang", "button"), [("fr", "Français"), ("es", "Español")])
def test_the_whole_path_in_french_and_spanish(lang: str, button: str) -> None:
    t = translator(lang)
    chat = Chat(lang=lang, today=TODAY).start(button)
    chat.press(t("Prepare a submission")).press(t("Continue")).press("1")
    chat.press(t("Yes")).press(t("No")).press(t("The person")).press(t("Yes"))
    chat.press(t("Nobody else")).press(t.n(("Done ({count} chosen)",
                                            "Done ({count} chosen)"), 1))
    chat.press(t("Yes, with all of them")).press(t("Yes")).press(t("Nothing"))
    chat.press(t.n(("Done ({count} chosen)", "Done ({count} chosen)"), 1)).press(t("No"))
    chat.press(t("Signal")).press(t.n(("Done ({count} chosen)", "Done ({count} chosen)"), 1))
    chat.press(t("Next: prepare the submission")).press(t("Start")).press(button)
    for text in ANSWERS.values():
        chat.send(text)
    chat.press(t("Create the draft"))
    document = next(r.document for r in chat.replies if r.document)
    assert t("9. What we ask the Special Procedures to do") in document.text


def test_each_typed_answer_is_deleted_from_the_chat_once_read_by_default() -> None:
    chat = builder("telegram")
    assert "Delete my answers from the chat after reading: on" in chat.labels
    chat.press("Start").press("English")
    chat.message_id = 12
    first = next(iter(ANSWERS))
    chat.send(ANSWERS[first])
    assert [e for e in chat.last_effects if isinstance(e, DeleteMessages)] == [
        DeleteMessages(message_ids=[12])]
    assert chat.session.draft and chat.session.draft.get(first)  # the draft keeps it
