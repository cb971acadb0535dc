"""Issue 10: what a person already said is not asked again, and the verdict does not
depend on the way the facts were entered."""

from __future__ import annotations

from datetime import date

from flows.urgency import UrgencyAnswers
from tests.flows.chat import Chat
from tests.flows.test_consent import answer_gate, to_gate

TODAY = date(2026, 11, 22)
HEARING = "15/12/2026"


def from_finder() -> Chat:
    """The finder with "Detention or arrest", then "Next: is it urgent?"."""
    chat = Chat(today=TODAY).start()
    chat.press("Find the right UN expert").press("Detention or arrest")
    chat.press("Done (1 chosen)").send("Belarus")
    return chat.press("Next: is it urgent?")


def test_detention_from_the_finder_is_not_asked_again() -> None:
    chat = from_finder().press("Yes, now or very soon")
    chat.expect("From your answers in the finder", "Someone is detained")
    assert "✓ Someone is detained" in chat.labels
    assert UrgencyAnswers.of(chat.session).now == ["detained"]
    chat.press("Done (1 chosen)").expect("Is there a date coming that matters?")


def test_detention_taken_over_can_be_undone() -> None:
    chat = from_finder().press("Yes, now or very soon").press("Someone is detained")
    assert "Someone is detained" in chat.labels
    chat.expect_not("From your answers in the finder")
    chat.press("A threat to someone's life").press("Done (1 chosen)")
    assert UrgencyAnswers.of(chat.session).now == ["threat"]


def test_without_the_finder_nothing_is_chosen_for_the_person() -> None:
    chat = Chat(today=TODAY).start().press("Is it urgent?").press("Yes, now or very soon")
    chat.expect_not("From your answers in the finder")
    assert "Someone is detained" in chat.labels


def test_the_same_facts_give_the_same_verdict_whichever_way() -> None:
    finder_first = from_finder().press("Yes, now or very soon").press("Done (1 chosen)")
    finder_first.press("A hearing or trial").send(HEARING)
    directly = Chat(today=TODAY).start().press("Is it urgent?").press("Yes, now or very soon")
    directly.press("Someone is detained").press("Done (1 chosen)")
    directly.press("A hearing or trial").send(HEARING)
    assert "urgent appeal" in finder_first.text
    assert finder_first.text == directly.text
    assert finder_first.press("More detail").text == directly.press("More detail").text


def builder_after_urgency() -> Chat:
    chat = from_finder().press("Yes, now or very soon").press("Done (1 chosen)")
    chat.press("A hearing or trial").send(HEARING).press("Next: consent and risk")
    answer_gate(chat).press("Next: prepare the submission")
    return chat.press("Start").press("English").send("A local organisation.")


def test_a_hearing_date_typed_in_urgency_is_not_asked_again() -> None:
    chat = builder_after_urgency()
    assert chat.session.state == "submission.urgency"
    chat.expect("Already in the draft", "The date that matters: December 15, 2026",
                "urgent appeal", "Anything to add on why it is urgent now?")
    chat.expect_not("Is there a date")
    chat.press("Skip")
    for _ in range(6):
        chat.press("Skip")
    document = next(r.document for r in chat.press("Create the draft").replies if r.document)
    assert document.text.count("The date that matters: December 15, 2026") == 1


def test_without_urgency_the_builder_asks_why_now() -> None:
    chat = Chat(today=TODAY).start()
    answer_gate(to_gate(chat)).press("Next: prepare the submission")
    chat.press("Start").press("English").send("A local organisation.")
    chat.expect("Is it urgent, and why now? Is there a date").expect_not("Already in the draft")


def test_an_answer_typed_under_the_example_is_kept() -> None:
    chat = builder_after_urgency().press("Example").expect("Example:")
    chat.send("V1 is held incommunicado.")
    assert chat.session.draft is not None
    assert chat.session.draft["urgency"] == "V1 is held incommunicado."
    assert chat.session.state == "submission.victims"
