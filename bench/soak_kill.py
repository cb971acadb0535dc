"""Soak: hundreds of `kill -9` of `python -m bot run` under load, nothing lost or doubled.

Run from the repository root: `python bench/soak_kill.py [--quick] [--rounds N]
[--people N] [--max-seconds S]`.

The bot long-polls the fake Bot API of tests/e2e/fake_bot_api.py on 127.0.0.1 (only
there: nothing else is contacted), which simulates Telegram's flood control (30
sends a second) and, in some rounds, drops connections (before or after carrying out
the call) or answers 429. Every round:
each person (a private chat) takes the next step of the finder conversation
(/start, the notice, English, the finder, a situation, Done, "Iran", and again),
the bot is killed with SIGKILL after a random number of Bot API calls (mid-burst,
mid-reply), `PRAGMA integrity_check` runs on the data folder, and the bot starts
again on it. Before the next step, each person waits for the answer to theirs.

Printed per round and in total:
* lost: a step whose update never left the inbox handled (neither answered nor
  recorded as processed);
* doubled: a step handled twice - an "earlier message" answer (a press acted on a
  screen that had moved on) or a step whose answer shows twice although the ledger
  holds both messages;
* not answered: a step recorded as processed whose answer never came;
* not in the ledger: messages in the chat whose id is not in the message ledger, and
  how many of them are copies of a message whose answer a kill cut off (the bot sent
  it again; it finds and deletes the first copy, so this should stay at 0);
* integrity_check after every kill.

The helpers are those of tests/e2e/test_kill.py (`start_bot`, the fake API).
"""

from __future__ import annotations

import itertools
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine, parser, table
from storage.crypto import Sealer, load_key
from tests.e2e.fake_bot_api import FakeBotApi, Person
from tests.e2e.test_kill import start_bot
from tests.e2e.test_polling import TOKEN, _stop

EARLIER = "belongs to an earlier message"
ANSWER_TIMEOUT = 25.0  # seconds a person waits for the answer to a step


def newest_keyboard(api: FakeBotApi, chat: int) -> dict[str, Any] | None:
    with api._cond:
        mine = [m for (c, _), m in api.messages.items() if c == chat and m.get("reply_markup")]
    return max(mine, key=lambda m: m["message_id"]) if mine else None


def shows(api: FakeBotApi, chat: int, check: Callable[[str], bool]) -> bool:
    """The newest keyboard in the chat has a button whose text passes `check`."""
    board = newest_keyboard(api, chat)
    if board is None:
        return False
    return any(check(b["text"]) for row in board["reply_markup"]["inline_keyboard"] for b in row)


def on_pressed(api: FakeBotApi, chat: int, pressed: int | None, label: str) -> bool:
    """The pressed message now shows `label` (an edit lands on the pressed message,
    which a copy resent after a kill may have overtaken as the newest)."""
    with api._cond:
        message = api.messages.get((chat, pressed or 0)) or {}
    board = message.get("reply_markup") or {"inline_keyboard": []}
    return any(b["text"] == label for row in board["inline_keyboard"] for b in row)


def said(api: FakeBotApi, chat: int, fragment: str, since: int) -> bool:
    with api._cond:
        calls = api.calls[since:]
    return any(
        c.method in ("sendMessage", "editMessageText") and c.params.get("chat_id") == chat
        and fragment in str(c.params.get("text", ""))
        for c in calls
    )


# (what the person does, what shows that it was answered)
# The check gets the chat, the call count when the step was taken, the pressed message.
Step = tuple[str, str, Callable[[FakeBotApi, int, int, int | None], bool]]
STEPS: list[Step] = [
    ("send", "/start",
     lambda api, chat, since, pressed: shows(api, chat, lambda t: t == "I understand, continue")),
    ("press", "I understand, continue",
     lambda api, chat, since, pressed: shows(api, chat, lambda t: t.endswith("English"))),
    ("press", "English",
     lambda api, chat, since, pressed: shows(api, chat, lambda t: t == "Find the right UN expert")),
    ("press", "Find the right UN expert",
     lambda api, chat, since, pressed: shows(api, chat, lambda t: t == "Detention or arrest")),
    ("press", "Detention or arrest",
     lambda api, chat, since, pressed: on_pressed(api, chat, pressed, "✓ Detention or arrest")),
    ("press", "Done",
     lambda api, chat, since, pressed: shows(api, chat, lambda t: t == "Prefer not to say")),
    ("send", "Iran", lambda api, chat, since, pressed: said(api, chat, "Lead expert:", since)),
]


@dataclass
class Walker:
    """One person going round the finder, one step per round."""

    person: Person
    step: int = 0
    # (update id, step, calls mark, the pressed message)
    pending: tuple[int, int, int, int | None] | None = None
    unanswered: list[int] = field(default_factory=list)  # update ids
    step_of: dict[int, int] = field(default_factory=dict)  # update id -> step, unanswered
    edited: int | None = None  # the message the last toggle edited

    def act(self) -> None:
        kind, what, _ = STEPS[self.step]
        mark = self.person.api.mark()
        board = newest_keyboard(self.person.api, self.person.id)
        if kind == "press" and what == "Done" and self.edited is not None:
            # Press on the screen that was just edited: a copy resent after a kill may be
            # newer, but it is a screen behind (its buttons would say "earlier message").
            update_id = press_on(self.person, self.edited, what)
            self.pending = (update_id, self.step, mark, self.edited)
            self.edited = None
            return
        pressed = board["message_id"] if board and kind == "press" else None
        if STEPS[self.step][1] == "Detention or arrest":
            self.edited = pressed
        if kind == "press":
            try:
                update_id = self.person.press(what, 2.0)
            except AssertionError:  # the screen is not there (an answer went missing)
                self.step, (kind, what, _) = 0, STEPS[0]
        if kind == "send":
            update_id = self.person.send(what)
        self.pending = (update_id, self.step, mark, pressed)

    def answered(self) -> bool:
        assert self.pending is not None
        _, step, mark, pressed = self.pending
        return STEPS[step][2](self.person.api, self.person.id, mark, pressed)


def press_on(person: Person, message_id: int, label: str) -> int:
    """Press `label` on one given message of the person's chat (as Person.press does on
    the newest)."""
    api = person.api
    with api._cond:
        message = api.messages[(person.id, message_id)]
    data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row if b["text"] == label or b["text"].startswith(label + " ("))
    person.since = api.mark()
    return api.enqueue({"callback_query": {
        "id": f"cb{person.id}-{time.monotonic_ns()}",
        "from": person._user(),
        "chat_instance": f"ci{person.id}",
        "data": data,
        "message": {"message_id": message_id, "date": message["date"], "chat": person._chat(),
                    "from": message["from"], "text": message.get("text", "")},
    }})


def integrity(data: Path) -> str:
    with sqlite3.connect(f"file:{data / 'sp-advisor.db'}?mode=ro", uri=True) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def kill_after(api: FakeBotApi, bot: subprocess.Popen[bytes], calls: int, limit: float) -> int:
    """SIGKILL once the bot made `calls` more Bot API calls (or after `limit` seconds)."""
    start = api.mark()
    deadline = time.monotonic() + limit
    while api.mark() < start + calls and time.monotonic() < deadline:
        time.sleep(0.002)
    made = api.mark() - start
    bot.send_signal(signal.SIGKILL)
    bot.wait(timeout=10)
    return made


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--rounds", type=int, default=None, help="kills (default 200; --quick 20)")
    p.add_argument("--people", type=int, default=8, help="people talking at once (default 8)")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="stop starting rounds after this long (default 900; --quick 120)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rounds = args.rounds or (20 if args.quick else 200)
    max_seconds = args.max_seconds or (120.0 if args.quick else 900.0)
    cmd = "python bench/soak_kill.py" + (" --quick" if args.quick else "") + (
        f" --rounds {args.rounds}" if args.rounds else "")
    rng = random.Random(args.seed)
    print(f"{cmd}: {machine()}")
    print(f"{rounds} rounds at most, {args.people} people, at most {max_seconds:.0f} s; the fake "
          "Bot API on 127.0.0.1 with flood control at 30 sends/s\n")

    began = time.monotonic()
    totals: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="sp-soak-") as tmp, FakeBotApi(TOKEN) as api:
        data, err = Path(tmp) / "data", Path(tmp) / "stderr.txt"
        api.sends_per_second = 30
        walkers = [Walker(api.person(930_000 + i, f"P{i}")) for i in range(args.people)]
        bot = start_bot(api, data, err)
        done_rounds = 0
        try:
            for r in range(1, rounds + 1):
                if time.monotonic() - began > max_seconds:
                    break
                # Everyone waits for the answer to their last step (the bot was restarted).
                late = wait_answers(walkers, ANSWER_TIMEOUT)
                for walker in late:
                    assert walker.pending is not None
                    walker.unanswered.append(walker.pending[0])
                    walker.step_of[walker.pending[0]] = walker.pending[1]
                    walker.step = 0  # start again
                    walker.pending = None
                for walker in walkers:
                    if walker.pending is not None:
                        walker.step = (walker.pending[1] + 1) % len(STEPS)
                        walker.pending = None
                # Faults on the way back, now and then.
                fault = ""
                if r % 10 == 0:  # carried out, then the connection drops before the answer
                    api.lose_answer("sendMessage", times=rng.randint(1, 2))
                    fault = "answer lost"
                elif r % 5 == 0:
                    api.drop("sendMessage", times=rng.randint(1, 2))
                    fault = "dropped"
                elif r % 7 == 0:
                    api.fail("sendMessage", 429, "Too Many Requests: retry after 1",
                             retry_after=1)
                    fault = "429"
                for walker in walkers:
                    walker.act()
                target = rng.randint(1, 2 * args.people)
                made = kill_after(api, bot, target, limit=3.0)
                check = integrity(data)
                bot = start_bot(api, data, err)
                done_rounds = r
                totals["steps"] += len(walkers)
                totals["late"] += len(late)
                if check != "ok":
                    totals["integrity failures"] += 1
                print(f"round {r}: killed after {made} calls{f' ({fault})' if fault else ''}, "
                      f"{len(late)} steps of the last round unanswered in "
                      f"{ANSWER_TIMEOUT:.0f} s, integrity_check {check}", flush=True)
            late = wait_answers(walkers, ANSWER_TIMEOUT)
            for walker in late:
                assert walker.pending is not None
                walker.unanswered.append(walker.pending[0])
            time.sleep(1.0)  # let anything still queued go out
        finally:
            status = _stop(bot)
        report(api, data, walkers, done_rounds, totals, status, cmd, time.monotonic() - began)
    return 0


def wait_answers(walkers: list[Walker], timeout: float) -> list[Walker]:
    deadline = time.monotonic() + timeout
    waiting = [w for w in walkers if w.pending is not None]
    while waiting and time.monotonic() < deadline:
        waiting = [w for w in waiting if not w.answered()]
        if waiting:
            time.sleep(0.02)
    return waiting


def report(
    api: FakeBotApi, data: Path, walkers: list[Walker], rounds: int, totals: Counter[str],
    status: int, cmd: str, seconds: float,
) -> None:
    with sqlite3.connect(f"file:{data / 'sp-advisor.db'}?mode=ro", uri=True) as db:
        final_check = str(db.execute("PRAGMA integrity_check").fetchone()[0])
        processed = {int(u) for (u,) in db.execute("SELECT update_id FROM updates")}
        inbox = int(db.execute("SELECT count(*) FROM inbox").fetchone()[0])
        outbox = int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])
        ledger = {(str(o), int(m)) for o, m in db.execute("SELECT owner, message_id FROM ledger")}
    # The ledger holds the person's own message ids too (numbered per chat): look a bot
    # message up under its chat's owner, with the bot's key (a key file in the folder).
    sealer = Sealer(load_key(data, None, None))
    owner_of = {w.person.id: sealer.pseudonym("telegram", w.person.id) for w in walkers}

    def recorded(chat: int, mid: int) -> bool:
        return (owner_of[chat], mid) in ledger

    unanswered = [u for w in walkers for u in w.unanswered]
    lost = [u for u in unanswered if u not in processed]
    not_answered = [u for u in unanswered if u in processed]
    with api._cond:
        sent = {(chat, mid): str(m.get("text", "")) for (chat, mid), m in api.messages.items()}
        edited = {mid for (_, mid), m in api.messages.items() if m.get("edit_date")}
        earlier = sum(
            1 for c in api.calls
            if c.method in ("sendMessage", "editMessageText") and EARLIER in str(
                c.params.get("text", ""))
        )
        steps = sum(1 for c in api.calls if c.method == "getUpdates")
    missing = [(chat, mid) for (chat, mid) in sent if not recorded(chat, mid)]
    copies = 0
    for chat, mid in missing:
        twin = any(c == chat and other != mid and text == sent[(chat, mid)] and recorded(c, other)
                   for (c, other), text in sent.items())
        copies += twin
    # A step answered twice with both messages recorded: the same text twice in a row.
    doubled_answers = 0
    recorded_by_edit = 0  # a copy resent after a kill; the first recorded later by an edit
    doubled_examples: list[str] = []
    by_chat: dict[int, list[tuple[int, str]]] = {}
    for (chat, mid), text in sorted(sent.items(), key=lambda kv: kv[0][1]):
        by_chat.setdefault(chat, []).append((mid, text))
    for chat, messages in by_chat.items():
        for (m1, t1), (m2, t2) in itertools.pairwise(messages):
            if t1 == t2 and recorded(chat, m1) and recorded(chat, m2):
                if m1 in edited or m2 in edited:
                    recorded_by_edit += 1
                    continue
                doubled_answers += 1
                doubled_examples.append(f"messages {m1} and {m2}: {t1[:50]!r}")
    print(f"\n== totals after {rounds} kills in {seconds:.0f} s  [{cmd}]")
    print(table(["figure", "count"], [
        ["kills (SIGKILL)", rounds],
        ["steps taken (updates sent)", totals["steps"]],
        ["updates lost (never processed)", len(lost)],
        ["transitions doubled: 'earlier message' answers", earlier],
        ["transitions doubled: one answer shown twice, both recorded", doubled_answers],
        ["processed updates not answered", len(not_answered)],
        ["sent messages not in the ledger", len(missing)],
        ["  of which copies resent after a kill cut off the answer", copies],
        ["copies resent after a kill whose first was recorded later by an edit",
         recorded_by_edit],
        ["integrity_check failures after a kill", totals["integrity failures"]],
        ["final integrity_check", final_check],
        ["left in inbox / outbox after a clean stop", f"{inbox} / {outbox}"],
        ["exit status of the clean stop (SIGINT)", status],
        ["getUpdates calls", steps],
    ]))
    for example in doubled_examples[:10]:
        print("shown twice, both recorded:", example)
    step_of = {u: STEPS[s][:2] for w in walkers for u, s in w.step_of.items()}
    for update_id in not_answered[:10]:
        print(f"processed, not answered: update {update_id}, step {step_of.get(update_id)}")


if __name__ == "__main__":
    raise SystemExit(main())
