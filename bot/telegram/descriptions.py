"""What a person sees before pressing Start: the bot's description (on the empty
chat screen, at most 512 characters) and short description (on its profile and
in shared links, at most 120), per shipped language.

They carry the essentials of the safety notice, because someone may read them on
a phone that is later searched: the chat is not end-to-end encrypted; names,
places and documents do not belong here; the bot never sends anything to the UN;
the OHCHR online form is the place for details. The short one has room only for
the first two.

The adapter sends them with setMyDescription / setMyShortDescription: English
without a language code (Telegram's default for every other language), and each
other language with its code.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.i18n import DEFAULT, N_, SHIPPED, translator

__all__ = [
    "DESCRIPTION",
    "DESCRIPTION_LIMIT",
    "SHORT_DESCRIPTION",
    "SHORT_DESCRIPTION_LIMIT",
    "BotDescription",
    "bot_descriptions",
]

# Telegram's limits (Bot API setMyDescription, setMyShortDescription).
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120

DESCRIPTION = N_(
    "Advice for human rights defenders who want the UN Special Procedures (the UN's "
    "independent human rights experts) to act on a case: which experts to write to, how "
    "urgent it is, how to stay safe.\n\n"
    "This chat is not end-to-end encrypted: Telegram and whoever runs this bot can read "
    "it. Do not send names, places or documents here: they belong in the OHCHR online "
    "form. This bot never sends anything to the UN and is not part of the UN."
)
SHORT_DESCRIPTION = N_(
    "Advice on the UN Special Procedures. Not end-to-end encrypted: send no names, places "
    "or documents here."
)


@dataclass(frozen=True, slots=True)
class BotDescription:
    # None for the default (English): sent without a language code.
    language_code: str | None
    description: str
    short_description: str


def bot_descriptions() -> list[BotDescription]:
    """One per shipped language, the default first."""
    out: list[BotDescription] = []
    for locale in SHIPPED:
        t = translator(locale)
        out.append(
            BotDescription(
                language_code=None if locale == DEFAULT else locale,
                description=t(DESCRIPTION),
                short_description=t(SHORT_DESCRIPTION),
            )
        )
    return out
