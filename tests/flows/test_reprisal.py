"""Report a reprisal, as a person at risk would go through it."""

from __future__ import annotations

from datetime import date

import pytest

from flows.engine import Engine
from flows.i18n import NATIVE_NAMES, translator
from flows.model import Document, Event, Outcome, Parsed, Session, View
from flows.registry import ENGINE
from flows.reprisal import (
    DOCUMENT_NAME,
    EXPERT_MAX,
    ReprisalAnswers,
    next_sg_deadline,
    parse_expert,
    parse_when,
    report,
)
from tests.flows.chat import Chat

TELEGRAM_TEXT_LIMIT = 4096  # one Telegram message; the adapter splits longer ones

TODAY = date(2026, 11, 22)
LANGUAGE_BUTTON = NATIVE_NAMES
FLD_LINE = "+353 1 21 00 489"  # procedures.json emergency_support.front_line_defenders
CONTACTS = ("https://spsubmission.ohchr.org/", "ohchr-reprisals@un.org", "hrcpresidency@un.org")
CANARY = "Karim Haddad"


class _Dated:
    """The shared engine, with the adapter's clock set to a fixed day."""

    def __init__(self, today: date) -> None:
        self.today = today

    def handle(self, session: Session, event: Event) -> Outcome:
        return ENGINE.handle(session, event.model_copy(update={"today": self.today}))


def reporter(lang: str = "en", channel: str = "terminal", today: date = TODAY) -> Chat:
    engine: Engine = _Dated(today)  # type: ignore[assignment]
    chat = Chat(engine=engine, lang=lang, channel=channel)  # type: ignore[arg-type]
    chat.start(LANGUAGE_BUTTON[lang])
    return chat.press(translator(lang)("Report a reprisal"))


def done(chat: Chat, count: int) -> Chat:
    t = translator(chat.session.locale)
    return chat.press(t.n(("Done ({count} chosen)", "Done ({count} chosen)"), count))


def answer_all(
    chat: Chat,
    consents: tuple[str, str, str] = ("Yes", "Yes", "Yes"),
    *,
    when: str | None = "March 2026",
    expert: str | None = "Special Rapporteur on human rights defenders",
) -> Chat:
    """From the danger question to the result, answering No to danger."""
    chat.press("No")
    chat.press("Threats or intimidation").press("Surveillance")
    done(chat, 2)
    chat.send(when) if when else chat.press("Prefer not to say")
    chat.press("State agents")
    chat.press("A communication to the experts")
    done(chat, 1)
    chat.send(expert) if expert else chat.press("None / I do not know")
    for answer in consents:
        chat.press(answer)
    return chat


def documents(chat: Chat) -> list[Document]:
    return [r.document for r in chat.replies if r.document is not None]


def the_document(chat: Chat) -> str:
    (document,) = documents(chat)
    assert document.name == DOCUMENT_NAME
    return document.text


def view(lang: str = "en", today: date = TODAY, **answers: object) -> View:
    given = ReprisalAnswers.model_validate(answers)
    return View(answers={"reprisal": given}, t=translator(lang), channel="terminal", today=today)


# --------------------------------------------------------------------------- danger


def test_in_danger_the_emergency_support_comes_first() -> None:
    chat = reporter().expect(
        "A reprisal is any act of intimidation or attack",
        "I never ask for names",
        "V1",
        "in immediate danger?",
    )
    chat.press("Yes, someone is in danger now")
    chat.expect(
        "The UN experts cannot give physical protection",
        "They are not part of the UN",
        "Front Line Defenders",
        FLD_LINE,
        "in Arabic, English, French, Russian, and Spanish",
        "open 24 hours a day",
        "ProtectDefenders.eu",
        "https://protectdefenders.eu/",
        "Access Now's Digital Security Helpline",
        "https://www.accessnow.org/help/",
    )
    chat.press("Continue").expect("What happened?")


def test_the_emergency_line_languages_are_named_in_the_readers_language() -> None:
    chat = reporter("fr")
    chat.press(chat.buttons[0].label)  # "Yes": the first button
    chat.expect(FLD_LINE, "arabe, anglais, français, russe et espagnol")


def test_not_in_danger_goes_straight_to_what_happened() -> None:
    chat = reporter().press("No").expect("What happened?")
    assert "Surveillance" in chat.labels and "Online harassment" in chat.labels


def test_emergency_support_can_be_found_again_from_the_result() -> None:
    chat = answer_all(reporter())
    chat.press("Emergency support").expect(FLD_LINE)
    chat.press("Back").expect("Where to send it")


def test_the_reprisal_command_opens_the_flow_anywhere() -> None:
    chat = Chat().start().press("Find the right UN expert").send("/reprisal")
    chat.expect("in immediate danger?")
    assert chat.session.state == "reprisal.danger"


# --------------------------------------------------------------------------- the answers


def more(chat: Chat) -> Chat:
    return chat.press(translator(chat.session.locale)("Your answers and what comes next"))


def test_the_result_leads_with_where_to_send_and_the_draft() -> None:
    chat = answer_all(reporter(channel="telegram"), when="October 2026")
    assert len(chat.replies) == 1 and len(chat.text) <= 650, len(chat.text)
    chat.expect(*CONTACTS, "Next deadline", "report to complete offline")
    chat.expect_not("Your answers:", "press release")
    assert len(documents(chat)) == 1


def test_an_incident_whose_reporting_period_has_closed_is_told_so() -> None:
    chat = answer_all(reporter(), when="March 2026")  # period May 2025 to April 2026
    # The lead says so in short; the period and its deadline are one press away.
    chat.expect("This incident's deadline for the Secretary-General's report has passed",
                "you can still report it").expect_not("2027")
    assert "April 15, 2026, has passed" in the_document(chat)
    more(chat).expect("May 1, 2025 to April 30, 2026", "April 15, 2026, has passed",
                      "can be reported at any time of the year").expect_not("2027")
    chat = answer_all(reporter(), when="May 2026")
    chat.expect("Next deadline for the Secretary-General's report: April 15, 2027")


def test_all_consents_give_the_full_draft_and_where_to_send() -> None:
    chat = answer_all(reporter(), when="October 2026")
    chat.expect(*CONTACTS, "Next deadline for the Secretary-General's report: April 15, 2027")
    the_document(chat)
    more(chat).expect(
        "What happened: Threats or intimidation; Surveillance",
        "When: October 2026",
        "Believed responsible: State agents",
        "Cooperation with the UN: A communication to the experts",
        "Expert or body: Special Rapporteur on human rights defenders",
        "Raise it confidentially with the government: Yes",
        "Raise it publicly: Yes",
        "Include it in the Secretary-General's report: Yes",
        "by April 15 each year",
        "presented to the Human Rights Council in September",
        "press release",
        "This bot sends nothing",
    )
    text = the_document(answer_all(reporter(), when="October 2026"))
    for fragment in (
        "REPRISAL REPORT: DRAFT",
        "Person: V1",
        "Perpetrator: P1",
        "Place: L1",
        "Kind of reprisal: Threats or intimidation; Surveillance",
        "When: October 2026",
        "UN expert or body: Special Rapporteur on human rights defenders",
        "Raise it confidentially with the government: Yes",
        "Raise it publicly: Yes",
        "Include it in the Secretary-General's report: Yes",
        *CONTACTS,
        "April 15, 2027, in 144 days",
        "already raised in an official UN document",
        "[ ] V1: the name of the person",
        "[ ] P1: who is responsible",
        "[ ] L1: the place",
        "Prepared on November 22, 2026",
    ):
        assert fragment in text, fragment


def test_no_consent_means_no_report_and_nowhere_to_send() -> None:
    chat = answer_all(reporter(), ("No", "No", "No"))
    chat.expect(
        "Without consent, the case cannot be raised with the UN",
        "nothing has been sent",
        "can be reported at any time of the year",
    )
    chat.expect_not(*CONTACTS, "Next deadline")
    assert documents(chat) == []
    assert "Start again" in chat.labels and "Emergency support" in chat.labels
    more(chat).expect("Raise it confidentially with the government: No").expect_not(*CONTACTS)


def test_confidential_only_gives_the_contacts_but_not_the_secretary_generals_report() -> None:
    chat = answer_all(reporter(), ("Yes", "No", "No"))
    text = the_document(chat)
    assert "Raise it publicly: No" in text
    assert "Include it in the Secretary-General's report: No" in text
    for contact in CONTACTS:
        assert contact in text
    assert "Next deadline" not in text and "by April 15 each year" not in text
    chat.expect_not("Next deadline")


def test_the_secretary_generals_report_only_points_there_alone() -> None:
    chat = answer_all(reporter(), ("No", "No", "Yes"), when="October 2026")
    text = the_document(chat)
    assert "ohchr-reprisals@un.org by April 15 each year" in text
    assert "Next deadline for the Secretary-General's report: April 15, 2027" in text
    assert "hrcpresidency@un.org" not in text and "spsubmission" not in text


def test_public_only_still_points_to_the_experts() -> None:
    text = the_document(answer_all(reporter(), ("No", "Yes", "No")))
    assert "Raise it confidentially with the government: No" in text
    assert "Raise it publicly: Yes" in text
    assert "hrcpresidency@un.org" in text and "Next deadline" not in text


def test_a_treaty_body_adds_its_committee() -> None:
    chat = reporter().press("No").press("Surveillance")
    done(chat, 1).press("Prefer not to say").press("Unknown").press("A treaty body")
    done(chat, 1).press("None / I do not know")
    for answer in ("Yes", "No", "No"):
        chat.press(answer)
    assert "For a treaty body: the committee concerned." in the_document(chat)
    assert "committee concerned" not in the_document(answer_all(reporter()))


def test_skipped_answers_say_not_given() -> None:
    chat = answer_all(reporter(), when=None, expert=None)
    assert "UN expert or body: not given" in the_document(chat)
    more(chat).expect("When: not given", "Expert or body: not given")
    assert chat.session.draft in (None, {})


def test_each_consent_screen_explains_what_it_means_and_its_risk() -> None:
    chat = reporter().press("No").press("Surveillance")
    done(chat, 1).press("Prefer not to say").press("Unknown").press("A treaty body")
    done(chat, 1).press("None / I do not know")
    chat.expect(
        "informed consent of the person concerned",
        "your identity as the source is generally kept confidential",
        "published in the OHCHR communications database",
        "usually 60 days",
        "may decide not to act if they judge the danger too great",
        "May the case be raised confidentially with the government?",
    )
    chat.press("No").expect(
        "press release", "the risk of further backlash can grow",
        "May the case be raised publicly",
    )
    chat.press("No").expect(
        "public UN document", "names may appear",
        "May the case be included in the Secretary-General's annual report on reprisals?",
    )


def test_start_again_forgets_the_answers() -> None:
    chat = answer_all(reporter())
    chat.press("Start again").expect("in immediate danger?")
    assert ReprisalAnswers.of(chat.session) == ReprisalAnswers()
    assert not (chat.session.draft or {})
    chat.press("No")
    assert not [label for label in chat.labels if label.startswith("✓")]


# --------------------------------------------------------------------------- typed text


def test_the_document_holds_only_what_was_asked() -> None:
    chat = reporter().press("No")
    chat.send(f"{CANARY} was beaten")  # typed where buttons are expected: not kept
    chat.press("Physical attack")
    done(chat, 1)
    chat.send("March 2026")
    chat.send("the police of L1")  # typed on a button step: a hint, nothing kept
    chat.press("Non-state actors").press("The Universal Periodic Review")
    done(chat, 1)
    chat.send(f"the one who met {CANARY}").expect("Careful")  # a name: warned, not kept
    chat.press("I will answer again with placeholders")
    chat.send("Working Group on Arbitrary Detention")
    for answer in ("Yes", "No", "Yes"):
        chat.press(answer)
    text = the_document(chat)
    assert CANARY not in text and "beaten" not in text and "police of" not in text
    assert "Working Group on Arbitrary Detention" in text
    assert all(p in text for p in ("V1", "P1", "L1"))
    assert CANARY not in str(chat.session.model_dump())


def test_a_month_that_cannot_be_read_gets_a_polite_hint() -> None:
    chat = reporter().press("No").press("Smear campaign")
    done(chat, 1)
    chat.send("last spring").expect("could not read that as a month and year",
                                    "November 2026", "11/2026")
    assert chat.session.state == "reprisal.when" and "Prefer not to say" in chat.labels
    chat.send("December 2026").expect("December 2026 has not come yet")
    chat.send("2026-11").expect("Who do you believe is responsible?")


def test_an_overlong_expert_answer_is_refused() -> None:
    chat = reporter().press("No").press("Smear campaign")
    done(chat, 1).press("Prefer not to say").press("Unknown").press("A treaty body")
    done(chat, 1)
    chat.send("x" * (EXPERT_MAX + 1)).expect("at most 200 characters")
    assert chat.session.state == "reprisal.expert"


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("en", "March 2026", "2026-03"),
        ("en", "Mar 2026", "2026-03"),
        ("en", "march, 2026", "2026-03"),
        ("fr", "mars 2026", "2026-03"),
        ("fr", "février 2025", "2025-02"),
        ("fr", "fevrier 2025", "2025-02"),
        ("es", "marzo de 2026", "2026-03"),
        ("es", "septiembre 2024", "2024-09"),
        ("en", "03/2026", "2026-03"),
        ("en", "3/2026", "2026-03"),
        ("en", "2026-03", "2026-03"),
        ("en", "November 2026", "2026-11"),  # this month is not the future
    ],
)
def test_month_and_year_are_read_in_each_language(lang: str, text: str, value: str) -> None:
    assert parse_when(text, view(lang)) == Parsed(ok=True, value=value)


@pytest.mark.parametrize("text", ["December 2026", "01/2027", "2030-05", "janvier 2027"])
def test_a_month_in_the_future_is_refused(text: str) -> None:
    parsed = parse_when(text, view())
    assert not parsed.ok and parsed.error is not None and "has not come yet" in parsed.error


@pytest.mark.parametrize(
    "text", ["", "yesterday", "March", "2026", "March 15", "13/2026", "Karim 2026", "32 mars"]
)
def test_junk_is_refused_with_a_hint(text: str) -> None:
    parsed = parse_when(text, view("fr"))
    assert not parsed.ok and parsed.error is not None
    assert "could not read" in parsed.error
    assert parsed.error_values == {"example": "novembre 2026", "numeric": "11/2026"}


@pytest.mark.parametrize(
    ("text", "ok"),
    [("x", True), (" Special  Rapporteur ", True), ("y" * EXPERT_MAX, True),
     ("   ", False), ("y" * (EXPERT_MAX + 1), False)],
)
def test_expert_answer_length(text: str, ok: bool) -> None:
    parsed = parse_expert(text, view())
    assert parsed.ok is ok
    if ok:
        assert parsed.value == " ".join(text.split())


@pytest.mark.parametrize(
    ("today", "deadline"),
    [
        (date(2027, 4, 14), date(2027, 4, 15)),
        (date(2027, 4, 15), date(2027, 4, 15)),
        (date(2027, 4, 16), date(2028, 4, 15)),
        (date(2026, 12, 31), date(2027, 4, 15)),
        (date(2027, 1, 1), date(2027, 4, 15)),
    ],
)
def test_next_sg_deadline(today: date, deadline: date) -> None:
    assert next_sg_deadline(today) == deadline


@pytest.mark.parametrize(
    ("today", "line"),
    [
        (date(2027, 4, 15), "Next deadline for the Secretary-General's report: April 15, 2027, "
                            "today."),
        (date(2027, 4, 14), "Next deadline for the Secretary-General's report: April 15, 2027, "
                            "in 1 day."),
        # The day after, that period's deadline has passed (January 2027 is in it).
        (date(2027, 4, 16), "whose deadline for the Secretary-General's report, April 15, "
                            "2027, has passed."),
    ],
)
def test_the_days_left_are_counted_from_today(today: date, line: str) -> None:
    chat = answer_all(reporter(today=today), ("No", "No", "Yes"), when="January 2027")
    assert line in the_document(chat)
    if "has passed" in line:  # in short first, in full one press away
        chat.expect("This incident's deadline for the Secretary-General's report has passed")
        chat = more(chat)
    chat.expect(line)


def test_the_deadline_and_months_are_in_the_readers_language() -> None:
    v = view("fr", sg="yes", what=["travel"])
    document = report(v.model_copy(update={"draft": {"rp_when": "2026-10"}}))
    assert document is not None
    assert "15 avril 2027" in document.text and "octobre 2026" in document.text
    es = report(view("es", sg="yes").model_copy(update={"draft": {"rp_when": "2026-10"}}))
    assert es is not None and "15 de abril de 2027" in es.text and "octubre de 2026" in es.text


def test_no_consent_no_document() -> None:
    assert report(view(confidential="no", public="no", sg="no")) is None
    assert report(view()) is None


# --------------------------------------------------------------------------- every screen


def _walk(lang: str, channel: str, consents: tuple[str, str, str]) -> Chat:
    chat = reporter(lang, channel)
    t = translator(lang)
    chat.press(t("Yes, someone is in danger now")).press(t("Continue"))
    for label in ("Threats or intimidation", "Online harassment", "Harm to family"):
        chat.press(t(label))
    chat.press(t.n(("Done ({count} chosen)", "Done ({count} chosen)"), 3))
    chat.send("zzz")  # a hint screen
    chat.send("03/2026")
    chat.press(t("Non-state actors"))
    chat.press(t("An expert's country visit")).press(t("The Universal Periodic Review"))
    chat.press(t.n(("Done ({count} chosen)", "Done ({count} chosen)"), 2))
    chat.send("y" * (EXPERT_MAX + 5))  # an error screen
    chat.send("Special Rapporteur on freedom of expression")
    for answer in consents:
        chat.press(t(answer))
    chat.press(t("Emergency support")).press(t("Back"))
    return chat


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
@pytest.mark.parametrize("channel", ["terminal", "telegram"])
@pytest.mark.parametrize("consents", [("Yes", "Yes", "Yes"), ("No", "No", "No")])
def test_every_screen_has_quick_exit_and_fits_a_message(
    lang: str, channel: str, consents: tuple[str, str, str]
) -> None:
    chat = _walk(lang, channel, consents)
    exit_label = translator(lang)("Quick exit")
    screens = chat.history[3:]  # after the notice, the language choice and the menu
    assert len(screens) >= 15
    for replies in screens:
        assert any(b.label == exit_label for r in replies for row in r.buttons for b in row)
        assert all(len(r.text) < 4000 and len(r.text) < TELEGRAM_TEXT_LIMIT for r in replies)
    assert chat.session.state == "reprisal.result"


def test_quick_exit_from_the_result_forgets_everything() -> None:
    chat = answer_all(reporter())
    chat.press("Quick exit")
    assert chat.text == "Closed." and chat.buttons == []
    assert chat.session.answers == {} and not chat.session.draft


def test_the_experts_contact_promises_no_address_on_a_page_that_may_not_exist() -> None:
    # 22 of the 63 mandates have no confirmed OHCHR page here (flows/data/mandates.json).
    chat = answer_all(reporter(), when="October 2026")
    chat.expect("where its OHCHR page gives one").expect_not("listed on its OHCHR page")
