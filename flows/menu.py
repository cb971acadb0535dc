"""The main menu: only what works."""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Choice, Command, Flow, Step

MENU = Flow(
    name="menu",
    title=N_("Main menu"),
    commands=[
        Command("menu", "main", N_("the main menu")),
    ],
    steps=[
        Step(
            id="main",
            text=N_("What would you like to do?"),
            back=False,
            choices=[
                Choice(id="mandate", label=N_("Find the right UN expert"), to="mandate"),
                Choice(id="reprisal", label=N_("Report a reprisal"), to="reprisal.danger"),
                Choice(id="urgency", label=N_("Is it urgent?"), to="urgency"),
                Choice(id="submission", label=N_("Prepare a submission"), to="submission"),
                Choice(id="safety", label=N_("Safety"), to="safety.main"),
                Choice(id="learn", label=N_("Learn how the UN experts work"), to="learn.topics"),
                Choice(id="language", label=N_("Language"), to="language.choose"),
                Choice(id="about", label=N_("About this bot"), to="about.main"),
            ],
        ),
    ],
)
