"""The first screen: what this chat is, before anything else is said."""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Choice, Command, Flow, SetAutoDelete, Step
from flows.safety import on_telegram, remember_autodelete

NOTICE_TELEGRAM = N_(
    "Before we start, a word on safety.\n\n"
    "This Telegram chat is not end-to-end encrypted: Telegram and whoever runs this bot "
    "can read it. Whoever runs it also sees your Telegram account: its number (ID), your "
    "name and your @username.\n\n"
    "Type no names, places or anything that identifies a person: these belong in the OHCHR "
    "online form, Proton Mail or Signal.\n\n"
    "This chat stays in your Telegram chat list until you delete it."
)
NOTICE_TERMINAL = N_(
    "Before we start, a word on safety.\n\n"
    "This conversation stays on this computer, in this program's data folder. "
    "Anyone who can open that folder and its key file could read it.\n\n"
    "Even so, you do not need to type names or places: the advice works without them."
)


START = Flow(
    name="start",
    title=N_("Safety notice"),
    commands=[
        Command("start", "notice", N_("begin again, with the safety notice")),
    ],
    home=False,
    steps=[
        Step(
            id="notice",
            text={"telegram": NOTICE_TELEGRAM, "terminal": NOTICE_TERMINAL},
            back=False,
            choices=[
                Choice(id="ok", label=N_("I understand, continue"), to="language.choose"),
                # Offered here, before anything is said, because it only protects what
                # comes after it.
                *(
                    Choice(
                        id=f"ok{cid}",
                        label=label,
                        to="language.choose",
                        do=remember_autodelete(seconds),
                        effects=[SetAutoDelete(seconds=seconds)],
                        when=on_telegram,
                    )
                    for cid, label, seconds in (
                        ("1h", N_("Continue, auto-delete after 1 hour"), 3600),
                        ("24h", N_("Continue, auto-delete after 24 hours"), 86400),
                    )
                ),
            ],
        ),
    ],
)
