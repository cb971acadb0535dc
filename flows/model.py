"""Types shared by every room: what comes in, what goes out, what is remembered.

`flows/` is pure: these types carry no I/O and know nothing of Telegram.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    model_validator,
)

from flows.i18n import T

Channel = Literal["telegram", "terminal"]
# "edit": a message the person changed after sending it; checked like a new one, never
# read as an answer.
EventKind = Literal["text", "press", "command", "edit"]
ReminderKind = Literal["database", "sg_deadline", "date"]


class Event(BaseModel):
    """One thing the person did: typed text, pressed a button, or sent a /command."""

    model_config = ConfigDict(frozen=True)

    user: str  # a pseudonym, never a Telegram id
    kind: EventKind
    payload: str
    language: str | None = None  # IETF tag from the client, e.g. Telegram's language_code
    channel: Channel = "terminal"
    update_id: int | None = None
    message_id: int | None = None  # the person's message in the chat, if any
    # The adapter's clock, so that flows stay pure functions of the event.
    today: date = Field(default_factory=lambda: datetime.now(UTC).date())
    # What the adapter knows of itself that flows may show: e.g. the bot's
    # username and the operator's verification phrase for /verify.
    meta: dict[str, str] = Field(default_factory=dict)


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # short: Telegram callback data is at most 64 bytes
    label: str


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    text: str


class Reply(BaseModel):
    text: str
    buttons: list[list[Button]] = Field(default_factory=list)
    document: Document | None = None
    # Replace the message whose button was pressed instead of sending a new one
    # (multi-select toggles), so the chat does not fill with copies.
    edit: bool = False
    # Shown instead of `text` when a deletion asked for in the same outcome could not
    # be done (refused by Telegram, or too old): a reply never claims a deletion that
    # did not happen. The adapter decides which, once the deletion has ended.
    alt: str | None = None


class Answers(BaseModel):
    """What one flow remembers: each flow declares a subclass with typed fields and
    names it on its `Flow(answers=...)`; `flow` is the name it is stored under.

    Read and change them through `UrgencyAnswers.of(session)` (or `.of(view)` to read
    in a screen), never by a string; "Start again" is `UrgencyAnswers.reset(session)`.
    Stored as JSON in the session and revalidated as the flow's own type the first
    time it is read: a field no longer declared is dropped, and answers that no
    longer validate start again empty.
    """

    # The base keeps whatever a stored session held until the flow's type reads it;
    # a flow's own type ignores unknown keys and checks every assignment.
    model_config = ConfigDict(extra="allow", validate_assignment=True)

    flow: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.model_config = {**cls.model_config, "extra": "ignore"}

    @classmethod
    def of(cls, holder: Session | View) -> Self:
        """This flow's answers in the session (changes stick) or the view (read only)."""
        found = holder.answers.get(cls.flow)
        if isinstance(found, cls):
            return found
        try:
            typed = cls.model_validate(found.model_dump() if found is not None else {})
        except ValidationError:
            typed = cls()
        holder.answers[cls.flow] = typed
        return typed

    @classmethod
    def reset(cls, session: Session) -> None:
        """Forget every answer of this flow ("Start again")."""
        session.answers.pop(cls.flow, None)


class Reminder(BaseModel):
    """One reminder the person asked for: which kind, and when (ISO, UTC)."""

    model_config = ConfigDict(frozen=True)

    kind: ReminderKind
    due: str


# Where older sessions kept answers in one flat dict of slots: a key's prefix (or the
# whole key) names the flow, the rest names the field.
LEGACY_PREFIXES = {"u_": "urgency", "c_": "consent", "rp_": "reprisal", "r_": "reminders"}
LEGACY_KEYS = {
    "u_date": ("urgency", "when"),
    "r_date": ("reminders", "when"),
    "situations": ("mandate", "situations"),
    "country": ("mandate", "country"),
    "tools": ("safety", "tools"),
}
ENGINE_SLOTS = {"_pending": "pending", "_pd_message": "pd_message", "_offer": "offer"}


def _from_slots(data: dict[str, Any]) -> dict[str, Any]:
    """A session stored before flows declared their answers, in today's fields."""
    data = dict(data)
    answers: dict[str, dict[str, Any]] = {}
    for key, value in data.pop("slots").items():
        if key in ENGINE_SLOTS:
            data.setdefault(ENGINE_SLOTS[key], value)
        elif key in ("reminders", "autodelete"):
            data.setdefault(key, value)
        elif key in LEGACY_KEYS:
            flow, name = LEGACY_KEYS[key]
            answers.setdefault(flow, {})[name] = value
        else:
            for prefix, flow in LEGACY_PREFIXES.items():
                if key.startswith(prefix):
                    answers.setdefault(flow, {})[key[len(prefix) :]] = value
    data.setdefault("answers", answers)
    return data


class Session(BaseModel):
    """Everything remembered about one person between updates. Stored sealed."""

    state: str = ""
    history: list[str] = Field(default_factory=list)
    # Each flow's answers, under the flow's name (see `Answers`).
    answers: dict[str, SerializeAsAny[Answers]] = Field(default_factory=dict)
    # Reminders the person asked for; the engine derives what to schedule or cancel.
    reminders: list[Reminder] = Field(default_factory=list)
    locale: str | None = None
    # Increases with every screen shown; buttons carry it, so a button from an
    # older message can be recognised as expired instead of acting out of place.
    # It starts at random, so that after a wipe or a purge (a new session) the
    # buttons left in the chat do not come back to life.
    screen: int = Field(default_factory=lambda: secrets.randbelow(1 << 31))
    # The answers of a submission being drafted. Stored apart from the session
    # (sealed, in its own table) because it expires much sooner: 48 hours after
    # the last answer, by default.
    draft: dict[str, Any] | None = None
    # Which anonymous counters this person already added to this ISO week, so each
    # counts people, not events: at most once per (flow, step, event) per week. Kept
    # here, sealed, instead of in any per-person table; the Advisor keeps it, not
    # the engine (a quick exit or "Start again" must not count the person twice).
    counted_week: str = ""
    counted: list[str] = Field(default_factory=list)
    # The engine's own memory, never a flow's: a text held back by a personal-data
    # warning until the person decides, the chat message that carried it, and the
    # close matches offered for a text that could not be read (value -> label).
    pending: str | None = None
    pd_message: int | None = None
    offer: dict[str, str] = Field(default_factory=dict)
    # What outlives a quick exit and "/start", because it lives in the store, not in
    # the conversation: whether this person has seen the safety notice, and the
    # auto-delete delay the chat has (seconds; None: off). `reminders` too.
    noticed: bool = False
    autodelete: int | None = None
    # On Telegram, delete each typed answer from the chat once it is read (the draft
    # keeps it): None until the person chooses, then each flow's default applies.
    delete_answers: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_older_sessions(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("slots"), dict):
            return _from_slots(data)
        if isinstance(data, dict) and "autodelete" not in data:
            # Sessions that kept the auto-delete delay among the safety answers.
            safety = (data.get("answers") or {}).get("safety")
            if isinstance(safety, dict) and safety.get("autodelete") is not None:
                data = {**data, "autodelete": safety["autodelete"]}
        return data

    def kept(self, *, screen: int) -> Session:
        """A fresh conversation that keeps what lives in the store (the reminders, the
        auto-delete delay), the language chosen and that the notice was seen."""
        return Session(
            screen=screen,
            locale=self.locale,
            reminders=list(self.reminders),
            autodelete=self.autodelete,
            noticed=self.noticed,
            delete_answers=self.delete_answers,
        )

    @property
    def flow(self) -> str:
        return self.state.split(".", 1)[0] if self.state else ""


class CountStat(BaseModel):
    """An anonymous counter increment: no user, no text, only where and what."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["count"] = "count"
    flow: str
    step: str
    event: str


class DeleteMessages(BaseModel):
    """Delete these messages of the chat (e.g. the one that held personal data)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["delete"] = "delete"
    message_ids: list[int]


class DeleteDraftMessages(BaseModel):
    """Delete the chat's messages since the draft began (its answers and document)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["delete_draft"] = "delete_draft"


class QuickExit(BaseModel):
    """Leave at once: delete the conversation's recent messages (or clear the screen)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["quick_exit"] = "quick_exit"


class Wipe(BaseModel):
    """Delete every message the bot can and every stored row of this person."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["wipe"] = "wipe"


class SetAutoDelete(BaseModel):
    """Delete this chat's messages once they are this old (None: off)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["autodelete"] = "autodelete"
    seconds: int | None


class AddReminder(BaseModel):
    """Write to this person once, on `due` (UTC), a neutral line of this kind. Only what
    the reminder needs is stored: the chat (sealed), when, which kind, the language."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["add_reminder"] = "add_reminder"
    reminder: ReminderKind
    due: datetime
    locale: str = "en"  # the language the reminder is written in


class CancelReminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["cancel_reminder"] = "cancel_reminder"
    reminder: ReminderKind
    due: datetime


Effect = Annotated[
    CountStat
    | DeleteMessages
    | DeleteDraftMessages
    | QuickExit
    | Wipe
    | SetAutoDelete
    | AddReminder
    | CancelReminder,
    Field(discriminator="kind"),
]


class Outcome(BaseModel):
    session: Session
    replies: list[Reply]
    effects: list[Effect] = Field(default_factory=list)


# --- Flow declarations -------------------------------------------------------
# A flow module declares its conversation with these; the engine compiles them
# into one state machine and does all the rendering, navigation and counting.
# Every callable is typed, so mypy --strict checks the flow modules.


class View(BaseModel):
    """What a flow's pure functions may look at: the answers so far and how to speak."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    answers: dict[str, Answers] = Field(default_factory=dict)  # read with `X.of(view)`
    reminders: list[Reminder] = Field(default_factory=list)
    t: T
    channel: Channel
    meta: dict[str, str] = Field(default_factory=dict)
    today: date = Field(default_factory=lambda: datetime.now(UTC).date())
    draft: dict[str, Any] = Field(default_factory=dict)
    autodelete: int | None = None  # the chat's auto-delete delay (seconds; None: off)
    delete_answers: bool | None = None  # see Session.delete_answers
    # Every command the engine knows, in /help's order: (name, description msgid).
    commands: list[tuple[str, str]] = Field(default_factory=list)


class Parsed(BaseModel):
    """The result of reading free text: a value, or a message and close matches."""

    model_config = ConfigDict(frozen=True)

    value: str | None = None
    ok: bool = False
    error: str | None = None  # msgid
    error_values: dict[str, str] = Field(default_factory=dict)
    suggestions: list[tuple[str, str]] = Field(default_factory=list)  # (value, label)


@dataclass(frozen=True)
class Cond:
    """A named condition on what the person answered (or where they are). The name is
    what the README diagrams print beside the arrow or the gate it guards."""

    name: str
    test: Callable[[View], bool]

    def __call__(self, view: View) -> bool:
        return self.test(view)


# A text shown on a step: one msgid, or one per channel (the advice differs between
# Telegram and the terminal).
Text = str | dict[Channel, str]
Change = Callable[[Session, View], None]  # a pure change to the session
Render = Callable[[View], list[str]]  # messages made from the answers
Parse = Callable[[str, View], Parsed]  # reads typed text


def text_for(text: Text, channel: Channel) -> str:
    return text if isinstance(text, str) else text[channel]


class Command(NamedTuple):
    """A /command: where it leads, and the line /help shows for it."""

    name: str
    step: str | None  # a step of the flow declaring it; None: the engine's own (quick exit)
    description: str  # msgid


class Go(BaseModel):
    """One possible destination, taken when `when` holds. A list of them is tried in
    order; the first that holds wins."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    to: str
    when: Cond | None = None


Value = str | int | bool | None


class Choice(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    label: str  # msgid
    # Where it leads: a step of this flow, "flow.step", or "flow" for its first step,
    # or a list of conditional destinations. None keeps the person on the same step.
    to: str | list[Go] | None = None
    set: dict[str, Value] = Field(default_factory=dict)  # answers to store when chosen
    do: Change | None = None  # a change the answers need computed when chosen
    when: Cond | None = None  # show the button only when this holds
    checked: Callable[[View], bool] | None = None  # show a check mark
    effects: list[Effect] = Field(default_factory=list)  # asked of the adapter when chosen


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    text: Text | None = None  # msgid (or one per channel)
    # Values filled into `text`'s {placeholders}, from the answers.
    values: Callable[[View], dict[str, object]] | None = None
    render: Render | None = None  # dynamic messages, after `text`
    choices: list[Choice] = Field(default_factory=list)
    multi: str | None = None  # field holding the set of pressed choices; Done leads to `to`
    ask: str | None = None  # field filled by free text read with `parse`
    parse: Parse | None = None
    to: str | list[Go] | None = None
    hint: str | None = None  # msgid shown when the person types where buttons are expected
    free_text: bool = False  # the step reads free text that may identify people
    enter: Change | None = None  # a change made on arriving here
    # Buttons made from the answers (e.g. one per reminder): options(view) gives
    # (value, label) pairs; pressing one calls pick(session, view, value) -> effects.
    options: Callable[[View], list[tuple[str, str]]] | None = None
    pick: Callable[[Session, View, str], list[Effect]] | None = None
    document: Callable[[View], Document | None] | None = None  # a file handed over
    back: bool = True
    columns: int = 1


class Flow(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    title: str  # msgid
    steps: list[Step]
    # What the flow remembers (a subclass of Answers whose `flow` is this name); the
    # names in `set`, `multi` and `ask` are its fields.
    answers: type[Answers] | None = None
    home: bool = True  # offer "Main menu" on its steps
    # On Telegram, typed answers are deleted from the chat once read, unless the person
    # turned that off (Session.delete_answers).
    delete_answers: bool = False
    # A gate: the flow can only be entered when this holds; otherwise the person is
    # taken to `redirect` instead, however they came.
    requires: Cond | None = None
    redirect: str | None = None
    # The commands that lead into this flow. /help lists every flow's commands, in
    # the order of the flows.
    commands: list[Command] = Field(default_factory=list)
