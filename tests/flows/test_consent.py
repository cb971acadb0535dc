"""The consent-and-risk gate: the questions, the assessment, and that it cannot be skipped."""

from __future__ import annotations

import pytest

from flows.consent import ConsentAnswers, assess
from tests.flows.chat import Chat


def to_gate(chat: Chat | None = None) -> Chat:
    chat = chat or Chat().start()
    return chat.press("Prepare a submission")


def answer_gate(chat: Chat, *, victims: int = 1, gov: str = "Yes", public: str = "No",
                by: str = "The person", writing: str = "Yes", talked: str = "Yes, with all "
                "of them", plan: str = "Yes") -> Chat:
    chat.expect("anything is drafted").press("Continue").press(str(victims))
    for i in range(1, victims + 1):
        chat.expect(f"Victim V{i}: does V{i} agree to be named to the government?")
        chat.press(gov).press(public).press(by).press(writing)
    chat.press("Family").press("Done (1 chosen)").press(talked).press(plan)
    chat.press("That I am the source").press("Done (1 chosen)").press("No")
    return chat.press("Signal").press("Done (1 chosen)")


def test_the_menu_entry_goes_through_the_gate_first() -> None:
    chat = to_gate()
    assert chat.session.state == "consent.intro"
    chat = answer_gate(chat)
    chat.expect("Risk level: lower", "The draft can name V1")
    chat.press("Next: prepare the submission").expect("Now the submission")


def test_a_command_cannot_skip_the_gate() -> None:
    chat = Chat().start().send("/submission")
    assert chat.session.state == "consent.intro"
    chat.expect("Before anything is drafted")


def test_an_old_button_cannot_skip_the_gate() -> None:
    chat = answer_gate(to_gate())
    old_next = chat.button("Next: prepare the submission").id
    # Same person, a new session (e.g. after a quick exit): the old button must not open it.
    chat.send("/exit").send("/start")
    chat.press_id(old_next).expect("earlier message")
    assert not chat.session.state.startswith("submission")
    chat.start().press("Prepare a submission")
    assert chat.session.state == "consent.intro"


def test_back_from_the_gate_cannot_land_in_the_builder() -> None:
    chat = to_gate().press("Back")
    assert chat.session.state == "menu.main"


def test_several_victims_are_asked_about_one_by_one() -> None:
    chat = answer_gate(to_gate(), victims=3)
    answers = ConsentAnswers.of(chat.session)
    assert [v["gov"] for v in answers.victims] == ["yes", "yes", "yes"]
    chat.expect("The draft can name V1, V2, V3")


def test_without_consent_the_builder_is_anonymous() -> None:
    chat = answer_gate(to_gate(), gov="No", by="Nobody yet", writing="No")
    chat.expect("Nobody has agreed to be named").expect_not("unable to act on an individual")
    chat.press("More detail").expect("unable to act on an individual case")
    chat.press("Next: prepare the submission").expect("Anonymous mode")


def test_a_group_skips_the_per_victim_questions() -> None:
    chat = to_gate().press("Continue").press("A group or pattern, no individual")
    chat.expect("Who else could be affected")


def test_high_risk_advice_is_specific() -> None:
    chat = answer_gate(to_gate(), by="Nobody yet", writing="No", talked="Not yet", plan="No",
                       public="Yes")
    chat.expect("Risk level: high", "Talk with the people", "Make a plan for reprisals",
                "Get consent", "Being named in public").expect_not("do no harm")
    # How the experts weigh risk is behind "More detail", with the way on from there.
    chat.press("More detail").expect("do no harm", "family members")
    assert "Next: prepare the submission" in chat.labels


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({"victims": [{"gov": "yes", "public": "no", "consent_by": "person",
                         "writing": "yes"}], "talked": "yes", "plan": "yes",
          "affected": ["nobody"]}, "lower"),
        ({"victims": [{"gov": "yes", "public": "no", "consent_by": "family",
                         "writing": "yes"}], "talked": "some", "plan": "partly",
          "affected": ["family"]}, "elevated"),
        ({"victims": [{"gov": "yes", "public": "yes", "consent_by": "nobody",
                         "writing": "no"}], "talked": "no", "plan": "no",
          "affected": ["family", "org"]}, "high"),
        ({"victims": [], "talked": "yes", "plan": "no", "affected": []}, "elevated"),
    ],
)
def test_risk_levels(answers: dict[str, object], level: str) -> None:
    assert assess(ConsentAnswers.model_validate(answers)).level == level


def test_agreement_without_anyone_giving_consent_does_not_name() -> None:
    a = assess(ConsentAnswers(
        victims=[{"gov": "yes", "public": "no", "consent_by": "nobody", "writing": "no"}],
        talked="yes",
        plan="yes",
    ))
    assert a.named == [] and a.anonymous
