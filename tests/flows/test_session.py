"""Sessions stored by an older version open with what they held, in today's fields."""

from __future__ import annotations

import json

from flows.model import Session


def test_the_engine_memory_of_an_older_session_moves_to_its_fields() -> None:
    old = {
        "state": "urgency.date",
        "history": ["menu.main", "urgency.timing"],
        "slots": {"u_timing": "now", "_pending": "V1 was taken", "_pd_message": 7, "_offer": {}},
        "locale": "fr",
        "screen": 12,
    }
    session = Session.model_validate_json(json.dumps(old))
    assert session.pending == "V1 was taken"
    assert session.pd_message == 7
    assert session.offer == {}
    assert session.state == "urgency.date" and session.locale == "fr" and session.screen == 12
    assert "_pending" not in session.model_dump_json()
