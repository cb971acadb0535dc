"""The emergency support that is not the UN: the experts cannot give physical
protection, and who can help at once. Shown where a life is at stake: Report a
reprisal, the urgency answer and the finder's answer."""

from __future__ import annotations

from flows.catalog import say
from flows.model import View

FACT_NO_PROTECTION = "reprisal_no_physical_protection"
EMERGENCY_FACTS = (
    "emergency_front_line_defenders",
    "emergency_protectdefenders_eu",
    "emergency_access_now",
)


def emergency(view: View) -> list[str]:
    t = view.t
    orgs = ["• " + say(t, fact_id) for fact_id in EMERGENCY_FACTS]
    return ["\n\n".join([say(t, FACT_NO_PROTECTION), *orgs])]
