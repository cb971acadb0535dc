"""The engine's own rules, on a small flow declared here: navigation, toggles,
free text with suggestions, expired buttons, hints, splitting, counters."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field

from flows.engine import Engine
from flows.model import Answers, Choice, Command, Event, Flow, Parsed, Step, View
from tests.flows.chat import Chat


class FruitAnswers(Answers):
    flow = "fruit"

    kinds: list[Literal["red", "green"]] = Field(default_factory=list)
    fruit: str | None = None


def _parse_fruit(text: str, view: View) -> Parsed:
    known = {"apple": "Apple", "pear": "Pear", "plum": "Plum"}
    key = text.strip().lower()
    if key in known:
        return Parsed(ok=True, value=key)
    close = [(k, v) for k, v in known.items() if k[0] == key[:1]]
    return Parsed(error="No fruit called {name}.", error_values={"name": text[:20]},
                  suggestions=close)


def _long(view: View) -> list[str]:
    return ["\n\n".join(f"Paragraph {i} " + "x" * 300 for i in range(40))]


FLOWS = [
    Flow(name="start", title="Start", home=False, steps=[
        Step(id="notice", text="Hello.", choices=[Choice(id="ok", label="Go", to="menu.main")]),
    ]),
    Flow(name="menu", title="Menu", steps=[
        Step(id="main", text="Menu.", back=False, choices=[
            Choice(id="pick", label="Pick fruit", to="fruit"),
            Choice(id="long", label="Long", to="fruit.long"),
        ]),
    ]),
    Flow(name="help", title="Help", commands=[Command("help", "main", "this list")],
         steps=[Step(id="main", text="Help text.")]),
    Flow(name="language", title="Lang", steps=[Step(id="choose", text="Languages.")]),
    Flow(name="fruit", title="Fruit", answers=FruitAnswers, steps=[
        Step(id="kinds", text="Which kinds?", multi="kinds", to="name", choices=[
            Choice(id="red", label="Red"), Choice(id="green", label="Green"),
        ]),
        Step(id="name", text="Type a fruit.", ask="fruit", parse=_parse_fruit, to="done",
             choices=[Choice(id="skip", label="Skip", to="done", set={"fruit": None})]),
        Step(id="done", render=lambda v: [
            f"Kinds {FruitAnswers.of(v).kinds} fruit {FruitAnswers.of(v).fruit}"
        ]),
        Step(id="long", render=_long),
    ]),
]


@pytest.fixture
def chat() -> Chat:
    c = Chat(engine=Engine(FLOWS))
    c.send("/start").press("Go")
    return c


def test_first_message_of_any_kind_starts_with_the_notice() -> None:
    c = Chat(engine=Engine(FLOWS))
    c.send("hello").expect("Hello.")
    assert c.session.state == "start.notice"


def test_toggle_marks_and_unmarks_and_edits_in_place(chat: Chat) -> None:
    chat.press("Pick fruit").press("Red")
    assert chat.replies[-1].edit
    assert "✓ Red" in chat.labels and "Green" in chat.labels
    chat.press("Red")
    assert "Red" in chat.labels and "✓ Red" not in chat.labels


def test_done_needs_a_selection(chat: Chat) -> None:
    chat.press("Pick fruit").press("Done").expect("Press at least one button")
    chat.press("Green").press("Done (1 chosen)").expect("Type a fruit.")


def test_free_text_is_parsed_and_stored(chat: Chat) -> None:
    chat.press("Pick fruit").press("Red").press("Done (1 chosen)").send("Apple")
    chat.expect("Kinds ['red'] fruit apple")


def test_unknown_text_offers_suggestions_that_can_be_pressed(chat: Chat) -> None:
    chat.press("Pick fruit").press("Red").press("Done (1 chosen)").send("pea")
    chat.expect("No fruit called pea.")
    assert "Pear" in chat.labels and "Plum" in chat.labels
    chat.press("Plum").expect("fruit plum")


def test_a_suggestion_cannot_be_forged(chat: Chat) -> None:
    chat.press("Pick fruit").press("Red").press("Done (1 chosen)").send("pea")
    forged = chat.button("Pear").id.replace("pear", "grape")
    chat.press_id(forged).expect("earlier message")
    assert FruitAnswers.of(chat.session).fruit is None


def test_back_returns_to_the_previous_step_and_keeps_answers(chat: Chat) -> None:
    chat.press("Pick fruit").press("Green").press("Done (1 chosen)").press("Back")
    chat.expect("Which kinds?")
    assert "✓ Green" in chat.labels


def test_main_menu_works_from_an_old_message(chat: Chat) -> None:
    chat.press("Pick fruit")
    old_menu = chat.button("Main menu").id
    chat.press("Red").press("Done (1 chosen)")
    chat.press_id(old_menu).expect("Menu.")
    assert chat.session.history == []


def test_old_button_says_expired_and_does_not_act(chat: Chat) -> None:
    chat.press("Pick fruit")
    old_red = chat.button("Red").id
    chat.press("Green").press("Done (1 chosen)")
    chat.press_id(old_red).expect("earlier message", "Type a fruit.")
    assert chat.session.state == "fruit.name"
    assert FruitAnswers.of(chat.session).kinds == ["green"]


@pytest.mark.parametrize("junk", ["", "zz", "zz.", "1.", ".", "999999.red", "menu.x", "a" * 80])
def test_garbage_presses_never_crash(chat: Chat, junk: str) -> None:
    chat.press("Pick fruit").press_id(junk)
    assert chat.session.state == "fruit.kinds"


def test_typing_where_buttons_are_expected_gives_a_hint_and_the_buttons(chat: Chat) -> None:
    chat.press("Pick fruit").send("my neighbour was taken")
    chat.expect("Please answer with the buttons")
    assert "Red" in chat.labels


def test_unknown_command_keeps_the_place(chat: Chat) -> None:
    chat.press("Pick fruit").send("/frobnicate").expect("I do not know that command")
    assert chat.session.state == "fruit.kinds"


def test_help_command_from_anywhere(chat: Chat) -> None:
    chat.press("Pick fruit").send("/help").expect("Help text.")


def test_a_long_text_stays_one_reply_for_the_adapter_to_split(chat: Chat) -> None:
    # Telegram's size limit belongs to the Telegram adapter (bot/telegram/split.py).
    chat.press("Long")
    assert len(chat.replies) == 1 and "Paragraph 39" in chat.text


def test_counters_name_steps_not_people(chat: Chat) -> None:
    chat.press("Pick fruit").send("secret words")
    assert ("fruit", "kinds", "enter") in {(s.flow, s.step, s.event) for s in chat.stats}
    assert all("secret" not in s.model_dump_json() for s in chat.stats)


def test_the_session_passed_in_is_not_changed(chat: Chat) -> None:
    before = chat.session.model_copy(deep=True)
    chat.engine.handle(chat.session, Event(user="u1", kind="press", payload="menu"))
    assert chat.session == before


def test_a_bad_declaration_is_refused_at_compile_time() -> None:
    bad = [Flow(name="menu", title="M", steps=[
        Step(id="main", text="x", choices=[Choice(id="go", label="Go", to="nowhere")]),
    ])]
    with pytest.raises(ValueError, match="unknown destination"):
        Engine(bad)


def test_an_answer_that_is_not_a_declared_field_is_refused_at_compile_time() -> None:
    typo = [Flow(name="fruit", title="F", answers=FruitAnswers, steps=[
        Step(id="kinds", text="x", choices=[Choice(id="go", label="Go", set={"kind": "red"})]),
    ])]
    with pytest.raises(ValueError, match="'kind' is not a field of its answers"):
        Engine(typo)
    undeclared = [Flow(name="fruit", title="F", steps=[
        Step(id="name", text="x", ask="fruit", parse=_parse_fruit, to="name"),
    ])]
    with pytest.raises(ValueError, match="not a field"):
        Engine(undeclared)


def test_a_conversation_start_counts_its_language_and_channel_only() -> None:
    from tests.flows.chat import Chat

    chat = Chat(lang="fr-CA", channel="telegram").send("/start")
    meta = [(s.step, s.event) for s in chat.stats if s.flow == "meta"]
    assert meta == [("language", "fr"), ("channel", "telegram")]
    chat = Chat(lang="pt-BR").send("/start")
    assert ("language", "none") in [(s.step, s.event) for s in chat.stats if s.flow == "meta"]


def test_the_answer_to_a_personal_data_warning_is_counted() -> None:
    from tests.flows.chat import Chat

    chat = Chat().start()
    chat.press_id(next(b.id for b in chat.buttons if b.id.endswith(".mandate")))
    chat.press_id(chat.buttons[0].id)
    chat.press_id(next(b.id for b in chat.buttons if b.id.endswith(".>")))
    chat.send("Jean Dupont, 12 rue de la Paix, +33 6 12 34 56 78")
    chat.press_id(next(b.id for b in chat.buttons if b.id.endswith("!u")))
    events = [s.event for s in chat.stats]
    assert events.count("personal_data") == 1 and "pd_use_as_is" in events
