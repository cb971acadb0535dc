"""A person talking to the engine: send text, press a button by its label, read replies."""

from __future__ import annotations

from datetime import date

from flows.engine import Engine
from flows.model import Button, Channel, CountStat, Effect, Event, Reply, Session


class Chat:
    def __init__(
        self,
        *,
        engine: Engine | None = None,
        channel: Channel = "terminal",
        lang: str | None = None,
        user: str = "u1",
        today: date | None = None,
    ) -> None:
        if engine is None:
            from flows.registry import ENGINE

            engine = ENGINE
        self.engine = engine
        self.channel = channel
        self.lang = lang
        self.user = user
        self.session = Session()
        self.replies: list[Reply] = []
        self.stats: list[CountStat] = []
        self.history: list[list[Reply]] = []
        self.last_effects: list[Effect] = []
        self.meta: dict[str, str] = {}
        self.message_id: int | None = None  # the id the next typed message gets
        self.today = today
        self.actions: list[tuple[str, str]] = []  # (kind, payload) as handled, for `replay`

    def _handle(self, kind: str, payload: str) -> Chat:
        self.actions.append((kind, payload))
        event = Event(
            user=self.user, kind=kind, payload=payload,  # type: ignore[arg-type]
            language=self.lang, channel=self.channel, meta=self.meta,
            message_id=self.message_id if kind != "press" else None,
            **({"today": self.today} if self.today else {}),
        )
        outcome = self.engine.handle(self.session, event)
        self.session = outcome.session
        self.replies = outcome.replies
        self.history.append(outcome.replies)
        self.stats += [e for e in outcome.effects if isinstance(e, CountStat)]
        self.last_effects = [e for e in outcome.effects if not isinstance(e, CountStat)]
        return self

    def send(self, text: str) -> Chat:
        return self._handle("command" if text.startswith("/") else "text", text)

    def press_id(self, button_id: str) -> Chat:
        return self._handle("press", button_id)

    @property
    def buttons(self) -> list[Button]:
        return [b for r in self.replies for row in r.buttons for b in row]

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    def button(self, label: str) -> Button:
        for b in self.buttons:
            if b.label == label or b.label.removeprefix("✓ ") == label:
                return b
        raise AssertionError(f"no button {label!r}; on screen: {self.labels}")

    def press(self, label: str) -> Chat:
        return self.press_id(self.button(label).id)

    @property
    def text(self) -> str:
        # A reply with no text is said only if a deletion fails (its `alt`).
        return "\n\n".join(r.text for r in self.replies if r.text)

    def expect(self, *fragments: str) -> Chat:
        for fragment in fragments:
            assert fragment in self.text, f"{fragment!r} not in:\n{self.text}"
        return self

    def expect_not(self, *fragments: str) -> Chat:
        for fragment in fragments:
            assert fragment not in self.text, f"{fragment!r} unexpectedly in:\n{self.text}"
        return self

    def start(self, language: str = "English") -> Chat:
        """From nothing to the main menu."""
        return self.send("/start").press_id(self.buttons[0].id).press(language)


START_ACTIONS = 3  # /start, the notice, the language: what `Chat.start` does


def replay(chat: Chat, lang: str, channel: Channel | None = None) -> Chat:
    """The same presses (by button id without its screen number: the same in every
    language) and typed texts as `chat` after its `start`, by a person who chose `lang`."""
    from flows.i18n import NATIVE_NAMES

    other = Chat(lang=lang, channel=channel or chat.channel, today=chat.today)
    other.start(NATIVE_NAMES[lang])
    for kind, payload in chat.actions[START_ACTIONS:]:
        if kind == "press":
            choice = payload.partition(".")[2]
            found = [b.id for b in other.buttons if b.id.partition(".")[2] == choice]
            assert found, f"no button {choice!r} in {lang}; on screen: {other.labels}"
            payload = found[0]
        other._handle(kind, payload)
    return other
