"""Choosing the language of the conversation (also `/language`)."""

from __future__ import annotations

from collections.abc import Callable

from flows.i18n import N_, NATIVE_NAMES, SHIPPED
from flows.model import Change, Choice, Command, Flow, Session, Step, View


def _set_locale(code: str) -> Change:
    def do(session: Session, view: View) -> None:
        session.locale = code

    return do


def _is_current(code: str) -> Callable[[View], bool]:
    def checked(view: View) -> bool:
        return bool(view.t.locale == code)

    return checked


LANGUAGE = Flow(
    name="language",
    title=N_("Language"),
    commands=[
        Command("language", "choose", N_("choose another language")),
    ],
    steps=[
        Step(
            id="choose",
            text=N_("Choose your language. You can change it at any time with /language."),
            columns=2,
            choices=[
                Choice(
                    id=code,
                    # A language's own name is never translated.
                    label=NATIVE_NAMES[code],
                    do=_set_locale(code),
                    checked=_is_current(code),
                    to="menu.main",
                )
                for code in SHIPPED
            ],
        ),
    ],
)
