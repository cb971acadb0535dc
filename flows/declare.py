"""The flow author's vocabulary, in one import.

A flow declares, in one module, what it asks, what it remembers and where each
answer leads:

- `Answers`: what the flow remembers, a pydantic model of its own; read it
  elsewhere with `MyAnswers.of(session_or_view)`, never by a string.
- Step kinds, each a type: `One` (one button), `YesNo`, `Many` (several, then
  Done), `Text` (typed text read by a parser), `Date` (a coming date), `Screen`
  (something to read, with Next or a few buttons). `Step` is their common base
  and what the engine compiles.
- `Choice` (a button), `Go` (a conditional destination), `Cond` (a named
  condition: the diagrams print its name), `Command`, `Flow`.
- A text that differs by channel is data: `text={"telegram": ..., "terminal": ...}`;
  one that carries a value is filled by `values=lambda view: {...}`.
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from flows.dates import parse_date
from flows.i18n import N_
from flows.model import (
    Answers,
    Choice,
    Command,
    Cond,
    Flow,
    Go,
    Parse,
    Parsed,
    Step,
    View,
)

__all__ = [
    "Answers",
    "Choice",
    "Command",
    "Cond",
    "Date",
    "Flow",
    "Go",
    "Many",
    "One",
    "Screen",
    "Step",
    "Text",
    "YesNo",
    "parse_coming_date",
]

YES, NO, NEXT = N_("Yes"), N_("No"), N_("Next")
BAD_DATE = N_(
    "I could not read “{text}” as a date. Please type it like 15 March 2027 or 15/03/2027 "
    "(day first), or press Skip."
)
PAST_DATE = N_("{date} has already passed. Type the coming date that matters, or press Skip.")
MAX_ECHO = 30  # how much of an unreadable date is quoted back


def parse_coming_date(text: str, view: View) -> Parsed:
    """A date typed in any shipped language, today or later (ISO text)."""
    echo = " ".join(text.split())[:MAX_ECHO]
    value = parse_date(text, view.today)
    if value is None:
        return Parsed(error=BAD_DATE, error_values={"text": echo})
    if value < view.today:
        return Parsed(error=PAST_DATE, error_values={"date": view.t.date(value)})
    return Parsed(ok=True, value=value.isoformat())


def _storing(field: str, choices: list[Choice]) -> list[Choice]:
    """Each choice stores its own id in `field` (its `set` may add to or override it)."""
    return [c.model_copy(update={"set": {field: c.id, **c.set}}) for c in choices]


class One(Step):
    """A question answered by one button. With `field`, the id of the button pressed
    is stored in that field of the flow's answers."""

    field: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("field"):
            data = {**data, "choices": _storing(data["field"], list(data.get("choices", [])))}
        return data


class YesNo(One):
    """Yes or No, stored as "yes"/"no" in `field`; `yes` and `no` say where each leads
    (or `to` for both)."""

    yes: str | list[Go] | None = None
    no: str | list[Go] | None = None

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if isinstance(data, dict):
            to = data.get("to")
            buttons = [
                Choice(id="yes", label=YES, to=data.get("yes", to)),
                Choice(id="no", label=NO, to=data.get("no", to)),
            ]
            data = {**data, "choices": [*buttons, *data.get("choices", [])]}
            if data.get("field"):
                data["choices"] = [
                    *_storing(data["field"], data["choices"][:2]),
                    *data["choices"][2:],
                ]
        return data


class Many(Step):
    """Several buttons, each pressed on or off, then Done: the ids pressed, in order,
    are stored in `field`; Done leads to `to`."""

    field: str

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("field"):
            data = {**data, "multi": data["field"]}
        return data


class Text(Step):
    """Typed text, read by `parse` and stored in `field` ("draft.x": in the draft,
    which is stored apart and expires sooner). `free_text` marks an answer that may
    identify people. Its buttons (Skip…) are ordinary choices."""

    field: str
    parse: Parse | None = None

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("field"):
            data = {**data, "ask": data["field"]}
        return data


class Date(Text):
    """A coming date, typed in any shipped language, stored in `field`."""

    parse: Parse | None = parse_coming_date


class Screen(Step):
    """Something to read. With `next`, a Next button leads there; other buttons are
    ordinary choices."""

    next: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("next"):
            button = Choice(id="next", label=NEXT, to=data["next"])
            data = {**data, "choices": [button, *data.get("choices", [])]}
        return data
