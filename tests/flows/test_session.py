"""What a session remembers: each flow's typed answers, and sessions stored by an
older version (one flat dict of slots) opened with what they held."""

from __future__ import annotations

import json
from datetime import date, datetime

from flows.consent import ConsentAnswers
from flows.mandate import MandateAnswers
from flows.model import Reminder, Session
from flows.reminders import ReminderAnswers
from flows.reprisal import ReprisalAnswers
from flows.safety import SafetyAnswers
from flows.urgency import UrgencyAnswers
from tests.flows.chat import Chat

OLD = {
    "state": "urgency.date",
    "history": ["menu.main", "urgency.timing"],
    "slots": {
        "u_timing": "now",
        "u_now": ["detained", "missing"],
        "u_date": "2027-03-15",
        "c_n": 2,
        "c_victims": [{"gov": "yes"}, {}],
        "c_done": True,
        "rp_sg": "yes",
        "situations": ["detention"],
        "country": "IR",
        "tools": ["signal"],
        "autodelete": 3600,
        "r_last": "2027-01-01T08:00:00+00:00",
        "reminders": [{"kind": "database", "due": "2027-01-01T08:00:00+00:00"}],
        "_pending": "V1 was taken",
        "_pd_message": 7,
        "_offer": {"IR": "Iran"},
        "something_no_flow_knows": 1,
    },
    "locale": "fr",
    "screen": 12,
}


def test_an_older_session_opens_with_its_answers_in_each_flow() -> None:
    session = Session.model_validate_json(json.dumps(OLD))
    assert session.state == "urgency.date" and session.locale == "fr" and session.screen == 12
    urgency = UrgencyAnswers.of(session)
    assert urgency.timing == "now" and urgency.now == ["detained", "missing"]
    assert urgency.when == date(2027, 3, 15)
    consent = ConsentAnswers.of(session)
    assert consent.n == 2 and consent.done and consent.victims[0] == {"gov": "yes"}
    assert ReprisalAnswers.of(session).sg == "yes"
    assert MandateAnswers.of(session) == MandateAnswers(situations=["detention"], country="IR")
    assert SafetyAnswers.of(session) == SafetyAnswers(tools=["signal"])
    assert session.autodelete == 3600
    assert ReminderAnswers.of(session).last == datetime.fromisoformat("2027-01-01T08:00:00+00:00")
    assert session.reminders == [Reminder(kind="database", due="2027-01-01T08:00:00+00:00")]
    assert session.pending == "V1 was taken" and session.pd_message == 7
    assert session.offer == {"IR": "Iran"}
    assert "something_no_flow_knows" not in session.model_dump_json()


def test_answers_survive_storage_as_their_own_type() -> None:
    session = Session()
    UrgencyAnswers.of(session).timing = "law"
    ConsentAnswers.of(session).channels = ["proton"]
    stored = Session.model_validate_json(session.model_dump_json())
    assert UrgencyAnswers.of(stored) == UrgencyAnswers(timing="law")
    assert ConsentAnswers.of(stored).channels == ["proton"]


def test_answers_that_no_longer_validate_start_again_empty() -> None:
    stored = {"answers": {"urgency": {"timing": "someday", "seen": "lt3m"}}}
    session = Session.model_validate_json(json.dumps(stored))
    assert UrgencyAnswers.of(session) == UrgencyAnswers()


def test_start_again_forgets_every_answer_of_the_flow() -> None:
    chat = Chat()
    chat.start().press("Is it urgent?").press("Yes, now or very soon")
    chat.press("Someone is detained").press("Done (1 chosen)").press("No date")
    assert UrgencyAnswers.of(chat.session).now == ["detained"]
    chat.press("Start again").expect("Is it happening now")
    assert UrgencyAnswers.of(chat.session) == UrgencyAnswers()


def test_the_auto_delete_delay_kept_among_safety_answers_moves_to_the_session() -> None:
    session = Session.model_validate({"answers": {"safety": {"autodelete": 86400}}})
    assert session.autodelete == 86400
