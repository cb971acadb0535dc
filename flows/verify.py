"""/verify: is this the real bot? The operator publishes the phrase elsewhere."""

from __future__ import annotations

from flows.declare import Screen
from flows.i18n import N_
from flows.model import Command, Flow, View

USERNAME = N_("The official bot is @{username}. Check the spelling letter by letter.")
PHRASE = N_(
    "The operator's verification phrase is: “{phrase}”. It must match the phrase they "
    "publish elsewhere, for example on their website."
)
NO_PHRASE = N_(
    "The operator of this bot has not set a verification phrase. Ask them how to check "
    "that this bot is theirs."
)
TERMINAL = N_(
    "You are running this program yourself, on this computer. Make sure you got it from "
    "the project's official source."
)
IMPOSTORS = N_(
    "How to spot an impostor:\n"
    "• Look-alike usernames: an extra letter, swapped characters, or “official” added.\n"
    "• A genuine advisor never asks for names, documents or phone numbers.\n"
    "• A bot can write to you only after you have started a chat with it, and this one "
    "writes on its own only to send a reminder you asked for. If an account you never "
    "started a chat with contacts you as “the bot”, it is not this one."
)


def verification(view: View) -> list[str]:
    t = view.t
    lines = []
    if view.channel == "telegram":
        if view.meta.get("bot_username"):
            lines.append(t(USERNAME, username=view.meta["bot_username"]))
        phrase = view.meta.get("verify_phrase")
        lines.append(t(PHRASE, phrase=phrase) if phrase else t(NO_PHRASE))
    else:
        lines.append(t(TERMINAL))
    lines.append(t(IMPOSTORS))
    return ["\n\n".join(lines)]


VERIFY = Flow(
    name="verify",
    title=N_("Is this bot genuine?"),
    commands=[
        Command("verify", "main", N_("check that this bot is the real one")),
    ],
    steps=[Screen(id="main", render=verification)],
)
