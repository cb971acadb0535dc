"""Every flow the bot ships, compiled once into the shared engine."""

from __future__ import annotations

from flows.about import ABOUT
from flows.engine import Engine
from flows.help import HELP
from flows.language import LANGUAGE
from flows.mandate import MANDATE
from flows.menu import MENU
from flows.model import Flow
from flows.start import START

FLOWS: list[Flow] = [START, LANGUAGE, MENU, MANDATE, ABOUT, HELP]
ENGINE = Engine(FLOWS)
