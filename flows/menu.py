"""The main menu: only what works."""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Choice, Flow, Step

MENU = Flow(
    name="menu",
    title=N_("Main menu"),
    steps=[
        Step(
            id="main",
            text=N_("What would you like to do?"),
            back=False,
            choices=[
                Choice(id="mandate", label=N_("Find the right UN expert"), to="mandate"),
                Choice(id="language", label=N_("Language"), to="language.choose"),
                Choice(id="about", label=N_("About this bot"), to="about.main"),
            ],
        ),
    ],
)
