"""About this bot: what it is, what it does not do, where its knowledge comes from."""

from __future__ import annotations

from flows.catalog import FACT_AS_OF, say
from flows.declare import Screen
from flows.i18n import N_
from flows.model import Flow, View

ABOUT_TEXT = N_(
    "sp-advisor is a free, open-source guide for human rights defenders who want the "
    "UN Special Procedures, the UN's independent human rights experts, to act on a case.\n\n"
    "It helps you choose which experts to write to and explains their rules. It gives "
    "advice only: it never sends anything to the UN or to anyone else, and it is not "
    "part of the UN. It is not legal advice.\n\n"
    "Its knowledge comes mainly from the guide of the International Service for Human "
    "Rights (ISHR), A Practical Guide to the UN Special Procedures (2025), and from "
    "OHCHR pages. "
    "Each fact keeps its source in the project's data."
)


def about(view: View) -> list[str]:
    return [view.t(ABOUT_TEXT) + "\n\n" + say(view.t, FACT_AS_OF)]


ABOUT = Flow(name="about", title=N_("About this bot"), steps=[Screen(id="main", render=about)])
