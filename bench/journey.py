"""The journey to a draft: how much a person reads, and how many messages arrive.

Run from the repository root: `python bench/journey.py`; `--screens [LANG]` prints
the characters and new messages of each step of `PATH` in one language (English by
default), to see where they go.

Drives the engine on the Telegram channel along `PATH` (/start -> finder ->
urgency -> consent gate -> draft), turns each outcome into Bot API calls with the
Telegram adapter's `calls_for` (a press names the message it was made on, as
Telegram does), and prints per shipped language: the characters of every text the
person is shown (new messages and edits, captions included; the draft document's
body is not counted), the new messages, and the edits.

Today (main at addd7b8, before issue 10 part B), measured with this script
(`BASELINE`):

    lang  chars  messages  edits
    en    12662        42      5
    fr    15632        42      5
    es    14413        42      5
    ar    12072        42      5
    zh     4834        42      5
    ru    14067        42      5

(Drafts are in English, French or Spanish: the ar, zh and ru journeys choose an
English draft.) The issue's target: at most half of these characters and messages.
After issue 10 part B (short results with details behind buttons, a press edits the
message pressed): messages 42 -> 21, characters en 9738, fr 12135, es 11101,
ar 9434, zh 3904, ru 10874.

After the length work (the consent gate and the builder's questions in one or two
sentences with explanations and examples behind "More detail" / "Example"; nothing
asked twice):

    lang  chars  messages  edits   (half of today)
    en     5530        20     28   6331
    fr     6792        20     28   7816
    es     6279        20     28   7206
    ar     5368        20     28   6036
    zh     2295        20     28   2417
    ru     6008        20     28   7033

The same facts are entered as before, with one press fewer: "Detention or arrest"
in the finder now pre-answers urgency's "Someone is detained", so `PATH` no longer
presses it (Done then reads "1 chosen", as before). The hearing date typed in
urgency is no longer asked by the builder; the builder's urgency answer in `PATH`
is still typed (it adds that V1 is held incommunicado). tests/flows/
test_journey_length.py runs `journey` for every shipped language against `BASELINE`.

After the last gaps of issue 10 (the consent result, when there is no step to take
first, says where the precautions are and which button to press: one line):

    lang  chars  messages  edits
    en     5605        20     28
    fr     6864        20     28
    es     6354        20     28
    ar     5308        20     28
    zh     2137        20     28
    ru     5993        20     28

Issue 10 point 10 (old keyboards do not stay live) adds a column, strips: the rows
that take the keyboard off the screen a new message replaces. They are neither
messages nor text (the figures above do not count them) and come only with a new
message that has buttons, never with a press that edits: 12 along PATH, one per
typed answer or command; the one after /start finds no keyboard in the chat and
makes no Bot API call.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.telegram.render import calls_for
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.model import Event, Session
from flows.registry import ENGINE

TODAY = date(2026, 11, 22)

# The "today" (main at addd7b8): (characters, new messages) per language. The
# target is at most half the characters, and no more messages than after part B (21).
BASELINE: dict[str, tuple[int, int]] = {
    "en": (12662, 42), "fr": (15632, 42), "es": (14413, 42),
    "ar": (12072, 42), "zh": (4834, 42), "ru": (14067, 42),
}
MAX_MESSAGES = 21

# (kind, payload): "command" and "text" are sent as they are; "press" names the
# button by its English label (translated for each language); "done" presses
# Done with that many chosen; "language" presses the language being measured;
# "draft_language" presses it too where drafts may be in it, English otherwise.
PATH: list[tuple[str, str]] = [
    ("command", "/start"),
    ("press", "I understand, continue"),
    ("language", ""),
    ("press", "Find the right UN expert"),
    ("press", "Detention or arrest"),
    ("done", "1"),
    ("text", "Belarus"),
    ("press", "Next: is it urgent?"),
    ("press", "Yes, now or very soon"),
    ("done", "1"),
    ("press", "A hearing or trial"),
    ("text", "15/12/2026"),
    ("press", "Next: consent and risk"),
    ("press", "Continue"),
    ("press", "1"),
    ("press", "Yes"),
    ("press", "No"),
    ("press", "The person"),
    ("press", "Yes"),
    ("press", "Family"),
    ("done", "1"),
    ("press", "Yes, with all of them"),
    ("press", "Yes"),
    ("press", "That I am the source"),
    ("done", "1"),
    ("press", "No"),
    ("press", "Signal"),
    ("done", "1"),
    ("press", "Next: prepare the submission"),
    ("press", "Start"),
    ("draft_language", ""),
    ("text", "A local organisation documenting detention."),
    ("text", "V1 is held incommunicado."),
    ("text", "V1, a man in his forties, a trade unionist; V2, his colleague."),
    ("text", "On 2 November P1 arrested V1 at L1 and took him to L2."),
    ("text", "P1, officers of the security service."),
    ("text", "The 2021 public order law is used against unions."),
    ("text", "A complaint to the prosecutor on 5 November, no answer."),
    ("text", "Ask where V1 is held; a public statement if no answer."),
    ("press", "Create the draft"),
]

DONE = ("Done ({count} chosen)", "Done ({count} chosen)")


def journey(locale: str, screens: list[tuple[str, str, int, int]] | None = None,
            ) -> tuple[int, int, int, int, list[str]]:
    """(characters, new messages, edits, keyboard strips, presses not found) along PATH
    in `locale`. A strip takes the keyboard off the screen a new message replaces: it
    is neither a message nor text. With `screens`, appends (input, state reached,
    characters, new messages) per step."""
    t = translator(locale)
    session = Session()
    chars = messages = edits = strips = 0
    next_id = 1
    keyboard: int | None = None  # the id of the latest message with buttons
    buttons: dict[str, str] = {}  # label -> id, on the latest screen
    missing: list[str] = []
    for kind, payload in PATH:
        if kind in ("press", "done", "language", "draft_language"):
            if kind == "language":
                label = NATIVE_NAMES[locale]
            elif kind == "draft_language":
                label = NATIVE_NAMES[locale if locale in ("en", "fr", "es") else "en"]
            elif kind == "done":
                label = t.n(DONE, int(payload))
            else:
                label = t(payload)
            found = buttons.get(label) or buttons.get("✓ " + label)
            if found is None:
                missing.append(label)
                continue
            event = Event(user="u1", kind="press", payload=found, language=locale,
                          channel="telegram", today=TODAY)
            pressed = keyboard
        else:
            event = Event(user="u1", kind=kind, payload=payload,  # type: ignore[arg-type]
                          language=locale, channel="telegram", today=TODAY,
                          message_id=next_id)
            next_id += 1
            pressed = None
        outcome = ENGINE.handle(session, event)
        session = outcome.session
        buttons = {b.label: b.id for r in outcome.replies for row in r.buttons for b in row}
        before = (chars, messages)
        for call in calls_for(1, outcome.replies, pressed=pressed):
            if call["op"] in ("send", "document", "edit"):
                chars += len(call.get("text", ""))
            if call["op"] in ("send", "document"):
                messages += 1
                if call.get("buttons"):
                    keyboard = next_id
                next_id += 1
            elif call["op"] == "edit":
                edits += 1
                if call.get("buttons"):
                    keyboard = call["message_id"]
            elif call["op"] == "strip":
                strips += 1
        if screens is not None:
            screens.append((f"{kind} {payload}".strip(), session.state,
                            chars - before[0], messages - before[1]))
    return chars, messages, edits, strips, missing


def print_screens(locale: str) -> None:
    """Characters and new messages per step of PATH, in `locale`."""
    screens: list[tuple[str, str, int, int]] = []
    journey(locale, screens)
    print(f"{'input':42}  {'state reached':28}  chars  new")
    for step, state, chars, new in screens:
        print(f"{step[:42]:42}  {state[:28]:28}  {chars:5}  {new:3}")


def main() -> None:
    if "--screens" in sys.argv:
        args = sys.argv[sys.argv.index("--screens") + 1:]
        print_screens(args[0] if args else "en")
        return
    print("lang  chars  messages  edits  strips  target chars")
    for locale in SHIPPED:
        chars, messages, edits, strips, missing = journey(locale)
        print(f"{locale:4}  {chars:5}  {messages:8}  {edits:5}  {strips:6}  "
              f"{BASELINE[locale][0] // 2:12}")
        if missing:
            print(f"      not on screen, skipped: {', '.join(missing)}")


if __name__ == "__main__":
    main()
