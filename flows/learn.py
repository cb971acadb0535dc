"""Learn: short cards on how the UN experts work, one chat message each, grouped by topic.

The cards are data (`flows/data/cards.json`), validated by pydantic when this module
is imported: a card that does not validate is left out and listed by
`python -m bot check` (`load_problems`), never shown to a user. Each card
keeps its sources; the URLs among them, and the publications they come from, are
shown under the card. The first step lists the topics; each card has Next (or, on
the last card of a topic, More topics); the engine adds Back and Main menu.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flows.catalog import placeholders
from flows.datafiles import read_json, valid_entries
from flows.declare import Screen
from flows.i18n import N_, NP_, PLACEHOLDER
from flows.model import Choice, Command, Flow, Step, View

TOPICS_STEP = "topics"
# English text of one card, values filled in. Translations run longer; Telegram's
# limit is 4,096 characters, and the sources and the title come on top.
CARD_LIMIT = 1200

INTRO = N_(
    "Learn how the UN experts work, in short cards. Press Next to read on and Back to "
    "go back. Choose a topic:"
)
LABEL_MORE = N_("More topics")
# The heading of the list of sources under a card.
SOURCE = NP_("Source", "Sources")

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
# Translated text must not carry what translators would have to copy exactly.
_UNTRANSLATABLE = re.compile(r"https?:|www\.|@|\d|[<>*_`\[\]{}]")
_URL = re.compile(r"^https?://\S+$")


def _check_msgid(where: str, text: str) -> None:
    if _UNTRANSLATABLE.search(PLACEHOLDER.sub("", text)):
        raise ValueError(f"{where}: URL, e-mail, digit, brace or markup inside a msgid: {text!r}")
    if text != text.strip():
        raise ValueError(f"{where}: msgid with stray whitespace")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Topic(_Model):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=40)]  # button label msgid


class Card(_Model):
    id: Id
    topic: Id
    title: Annotated[str, Field(min_length=1, max_length=60)]  # msgid
    text: Annotated[str, Field(min_length=1)]  # msgid with optional {placeholders}
    values: dict[str, str | int | float] = Field(default_factory=dict)
    # A URL copied exactly from the reference files, or "<reference file> § <section>".
    sources: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Card:
        _check_msgid(f"card {self.id} title", self.title)
        _check_msgid(f"card {self.id} text", self.text)
        names = placeholders(self.text)
        if names != set(self.values):
            raise ValueError(
                f"card {self.id}: placeholders {sorted(names)} but values {sorted(self.values)}"
            )
        if len(self.render()) > CARD_LIMIT:
            raise ValueError(f"card {self.id}: longer than {CARD_LIMIT} characters")
        return self

    def render(self, text: str | None = None) -> str:
        """Fill the values into `text` (the translated msgid) or the English text."""
        return (self.text if text is None else text).format_map(self.values)

    @property
    def urls(self) -> list[str]:
        return [s for s in self.sources if _URL.match(s)]


class Cards(_Model):
    about: str
    # Reference file -> the publication's name, shown as a source (not translated).
    publications: dict[str, str]
    topics: Annotated[list[Topic], Field(min_length=1)]
    cards: list[Card]

    @model_validator(mode="after")
    def _consistent(self) -> Cards:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """What is wrong across cards and topics (each entry is checked by its own model)."""
        problems: list[str] = []
        ids = [c.id for c in self.cards]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(f"duplicate card ids: {duplicates}")
        if TOPICS_STEP in ids:
            problems.append(f"a card cannot be called {TOPICS_STEP!r}")
        topic_ids = [t.id for t in self.topics]
        if len(set(topic_ids)) != len(topic_ids):
            problems.append("duplicate topic ids")
        for topic in self.topics:
            try:
                _check_msgid(f"topic {topic.id} title", topic.title)
            except ValueError as e:
                problems.append(str(e))
            if not self.of(topic.id):
                problems.append(f"topic {topic.id} has no cards")
        for card in self.cards:
            if card.topic not in topic_ids:
                problems.append(f"card {card.id}: unknown topic {card.topic}")
            for source in card.sources:
                if source.startswith(("http:", "https:")):
                    if not _URL.match(source):
                        problems.append(f"card {card.id}: malformed URL {source!r}")
                elif not any(source.startswith(f) for f in self.publications):
                    problems.append(f"card {card.id}: source from no known file: {source!r}")
        return problems

    def of(self, topic_id: str) -> list[Card]:
        return [c for c in self.cards if c.topic == topic_id]

    def shown_sources(self, card: Card) -> list[str]:
        """What is shown under a card: its publications, then its URLs, each once,
        leaving out URLs the text already shows."""
        text = card.render()
        names = [
            name
            for path, name in self.publications.items()
            if any(s.startswith(path) for s in card.sources)
        ]
        return names + [u for u in dict.fromkeys(card.urls) if u not in text]


@functools.cache
def _load() -> tuple[Cards, tuple[str, ...]]:
    problems: list[str] = []
    raw = read_json("cards.json", problems)
    doc: dict[str, Any] = raw if isinstance(raw, dict) else {}
    try:
        return Cards.model_validate(doc), tuple(problems)
    except ValidationError:
        pass
    # Keep what validates and hangs together, and say what was left out.
    about, publications = doc.get("about"), doc.get("publications")
    if not isinstance(about, str) or not isinstance(publications, dict):
        problems.append("cards.json: 'about' must be text and 'publications' an object")
        about, publications = "", {}
    topics = valid_entries(Topic, doc.get("topics", []), "cards.json: topics", problems)
    cards = valid_entries(Card, doc.get("cards", []), "cards.json: cards", problems)
    problems += [
        f"cards.json: {p}"
        for p in Cards.model_construct(
            about=about, publications=publications, topics=topics, cards=cards
        ).problems()
    ]
    topics = list({t.id: t for t in reversed(topics)}.values())[::-1]
    known = {t.id for t in topics}
    kept: dict[str, Card] = {}
    for card in cards:
        if card.id != TOPICS_STEP and card.topic in known:
            kept.setdefault(card.id, card)
    topics = [t for t in topics if any(c.topic == t.id for c in kept.values())]
    cards_ = Cards.model_construct(
        about=about, publications=publications, topics=topics, cards=list(kept.values())
    )
    return cards_, tuple(problems)


def load_cards() -> Cards:
    """The packaged cards, validated once; cards that do not validate are left out
    (see `load_problems`)."""
    return _load()[0]


def load_problems() -> list[str]:
    """What was wrong in cards.json when it was loaded, one line each."""
    return list(_load()[1])


CARDS = load_cards()


def _card_view(card: Card, position: int, total: int) -> Callable[[View], list[str]]:
    """The step renderer of one card: title (and place in its topic), text, sources."""

    def render(view: View) -> list[str]:
        t = view.t
        title = t(card.title) + (f" ({position}/{total})" if total > 1 else "")
        shown = CARDS.shown_sources(card)
        label = t.n(SOURCE, len(shown))
        sources = f"{label}: {shown[0]}" if len(shown) == 1 else f"{label}:\n" + "\n".join(shown)
        # t() fills the values, isolating them in right-to-left languages.
        return [f"{title}\n\n{t(card.text, **card.values)}\n\n{sources}"]

    return render


def _steps() -> list[Step]:
    steps = [
        Step(
            id=TOPICS_STEP,
            text=INTRO,
            choices=[
                Choice(id=topic.id, label=topic.title, to=CARDS.of(topic.id)[0].id)
                for topic in CARDS.topics
            ],
        )
    ]
    for topic in CARDS.topics:
        cards = CARDS.of(topic.id)
        for i, card in enumerate(cards):
            last = i == len(cards) - 1
            view = _card_view(card, i + 1, len(cards))
            steps.append(
                Screen(
                    id=card.id,
                    render=view,
                    choices=[Choice(id="more", label=LABEL_MORE, to=TOPICS_STEP)],
                )
                if last
                else Screen(id=card.id, render=view, next=cards[i + 1].id)
            )
    return steps


LEARN = Flow(
    name="learn",
    title=N_("Learn how the UN experts work"),
    commands=[
        Command("learn", "topics", N_("learn how the UN experts work")),
    ],
    steps=_steps(),
)
