"""`/help`: the commands, generated from the engine's own table (every flow's declared
commands, handed over in the view) so it cannot drift."""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Choice, Command, Flow, Step, View

INTRO = N_(
    "I help you choose which UN human rights experts to write to, and how. "
    "Use the buttons; you never need to type names. These commands work at any time:"
)


def commands(view: View) -> list[str]:
    t = view.t
    lines = [t(INTRO), ""]
    lines += [f"/{name} — {t(description)}" for name, description in view.commands]
    return ["\n".join(lines)]


HELP = Flow(
    name="help",
    title=N_("Help"),
    commands=[
        Command("help", "main", N_("this list")),
    ],
    steps=[
        Step(
            id="main",
            render=commands,
            choices=[Choice(id="about", label=N_("About this bot"), to="about.main")],
        ),
    ],
)
