"""The Learn cards, as a person reads them: topics, Next, Back, sources under each card."""

from __future__ import annotations

import io
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.extract import extract_data
from flows.learn import CARD_LIMIT, CARDS, Cards, Topic
from tests.flows.chat import Chat

REFERENCE = Path("/work/shared/reference")
URL = re.compile(r"https?://[^\s)>\]]+")
OPEN = "Learn how the UN experts work"


def learn() -> Chat:
    return Chat().start().press(OPEN)


def read_topic(chat: Chat, topic: Topic) -> list[str]:
    """Press through one topic from the topics list; return every card's screen text."""
    chat.press(topic.title)
    screens = [chat.text]
    while "Next" in chat.labels:
        chat.press("Next")
        screens.append(chat.text)
    assert "More topics" in chat.labels
    return screens


def every_screen() -> list[str]:
    chat = learn()
    screens: list[str] = []
    for topic in CARDS.topics:
        screens += read_topic(chat, topic)
        chat.press("More topics")
        assert chat.session.state == "learn.topics"
    return screens


def test_the_menu_and_the_command_open_the_topics() -> None:
    chat = learn()
    assert chat.session.state == "learn.topics"
    assert [t.title for t in CARDS.topics] == chat.labels[: len(CARDS.topics)]
    assert {"Main menu", "Quick exit"} <= set(chat.labels)
    chat = Chat().start().press("Safety").send("/learn")
    assert chat.session.state == "learn.topics"
    chat.expect("Choose a topic")


def test_every_card_is_reached_by_pressing_next_through_every_topic() -> None:
    chat = learn()
    for topic in CARDS.topics:
        chat.press(topic.title)
        cards = CARDS.of(topic.id)
        for i, card in enumerate(cards):
            assert chat.session.state == f"learn.{card.id}"
            chat.expect(card.title, card.render()[:80])
            if len(cards) > 1:
                chat.expect(f"({i + 1}/{len(cards)})")
            if i < len(cards) - 1:
                assert "More topics" not in chat.labels
                chat.press("Next")
        assert "Next" not in chat.labels
        chat.press("More topics")
    assert chat.session.state == "learn.topics"


def test_back_returns_to_the_previous_card_then_to_the_topics() -> None:
    topic = next(t for t in CARDS.topics if len(CARDS.of(t.id)) >= 3)
    first, second, third = CARDS.of(topic.id)[:3]
    chat = learn().press(topic.title).press("Next").press("Next")
    assert chat.session.state == f"learn.{third.id}"
    chat.press("Back")
    assert chat.session.state == f"learn.{second.id}"
    chat.expect(second.title)
    chat.press("Back")
    assert chat.session.state == f"learn.{first.id}"
    chat.press("Back")
    assert chat.session.state == "learn.topics"


def test_more_topics_does_not_leave_a_trail_for_back() -> None:
    topic = CARDS.topics[0]
    chat = learn()
    read_topic(chat, topic)
    chat.press("More topics").press(CARDS.topics[1].title)
    chat.press("Back")
    assert chat.session.state == "learn.topics"


def test_every_card_fits_one_message_and_shows_its_sources() -> None:
    for card in CARDS.cards:
        assert len(card.render()) <= CARD_LIMIT, card.id
    for screen in every_screen():
        assert len(screen) < 1500, screen[:80]
        assert "\n\nSource: " in screen or "\n\nSources:\n" in screen, screen[:80]


def test_every_card_has_a_source_and_the_guide_is_named() -> None:
    for card in CARDS.cards:
        assert card.sources, card.id
        assert CARDS.shown_sources(card), card.id
    chat = learn().press(CARDS.topics[0].title)
    chat.expect("ISHR, A Practical Guide to the UN Special Procedures (2025)")


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the reference folder is not here")
def test_every_url_shown_is_copied_exactly_from_the_reference_files() -> None:
    corpus = "\n".join(
        p.read_text(encoding="utf-8") for p in REFERENCE.rglob("*") if p.is_file()
    )
    shown = {url.rstrip(".,;:") for screen in every_screen() for url in URL.findall(screen)}
    assert shown, "no URL is shown at all"
    for card in CARDS.cards:
        shown |= set(card.urls)
    missing = sorted(url for url in shown if url not in corpus)
    assert not missing, missing


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the reference folder is not here")
def test_every_reference_file_named_as_a_source_exists() -> None:
    for path in CARDS.publications:
        assert (REFERENCE / path).is_file(), path


def test_reprisal_contacts_are_those_of_the_2025_guide() -> None:
    text = "\n".join(card.render() for card in CARDS.cards)
    assert "ohchr-reprisals@un.org" in text
    assert "reprisals@ohchr.org" not in text


def test_choice_and_step_ids_are_usable() -> None:
    from flows.learn import LEARN

    step_ids = [s.id for s in LEARN.steps]
    assert len(step_ids) == len(set(step_ids))
    assert LEARN.steps[0].id == "topics"
    for step in LEARN.steps:
        for choice in step.choices:
            assert "." not in choice.id and len(choice.id) <= 40


def _doc() -> dict[str, object]:
    raw = resources.files("flows").joinpath("data", "cards.json").read_text(encoding="utf-8")
    doc: dict[str, object] = json.loads(raw)
    return doc


def _with_card(**changes: object) -> dict[str, object]:
    doc = _doc()
    cards = doc["cards"]
    assert isinstance(cards, list)
    cards[0] = {**cards[0], **changes}
    return doc


@pytest.mark.parametrize(
    "changes",
    [
        {"text": "Write to https://example.org now."},
        {"text": "There are {count} experts."},  # a placeholder without a value
        {"text": "In 2025 there were many."},  # a digit inside a msgid
        {"sources": []},
        {"sources": ["somewhere I remember"]},
        {"topic": "nowhere"},
        {"text": "word " * 300},
    ],
)
def test_bad_cards_fail_loudly(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Cards.model_validate(_with_card(**changes))


def test_the_extractor_yields_every_title_and_text_with_its_line() -> None:
    raw = resources.files("flows").joinpath("data", "cards.json").read_bytes()
    lines = raw.decode("utf-8").splitlines()
    found: set[str] = set()
    for lineno, funcname, msgid, comments in extract_data(io.BytesIO(raw), [], [], {}):
        assert funcname is None and comments
        assert lineno > 0 and json.dumps(msgid, ensure_ascii=False) in lines[lineno - 1]
        found.add(msgid)
    wanted = {t.title for t in CARDS.topics}
    wanted |= {c.title for c in CARDS.cards} | {c.text for c in CARDS.cards}
    assert found == wanted
