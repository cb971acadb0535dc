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
        chat.expect("not end-to-end encrypted").expect_not("Example:")
        assert {"Example", "Skip", "Back", "Delete this draft", "Quick exit"} <= set(chat.labels)
        # The example replaces the question in place and still takes the answer.
        chat.press("Example").expect("Example:", "not end-to-end encrypted")
        assert {"Skip", "Back", "Delete this draft", "Quick exit"} <= set(chat.labels)
        chat.press("Skip")
    chat.expect("Answered:\nnone", "Skipped:\n1. Who is sending the information\n"
                "2. Is it urgent? Why now?")


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
    chat.expect("https://spsubmission.ohchr.org/", "You use Signal", "keep a copy offline")
    chat.expect_not("Between Proton Mail accounts")
    chat.press("More detail").expect("Not all experts acknowledge receipt")


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


# Issue 10, finding 4: what decides admissibility, the urgency, consent for every V.
def draft_of(chat: Chat) -> str:
    document = next(r.document for r in chat.replies if r.document)
    return document.text


def test_the_review_names_the_topics() -> None:
    chat = fill(builder(), skip=("context",))
    chat.expect("Answered:\n1. Who is sending the information", "Skipped:\n"
                "7. Context and legal framework")
    chat.expect_not("Answered: 1")


def test_the_draft_says_what_decides_admissibility() -> None:
    text = draft_of(fill(builder()).press("Create the draft"))
    for words in ("factual and in good faith", "not abusive and not politically motivated",
                  "not based only on media reports", "anonymous submissions are not considered",
                  "do not have to use up all legal remedies", "ECOSOC status"):
        assert words in text, words
    assert "For a disappearance" not in text


def test_a_victim_named_only_in_the_answers_is_flagged_for_consent() -> None:
    text = draft_of(fill(builder()).press("Create the draft"))  # one victim asked; V2 typed
    assert "V1: agrees to be named to the government: yes" in text
    assert "V2 is named in this draft, but their consent was not asked in this chat" in text
    assert "V1 is named in this draft" not in text


def test_up_to_nine_victims_can_be_asked_about() -> None:
    chat = to_gate().press("Continue")
    assert "9" in chat.labels
    answer_gate(to_gate(), victims=5).expect("The draft can name V1, V2, V3, V4, V5")


def urgent_builder(*presses: str, date_text: str | None = None) -> Chat:
    chat = Chat(today=TODAY).start().press("Is it urgent?")
    for label in presses:
        chat.press(label)
    if date_text:
        chat.send(date_text)
    chat.press("Next: consent and risk")
    return answer_gate(chat).press("Next: prepare the submission")


def test_the_urgency_and_its_date_go_into_the_draft() -> None:
    chat = urgent_builder("Yes, now or very soon", "Someone is detained", "Done (1 chosen)",
                          "A hearing or trial", date_text="15 December 2026")
    text = draft_of(fill(chat).press("Create the draft"))
    section = text.split("2. Is it urgent? Why now?")[1].split("3. The victims")[0]
    assert "URGENT: the harm is happening now" in section
    assert "The date that matters: December 15, 2026 (A hearing or trial)." in section
    assert ANSWERS["urgency"] in section


def test_a_disappearance_draft_lists_what_the_working_group_needs() -> None:
    chat = urgent_builder("It already happened", "Yes", "3 to 12 months ago", "No date")
    text = draft_of(fill(chat).press("Create the draft"))
    assert "URGENT" in text
    assert "For a disappearance, the Working Group needs one case for each person" in text


# Issue 10, finding 6: a mandate with no confirmed web page.
def test_a_mandate_without_a_web_page_gets_the_online_form_not_a_guess() -> None:
    from flows.catalog import load_catalog
    chat = Chat(today=TODAY).start()
    chat.press("Find the right UN expert").press("Expression, media or internet").press(
        "Done (1 chosen)").send("Belarus")
    chat.press("Main menu")
    answer_gate(to_gate(chat)).press("Next: prepare the submission")
    fill(chat).press("Create the draft").expect("https://spsubmission.ohchr.org/")
    chat.press("More detail")
    mandates = {m.id: m for m in load_catalog().mandates}
    expression = mandates["sr-freedom-of-expression"]
    assert expression.url is None
    chat.expect(f"No OHCHR page is confirmed here for: {expression.title}",
                "OHCHR list of Special Procedures mandates")
    for m in mandates.values():
        if m.url_unverified_guess:
            chat.expect_not(m.url_unverified_guess)



def test_the_hand_off_links_the_pages_it_has() -> None:
    from flows.catalog import load_catalog
    wgad = next(m for m in load_catalog().mandates if m.id == "wgad")
    assert wgad.url
    chat = fill(builder()).press("Create the draft").press("More detail")
    chat.expect("the address is on that page", "The experts' OHCHR pages:",
                f"{wgad.title}: {wgad.url}")


@pytest.mark.parametrize(("language", "wgad", "torture"), [
    ("Français", "Groupe de travail sur la détention arbitraire",
     "Rapporteur spécial sur la torture et autres peines ou traitements cruels, inhumains ou "
     "dégradants"),
    ("Español", "Grupo de Trabajo sobre la Detención Arbitraria",
     "Relator Especial sobre la tortura y otros tratos o penas crueles, inhumanos o "
     "degradantes"),
])
def test_a_french_or_spanish_draft_uses_the_official_titles(language: str, wgad: str,
                                                            torture: str) -> None:
    from flows.catalog import load_catalog
    text = draft_of(fill(builder(), language=language).press("Create the draft"))
    addressed = next(line for line in text.splitlines() if wgad in line)
    assert "Working Group on Arbitrary Detention" not in text
    belarus = next(m for m in load_catalog().mandates if m.id == "sr-belarus")
    t = translator("fr" if language == "Français" else "es")
    assert belarus.title_in(t) in addressed
    torture_mandate = next(m for m in load_catalog().mandates if m.id == "sr-torture")
    assert torture_mandate.title_in(t) == torture


def test_a_french_draft_for_detention_in_belarus_names_both_experts_in_french() -> None:
    text = draft_of(fill(builder(), language="Français").press("Create the draft"))
    addressed = next(line for line in text.splitlines() if line.startswith("Destinataires"))
    assert addressed == (
        "Destinataires\u00a0: Groupe de travail sur la détention arbitraire; "
        "Rapporteur spécial sur la situation des droits de l'homme au Bélarus")
    assert "Special Rapporteur on the situation of human rights in Belarus" not in text


def test_a_mandate_without_an_official_title_keeps_english_with_a_translated_description(
) -> None:
    from flows.catalog import load_catalog
    found = next(m for m in load_catalog().mandates if m.id == "sr-belarus")
    # Whatever the data holds, a mandate with no title in a language falls back.
    m = found.model_copy(update={"titles": {}})
    for locale in ("fr", "es", "ar", "zh", "ru"):
        t = translator(locale)
        assert m.title_in(t) == f"{m.title} ({t(m.description).rstrip('.')})"
        assert t(m.description) != m.description
    assert m.title_in(translator("en")) == m.title


def test_a_spanish_disappearance_draft_names_the_working_group_in_spanish() -> None:
    chat = Chat(today=TODAY).start()
    chat.press("Find the right UN expert").press("Disappearance").press(
        "Done (1 chosen)").send("Belarus")
    chat.press("Main menu")
    answer_gate(to_gate(chat)).press("Next: prepare the submission")
    text = draft_of(fill(chat, language="Español").press("Create the draft"))
    assert "Grupo de Trabajo sobre Desapariciones Forzadas o Involuntarias" in text
    assert "Working Group on Enforced or Involuntary Disappearances" not in text


def test_a_french_killing_draft_names_the_executions_rapporteur_in_french() -> None:
    chat = Chat(today=TODAY).start()
    chat.press("Find the right UN expert").press("Killing, death penalty or death threat").press(
        "Done (1 chosen)").send("Belarus")
    chat.press("Main menu")
    answer_gate(to_gate(chat)).press("Next: prepare the submission")
    text = draft_of(fill(chat, language="Français").press("Create the draft"))
    assert ("Rapporteur spécial sur les exécutions extrajudiciaires, sommaires ou "
            "arbitraires") in text
