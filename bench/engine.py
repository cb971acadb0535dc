"""The pure engine: µs per `ENGINE.handle` on the finder conversation, fresh and heavy.

Run from the repository root: `python bench/engine.py [--quick]`.

1. The finder conversation (/start -> notice -> English -> "Find the right UN
   expert" -> three situations -> Done -> "Iran" -> result) replayed from an empty
   session many times: µs per event (median, p95) for each step, and events/s.
2. The tail of that conversation (three situations, Done, "Iran") on a session
   at mandate.what that is as heavy as a session gets: history at the engine's cap
   (HISTORY_LIMIT), answers from many flows (a seeded random walk), and a draft with
   every submission answer at its maximum length, against the same tail on a
   light session. `Engine.handle` deep-copies the session, so this shows what the
   size of a session costs.

No I/O and no storage: only `flows`.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    FINDER,
    FINDER_STEPS,
    label_matches,
    machine,
    median,
    parser,
    pct,
    table,
)
from flows.engine import HISTORY_LIMIT
from flows.model import Event, Outcome, Session
from flows.registry import ENGINE
from flows.submission import KEYS, MAX_ANSWER

TODAY = date(2026, 5, 1)
USER = "bench-user"


def event(kind: str, payload: str, message_id: int | None = None) -> Event:
    return Event(
        user=USER,
        kind=kind,  # type: ignore[arg-type]
        payload=payload,
        language="en",
        channel="telegram",
        today=TODAY,
        message_id=message_id,
        meta={"bot_username": "sp_advisor_bench_bot"},
    )


def button_id(outcome: Outcome, label: str) -> str:
    for reply in outcome.replies:
        for row in reply.buttons:
            for b in row:
                if label_matches(b.label, label):
                    return b.id
    shown = [b.label for r in outcome.replies for row in r.buttons for b in row]
    raise SystemExit(f"the script expected a button {label!r}; on screen: {shown}")


def script(
    steps: list[tuple[str, str]], session: Session
) -> tuple[list[Event], list[Session]]:
    """The events of `steps` played from `session` (which must begin with a command),
    and the session before each one. Button ids carry the screen number, so a replay
    from the same session is exact."""
    events: list[Event] = []
    before: list[Session] = []
    outcome: Outcome | None = None
    message_id = 100
    for kind, payload in steps:
        if kind == "press":
            assert outcome is not None
            ev = event("press", button_id(outcome, payload))
        else:
            message_id += 1
            ev = event(kind, payload, message_id)
        before.append(session)
        outcome = ENGINE.handle(session, ev)
        session = outcome.session
        events.append(ev)
    return events, before


def replay(events: list[Event], session: Session) -> tuple[list[int], Session]:
    """ns per event for one pass."""
    times = []
    handle = ENGINE.handle
    clock = time.perf_counter_ns
    for ev in events:
        t0 = clock()
        outcome = handle(session, ev)
        times.append(clock() - t0)
        session = outcome.session
    return times, session


def measure(
    events: list[Event], start: Session, reps: int, final_state: str
) -> tuple[list[list[float]], float]:
    """Per-step µs samples and the total wall time of all passes (s)."""
    per_step: list[list[float]] = [[] for _ in events]
    for _ in range(max(3, reps // 20)):  # warm-up
        replay(events, start)
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(reps):
        times, end = replay(events, start)
        for i, ns in enumerate(times):
            per_step[i].append(ns / 1000)
    wall = time.perf_counter() - t0
    if end.state != final_state:
        raise SystemExit(f"the replay ended at {end.state!r}, not {final_state!r}")
    return per_step, wall


def heavy_session(at: Session) -> Session:
    """`at` (a session at mandate.what) made as heavy as sessions get."""
    rng = random.Random(7)
    s = Session()
    outcome = ENGINE.handle(s, event("command", "/start"))
    states: list[str] = []
    commands = ["/urgent", "/submission", "/reprisal", "/learn", "/safety", "/reminders"]
    for _ in range(1500):
        ids = [
            b.id
            for r in outcome.replies
            for row in r.buttons
            for b in row
            if b.id not in ("exit", "menu") and "!" not in b.id
        ]
        if not ids or rng.random() < 0.03:
            outcome = ENGINE.handle(outcome.session, event("command", rng.choice(commands)))
        else:
            outcome = ENGINE.handle(outcome.session, event("press", rng.choice(ids)))
        states.append(outcome.session.state)
    walked = outcome.session
    answers = {**walked.answers, **at.answers}
    answers.pop("mandate", None)  # the tail presses its own situations
    history = [s for s in states if s != "menu.main"][-(HISTORY_LIMIT - 1) :]
    filler = "V1 was taken by P1 to L1. " * (MAX_ANSWER // 26)
    return at.model_copy(
        update={
            "history": [*history, "menu.main"][-HISTORY_LIMIT:],
            "answers": answers,
            "draft": {key: filler[:MAX_ANSWER] for key in KEYS} | {"lang": "en"},
        },
        deep=True,
    )


def rows(samples: list[list[float]], names: list[str]) -> list[list[object]]:
    out: list[list[object]] = []
    for name, s in zip(names, samples, strict=True):
        out.append([name, median(s), pct(s, 0.95), max(s)])
    return out


def main() -> int:
    args = parser(__doc__).parse_args()
    reps = 150 if args.quick else 3000
    print(f"bench/engine.py{' --quick' if args.quick else ''}: {machine()}")

    # 1. The whole conversation from an empty session.
    # The same empty session for the script and the replay: a new Session starts its
    # screen counter at random, and the scripted presses carry the screen number.
    empty = Session()
    events, before = script(FINDER, empty)
    samples, wall = measure(events, empty, reps, "mandate.result")
    n = reps * len(events)
    totals = [sum(s[i] for s in samples) for i in range(reps)]
    print(f"\n== finder conversation, {len(events)} events from an empty session, "
          f"{reps:,} passes (µs per ENGINE.handle)")
    print(table(["step", "median µs", "p95 µs", "max µs"], [
        *rows(samples, FINDER_STEPS),
        ["whole conversation", median(totals), pct(totals, 0.95), max(totals)],
    ]))
    all_events = [x for s in samples for x in s]
    print(f"all events: median {median(all_events):.0f} µs, p95 {pct(all_events, 0.95):.0f} µs;"
          f" {n / wall:,.0f} events/s ({wall:.2f} s for {n:,} events, loop included)")

    # 2. Light versus heavy session, on the tail that does not reset the session.
    tail = FINDER[4:]
    tail_names = FINDER_STEPS[4:]
    at_what = before[4]  # the session at mandate.what, just before the first situation
    # Button ids carry the screen number, which the heavy session keeps: one replay fits both.
    light_events = heavy_events = events[4:]
    heavy = heavy_session(at_what)
    tail_reps = max(reps, 200)
    light, light_wall = measure(light_events, at_what, tail_reps, "mandate.result")
    heavy_s, heavy_wall = measure(heavy_events, heavy, tail_reps, "mandate.result")

    def size(s: Session) -> str:
        return (f"{len(s.model_dump_json()):,} B JSON, history {len(s.history)}, "
                f"{len(s.answers)} flows' answers, draft {len(s.draft or {})} answers")

    print(f"\n== the tail (3 situations, Done, Iran) on a light and a heavy session, "
          f"{tail_reps:,} passes")
    print(f"light: {size(at_what)}")
    print(f"heavy: {size(heavy)}")
    lr, hr = rows(light, tail_names), rows(heavy_s, tail_names)
    print(table(
        ["step", "light median", "light p95", "heavy median", "heavy p95", "heavy/light"],
        [[a[0], a[1], a[2], b[1], b[2], f"{b[1] / a[1]:.2f}x"]  # type: ignore[operator]
         for a, b in zip(lr, hr, strict=True)],
    ))
    tn = tail_reps * len(tail)
    print(f"events/s: light {tn / light_wall:,.0f}, heavy {tn / heavy_wall:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
