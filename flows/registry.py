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

# The order of the README's diagrams and of /help's commands (each flow declares its
# own): the way a person usually goes, from the notice to the submission.
FLOWS: list[Flow] = [
    START,
    MENU,
    LANGUAGE,
    MANDATE,
    URGENCY,
    CONSENT,
    SUBMISSION,
    REPRISAL,
    LEARN,
    SAFETY,
    VERIFY,
    REMINDERS,
    ABOUT,
    HELP,
]
ENGINE = Engine(FLOWS)
