"""Every flow the bot ships, compiled once into the shared engine."""

from __future__ import annotations

from flows.about import ABOUT
from flows.consent import CONSENT
from flows.engine import Engine
from flows.help import HELP
from flows.language import LANGUAGE
from flows.learn import LEARN
from flows.mandate import MANDATE
from flows.menu import MENU
from flows.model import Flow
from flows.reminders import REMINDERS
from flows.reprisal import REPRISAL
from flows.safety import SAFETY
from flows.start import START
from flows.submission import SUBMISSION
from flows.urgency import URGENCY
from flows.verify import VERIFY

FLOWS: list[Flow] = [
    START,
    LANGUAGE,
    MENU,
    MANDATE,
    REPRISAL,
    URGENCY,
    CONSENT,
    SUBMISSION,
    SAFETY,
    VERIFY,
    LEARN,
    REMINDERS,
    ABOUT,
    HELP,
]
ENGINE = Engine(FLOWS)
