"""Safety: what this chat is, which channels to use, auto-delete, delete everything,
and what to do if a phone is taken. (Quick exit is the engine's, on every screen.)"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from flows.catalog import say
from flows.declare import Many, Screen
from flows.i18n import N_
from flows.model import (
    Answers,
    Change,
    Channel,
    Choice,
    Command,
    Cond,
    Flow,
    Session,
    SetAutoDelete,
    Step,
    View,
    Wipe,
)

ONLINE_FORM = "https://spsubmission.ohchr.org/"
AUTODELETE_CHOICES: tuple[tuple[str, str, int | None], ...] = (
    ("off", N_("Off"), None),
    ("1h", N_("After 1 hour"), 3600),
    ("24h", N_("After 24 hours"), 86400),
)

INTRO = N_("Safety. Choose what you want to know or do:")
CHANNEL: dict[Channel, str] = {
    "telegram": N_(
        "This is a Telegram cloud chat. It is not end-to-end encrypted: Telegram keeps it "
        "on its servers, and whoever runs this bot can read what you send here.\n\n"
        "Telegram's secret chats are end-to-end encrypted, but bots cannot use them.\n\n"
        "This bot can delete messages of this chat only during the first 48 hours. After "
        "that, only you can delete them.\n\n"
        "So: no names, places, phone numbers or documents here. Those belong in the OHCHR "
        "online form, Proton Mail or Signal."
    ),
    "terminal": N_(
        "This conversation runs on this computer and is not sent anywhere. What you answer "
        "is kept sealed in this program's data folder, with the key file beside it: anyone "
        "who can open that folder could read it.\n\n"
        "Your terminal may also keep what was shown on screen. Quick exit clears the screen; "
        "Delete everything removes what was stored."
    ),
}
ASK_TOOLS = N_(
    "Which of these can you use safely? Press every one that applies, then Done."
)
TOOLS: tuple[tuple[str, str], ...] = (
    ("signal", N_("Signal")),
    ("proton", N_("Proton Mail")),
    ("email", N_("Ordinary e-mail")),
    ("none", N_("None of these")),
)
ADVICE_ALWAYS = N_(
    "Never send documents or photos to this bot. Send names, places and documents only "
    "through the OHCHR online form ({url}) or encrypted mail."
)
ADVICE_PROTON = N_(
    "Between Proton Mail accounts, the message and attachments are end-to-end encrypted, "
    "but the subject line and who wrote to whom are not: put no names in the subject. Some "
    "UN experts use Proton Mail: ask OHCHR staff for a secure address or channel before you "
    "send details."
)
ADVICE_SIGNAL = N_(
    "Use Signal, with disappearing messages on, to coordinate with partner organisations. "
    "Some UN experts use Signal too: ask OHCHR staff for a secure channel."
)
ADVICE_EMAIL = N_(
    "Ordinary e-mail is not end-to-end encrypted: your provider, and anyone who gets into "
    "the account, can read it. Do not send names or documents by ordinary e-mail: use the "
    "online form instead."
)
ADVICE_NONE = N_(
    "Without Signal or Proton Mail, use the online form. You can also ask a partner "
    "organisation to submit on your behalf: that keeps your identity further from the "
    "government."
)
# What the providers' own documentation says, in flows/data/facts_channels.json.
CHANNEL_FACTS = {"proton": "proton_outside", "signal": "signal_number"}
ADVICE_TOOLS = {"signal": ADVICE_SIGNAL, "proton": ADVICE_PROTON, "email": ADVICE_EMAIL,
                "none": ADVICE_NONE}
AUTODELETE = N_(
    "Auto-delete: this bot deletes the messages of this chat, yours and its own, once they "
    "are this old. It is off unless you turn it on. It always stays within the 48 hours in "
    "which Telegram lets a bot delete messages."
)
WIPE_CONFIRM: dict[Channel, str] = {
    "telegram": N_(
        "Delete everything? This deletes every message of this chat that the bot can still "
        "delete (those from the last 48 hours), and every answer, draft, reminder and "
        "setting stored for you, including your language. It cannot be undone."
    ),
    "terminal": N_(
        "Delete everything? This deletes every answer, draft, reminder and setting stored "
        "for you in this program's data folder, including your language. It cannot be undone."
    ),
}
PHONE: dict[Channel, str] = {
    "telegram": N_(
        "If your phone might be taken or checked:\n\n"
        "• Delete this chat from Telegram, or use Delete everything first.\n"
        "• Set a passcode on your phone and turn on Telegram's own passcode lock in its "
        "privacy settings.\n"
        "• Telegram has its own auto-delete timer for a chat. Only you can set it, in the "
        "chat's menu.\n"
        "• In Telegram's settings, check the list of devices and end the sessions you do not "
        "recognise.\n"
        "• Keep copies of your documents offline, somewhere safe, not in this chat."
    ),
    "terminal": N_(
        "If this computer might be taken or checked:\n\n"
        "• Use Delete everything, then delete the program's data folder.\n"
        "• Close the terminal and clear its history.\n"
        "• Use a password and disk encryption on the computer.\n"
        "• Keep copies of your documents offline, somewhere safe."
    ),
}


class SafetyAnswers(Answers):
    flow = "safety"

    tools: list[str] = Field(default_factory=list)  # the channels the person can use (TOOLS ids)


def remember_autodelete(seconds: int | None) -> Change:
    """Keep the auto-delete delay chosen in the session, beside the store's own setting,
    so that the screen shows what the chat has, even after a quick exit."""

    def do(session: Session, view: View) -> None:
        session.autodelete = seconds

    return do


on_telegram = Cond("on Telegram", lambda view: view.channel == "telegram")


def _set_delete_answers(on: bool) -> Change:
    def do(session: Session, view: View) -> None:
        session.delete_answers = on

    return do


# Where typed answers are asked, the first screen offers this setting (on by default
# there: the flow declares `delete_answers=True`).
DELETE_ANSWERS_CHOICES = [
    Choice(id="del_on", label=N_("Delete my answers from the chat after reading: on"),
           do=_set_delete_answers(False),
           when=Cond("on Telegram, answers deleted",
                     lambda view: view.channel == "telegram" and view.delete_answers is not False)),
    Choice(id="del_off", label=N_("Delete my answers from the chat after reading: off"),
           do=_set_delete_answers(True),
           when=Cond("on Telegram, answers kept",
                     lambda view: view.channel == "telegram" and view.delete_answers is False)),
]


def advice(view: View) -> list[str]:
    t = view.t
    chosen = SafetyAnswers.of(view).tools
    paragraphs = [t(ADVICE_ALWAYS, url=ONLINE_FORM)]
    for tool, _ in TOOLS:
        if tool in chosen:
            paragraphs.append(t(ADVICE_TOOLS[tool]))
            if tool in CHANNEL_FACTS:
                paragraphs.append(say(t, CHANNEL_FACTS[tool]))
    return ["\n\n".join(paragraphs)]


def _autodelete_is(seconds: int | None) -> Callable[[View], bool]:
    def checked(view: View) -> bool:
        return view.autodelete == seconds

    return checked


SAFETY = Flow(
    name="safety",
    title=N_("Safety"),
    commands=[
        Command("safety", "main", N_("safety: what this chat is, deleting, quick exit")),
        Command("wipe", "wipe", N_("delete everything: messages and stored answers")),
        Command("exit", None, N_("quick exit: close at once and delete recent messages")),
    ],
    answers=SafetyAnswers,
    steps=[
        Step(
            id="main",
            text=INTRO,
            choices=[
                Choice(id="channel", label=N_("What this chat is"), to="channel"),
                Choice(id="tools", label=N_("Which channels to use"), to="tools"),
                Choice(id="auto", label=N_("Auto-delete"), to="autodelete", when=on_telegram),
                Choice(id="wipe", label=N_("Delete everything"), to="wipe"),
                Choice(id="phone", label=N_("If your phone is taken"), to="phone"),
                Choice(id="verify", label=N_("Is this bot genuine?"), to="verify.main"),
            ],
        ),
        Screen(id="channel", text=CHANNEL),
        Many(
            id="tools",
            text=ASK_TOOLS,
            field="tools",
            to="advice",
            choices=[Choice(id=tool, label=label) for tool, label in TOOLS],
        ),
        Screen(id="advice", render=advice),
        Step(
            id="autodelete",
            text=AUTODELETE,
            choices=[
                Choice(
                    id=cid,
                    label=label,
                    do=remember_autodelete(seconds),
                    checked=_autodelete_is(seconds),
                    effects=[SetAutoDelete(seconds=seconds)],
                    when=on_telegram,
                )
                for cid, label, seconds in AUTODELETE_CHOICES
            ],
        ),
        Step(
            id="wipe",
            text=WIPE_CONFIRM,
            choices=[
                Choice(id="yes", label=N_("Yes, delete everything"), effects=[Wipe()]),
                Choice(id="no", label=N_("No, keep everything"), to="main"),
            ],
        ),
        Screen(id="phone", text=PHONE),
    ],
)
