"""Storage at scale: a million stored people, startup after a day down, the purge and
the housekeeping scan in small batches, the p99 of one update, counters over weeks.

Run from the repository root: `python bench/storage.py [--quick] [--rebuild]`.

1. A data dir with 1,000,000 stored people (`--quick`: 100,000) is built once and
   cached under /tmp (`--rebuild` builds it again). Rows are written directly with
   executemany in big transactions, as the bot would leave them a day after it went
   down: sessions idle up to 31 days; the message ledger with ids of the last 72
   hours (about 10 per person active then; the purge keeps 48 hours) and a count
   per person in `ledger_old`; update ids of the last 72 hours; auto-delete on
   (1%, one hour) and reminders that fell due while it was down (1%); a year of
   counters. Every session is sealed for its owner as the store seals it (one
   finder result, padded to the session block; 2% with a draft half done inside
   it), so a purge or an update opens it as it would in service.
2. Startup: a fresh Python process (imports done before the clock starts) opens
   `Runtime.open` (which no longer purges), builds and initializes the Telegram
   `Application` on the recording request of tests/bot/fake_telegram.py, reads the
   inbox as `serve` does, and handles one person's first update the durable way
   (intake, handle_incoming, the sender). Median of several processes.
3. On a copy of that store, at "a day after it went down": the purge (`Runtime.purge`,
   batches of at most PURGE_BATCH rows of each kind, fewer while they take long) and
   the housekeeping scan
   (`queue_reminders`, `queue_autodeletes`, looped as `Housekeeping.once` does),
   each batch transaction timed, while a probe on the event loop records how long
   a callback due every millisecond had to wait (what an update arriving then
   waits), and real updates (`Advisor.handle`) arrive every 20 ms.
4. p50/p95/p99 of one update's engine + storage (`Advisor.handle`: begin_update,
   the engine, one commit with the outbox rows) on the purged copy, the checkpoint
   thread running as in service.
5. Counters: the stats table's rows after each simulated week of people walking
   through the flows at random (a small store of its own).

The files are in the OS page cache when measured (just written or read): a cold
start after a reboot reads more from disk.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import finder_session, machine, median, parser, pct, rss_kib, table
from bot.advisor import Advisor, Chat
from bot.runtime import Runtime
from bot.settings import Settings
from bot.telegram.render import calls_for
from flows.model import Event
from flows.registry import ENGINE
from flows.submission import KEYS, MAX_ANSWER
from storage import store as store_module
from storage.batching import SLOW
from storage.crypto import Sealer, load_key
from storage.store import DB_FILE, PURGE_BATCH, PURGE_OWNERS, Store, yield_to_updates
from tests.bot.fake_telegram import TOKEN

DAY = 86_400
CACHE_VERSION = 4  # bump when the layout of the built store changes
PROBE = 77_000_001  # the Telegram user id whose first update is timed at startup


def settings_for(data_dir: Path, key: str) -> Settings:
    return Settings(TELEGRAM_BOT_TOKEN=TOKEN, data_dir=data_dir, secret_key=key)


# --- 1. building the store ------------------------------------------------------------


def cache_dir(people: int) -> Path:
    return Path(tempfile.gettempdir()) / f"sp-advisor-bench-{people}-v{CACHE_VERSION}"


def build(people: int, rebuild: bool) -> tuple[Path, str, int, float]:
    """(data dir, key, the moment it went down, seconds the build took; 0: cached)."""
    root = cache_dir(people)
    meta_file = root / "meta.json"
    if meta_file.exists() and not rebuild:
        meta = json.loads(meta_file.read_text())
        return root / "data", meta["key"], int(meta["down_at"]), 0.0
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    t0 = time.perf_counter()
    key = secrets.token_urlsafe(32)
    data = root / "data"
    down_at = int(time.time()) - DAY  # it went down a day ago (the purge runs at down + 1 day)
    asyncio.run(_create_schema(data, key))
    sealer = Sealer(load_key(data, key, None))
    _fill(data / DB_FILE, sealer, people, down_at)
    meta_file.write_text(json.dumps({"key": key, "down_at": down_at, "people": people}))
    return data, key, down_at, time.perf_counter() - t0


async def _create_schema(data: Path, key: str) -> None:
    store = await Store.open(data, Sealer(load_key(data, key, None)))
    await store.close()


def _fill(path: Path, sealer: Sealer, people: int, down_at: int) -> None:
    rng = random.Random(20_261_203)
    body = store_module._session_body(finder_session())
    # A draft half done: the first answers, a few hundred characters each. Drafts are
    # sealed inside the session (m004), padded with it to the same block size.
    draft = store_module._draft_json(
        {k: ("V1 was taken by P1 to L1. " * 40)[: MAX_ANSWER // 10] for k in KEYS[:4]}
    )
    owners = sorted(os.urandom(16).hex() for _ in range(people))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while building
    chunk = 100_000

    def insert(sql: str, rows: list[tuple[Any, ...]]) -> None:
        for start in range(0, len(rows), chunk):
            conn.execute("BEGIN")
            conn.executemany(sql, rows[start : start + chunk])
            conn.execute("COMMIT")

    # Sessions: last seen up to 31 days before it went down; 2% with a draft begun
    # then. Each sealed for its owner, as the store seals it.
    last_seen = [down_at - rng.randrange(31 * DAY) for _ in owners]

    def sealed_session(owner: str, t: int) -> bytes:
        with_draft = rng.random() < 0.02
        plaintext = store_module._session_plaintext(
            body,
            draft if with_draft else None,
            store_module._DraftClock(t, t, 1) if with_draft else None,
        )
        return sealer.seal(plaintext, table="sessions", field="payload", owner=owner)

    insert(
        "INSERT INTO sessions (owner, payload, updated_at) VALUES (?, ?, ?)",
        [(o, sealed_session(o, t), store_module._session_time(t))
         for o, t in zip(owners, last_seen, strict=True)],
    )
    # Active in the last 72 hours: about 10 message ids each in the ledger, update ids.
    active = [(o, t) for o, t in zip(owners, last_seen, strict=True) if t >= down_at - 3 * DAY]
    ledger: list[tuple[str, int, int]] = []
    updates: list[tuple[int, int]] = []
    message_id = 1_000
    update_id = 500_000_000
    for owner, t in active:
        for k in range(10):
            message_id += 1
            ledger.append((owner, message_id, t - 60 * (10 - k)))
        for k in range(9):
            update_id += 1
            updates.append((update_id, t - 60 * (9 - k)))
    insert("INSERT INTO ledger (owner, message_id, sent_at) VALUES (?, ?, ?)", ledger)
    insert("INSERT INTO updates (update_id, seen_at) VALUES (?, ?)", updates)
    # Older messages: only a count per person.
    insert(
        "INSERT INTO ledger_old (owner, count) VALUES (?, ?)",
        [(o, rng.randrange(5, 60)) for o in owners],
    )
    # Auto-delete after an hour (1% of the active people: their messages are due).
    with_autodelete = [o for o, _ in active if rng.random() < 0.10][: max(1, people // 100)]
    insert(
        "INSERT INTO chats (owner, chat, autodelete_seconds, updated_at) VALUES (?, ?, ?, ?)",
        [(o, sealer.seal(store_module._encode_chat(90_000_000 + i), table="chats",
                         field="chat", owner=o), 3600, down_at)
         for i, o in enumerate(with_autodelete)],
    )
    # Reminders (1%) that fell due while it was down.
    due = [(o, down_at + rng.randrange(DAY)) for o in rng.sample(owners, max(1, people // 100))]
    insert(
        "INSERT INTO reminders (owner, payload, due_at) VALUES (?, ?, ?)",
        [(o, sealer.seal(store_module._encode_reminder(91_000_000 + i, d, "database", "en"),
                         table="reminders", field="payload", owner=o), d)
         for i, (o, d) in enumerate(due)],
    )
    # A year of counters: 52 weeks x 250 (flow, step, event) cells.
    start = datetime.fromtimestamp(down_at, UTC) - timedelta(weeks=52)
    insert(
        "INSERT INTO stats (week, flow, step, event, count) VALUES (?, ?, ?, ?, ?)",
        [(store_module.iso_week(start + timedelta(weeks=w)), f"flow{c % 12}", f"step{c}",
          "enter", 10 + c) for w in range(52) for c in range(250)],
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


def wal_kib(data: Path) -> float:
    wal = data / (DB_FILE + "-wal")
    return wal.stat().st_size / 1024 if wal.exists() else 0.0


def fsync_tree(root: Path) -> None:
    """Write a fresh copy out to the disk first, so the kernel's writeback of it does not
    stall the writes measured next."""
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def file_sizes(data: Path) -> tuple[int, list[tuple[str, int]]]:
    total = sum(f.stat().st_size for f in data.iterdir() if f.name.startswith(DB_FILE))
    conn = sqlite3.connect(f"file:{data / DB_FILE}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    finally:
        conn.close()
    return total, [(str(n), int(s)) for n, s in rows]


# --- 2. startup, in a fresh process -------------------------------------------------


async def startup(data_dir: Path, key: str) -> dict[str, float]:
    from bot.telegram import build_application
    from bot.telegram.app import handle_incoming
    from bot.telegram.intake import owner_of
    from bot.telegram.sender import Pace
    from tests.bot.fake_telegram import RecordingRequest

    settings = settings_for(data_dir, key)
    update: dict[str, Any] = {
        # A new id in every process: a repeated one is taken for a redelivery.
        "update_id": secrets.randbelow(2**31 - 10**9) + 10**9,
        "message": {
            "message_id": 5,
            "date": int(time.time()),
            "chat": {"id": PROBE, "type": "private", "first_name": "Amina"},
            "from": {"id": PROBE, "is_bot": False, "first_name": "Amina", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    rss0 = rss_kib()
    t0 = time.perf_counter()
    runtime = await Runtime.open(settings, lock=True)
    t1 = time.perf_counter()
    request = RecordingRequest()
    app = build_application(runtime, request=request, pace=Pace(overall=None, per_chat=None))
    await app.initialize()
    sender = app.adapter.sender_for(app.bot)  # type: ignore[attr-defined]
    waiting = await runtime.store.inbox()
    t2 = time.perf_counter()
    owner = owner_of(runtime.sealer, update)
    for item in await runtime.store.intake([(update["update_id"], owner, update)]):
        await handle_incoming(app, item)
    await sender.drain()
    t3 = time.perf_counter()
    out = {"open_ms": (t1 - t0) * 1000, "app_ms": (t2 - t1) * 1000,
           "first_ms": (t3 - t2) * 1000, "rss_kib": float(rss_kib() - rss0),
           "inbox": float(len(waiting))}
    sent = [c for c in request.calls if c.method == "sendMessage"]
    if not sent or "Before we start" not in str(sent[-1].params.get("text")):
        raise SystemExit("the first update was not answered with the safety notice")
    await app.shutdown()
    await runtime.close()
    return out


def child(data_dir: str, key: str) -> int:
    print(json.dumps(asyncio.run(startup(Path(data_dir), key))))
    return 0


def run_child(data_dir: Path, key: str) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(data_dir)]
    # The key goes through stdin, not the command line (visible to other processes).
    done = subprocess.run(args, input=key, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the startup process failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- 3. purge and housekeeping under a probe ------------------------------------------


class Probe:
    """A callback due every millisecond on the event loop: how late each one ran is
    how long an update arriving then would have waited for the loop."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.at: list[float] = []  # perf_counter when each was due
        self._stop = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop:
            due = loop.time() + 0.001
            due_at = time.perf_counter() + 0.001
            await asyncio.sleep(0.001)
            self.lags.append(max(0.0, loop.time() - due) * 1000)
            self.at.append(due_at)

    def during(self, start: float, end: float) -> list[float]:
        return [lag for lag, at in zip(self.lags, self.at, strict=True) if start <= at <= end]

    def stop(self) -> None:
        self._stop = True


class Talker:
    """Real updates arriving every 20 ms: a person pressing through the finder."""

    def __init__(self, runtime: Runtime, now: datetime) -> None:
        self.runtime = runtime
        self.now = now
        self.latencies: list[float] = []
        self._stop = False

    async def run(self) -> None:
        user = 0
        while not self._stop:
            user += 1
            session_buttons: list[Any] = []
            for kind, payload in (("command", "/start"), ("press", 0), ("press", 0)):
                if self._stop:
                    return
                await asyncio.sleep(0.02)
                value = payload if kind == "command" else session_buttons[0].id
                t0 = time.perf_counter()
                handled = await self.runtime.advisor.handle(
                    _event(f"talker-{user}", kind, str(value)), _chat(5), now=self.now
                )
                self.latencies.append((time.perf_counter() - t0) * 1000)
                assert handled is not None
                session_buttons = [b for r in handled.replies for row in r.buttons for b in row]

    def stop(self) -> None:
        self._stop = True


_UPDATE_IDS = iter(range(3_000_000_000, 4_000_000_000))


def _event(user: str, kind: str, payload: str) -> Event:
    return Event(user=user, kind=kind, payload=payload, language="en",  # type: ignore[arg-type]
                 channel="telegram", update_id=next(_UPDATE_IDS))


def _chat(chat_id: int) -> Chat:
    return Chat(chat_id=chat_id, to_calls=lambda replies: calls_for(chat_id, replies))


class Timed:
    """Durations of one store method's calls (each is one transaction): wall time, and
    the CPU time of this thread (which a busy shared machine does not stretch)."""

    def __init__(self, store: Store, name: str, sync: bool) -> None:
        self.ms: list[float] = []
        self.cpu_ms: list[float] = []
        self.windows: list[tuple[float, float]] = []
        inner = getattr(store, name)
        if sync:
            def timed_sync(*args: Any, **kwargs: Any) -> Any:
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return inner(*args, **kwargs)
                finally:
                    self.ms.append((time.perf_counter() - t0) * 1000)
                    self.cpu_ms.append((time.thread_time() - c0) * 1000)

            setattr(store, name, timed_sync)
        else:
            async def timed(*args: Any, **kwargs: Any) -> Any:
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return await inner(*args, **kwargs)
                finally:
                    self.windows.append((t0, time.perf_counter()))
                    self.ms.append((time.perf_counter() - t0) * 1000)
                    self.cpu_ms.append((time.thread_time() - c0) * 1000)

            setattr(store, name, timed)


async def housekeeping(data: Path, key: str, down_at: int) -> dict[str, Any]:
    from bot.telegram.housekeeping import _reminder_line

    runtime = await Runtime.open(settings_for(data, key))
    now = datetime.fromtimestamp(down_at + DAY, UTC)
    store = runtime.store
    out: dict[str, Any] = {}
    try:
        for name, work in (("purge", "purge"), ("reminders", "queue_reminders"),
                           ("autodeletes", "queue_autodeletes")):
            probe, talker = Probe(), Talker(runtime, now)
            timed = Timed(store, "_purge_batch" if work == "purge" else work, work == "purge")
            checkpoint = Timed(store, "settle", sync=False)
            tasks = [asyncio.create_task(probe.run()), asyncio.create_task(talker.run())]
            await asyncio.sleep(0.1)
            t0 = time.perf_counter()
            result: Any
            if work == "purge":
                result = await runtime.purge(now)
            else:
                queued, after = 0, ""
                while True:
                    if work == "queue_reminders":
                        rows = await store.queue_reminders(now, _reminder_line)
                    else:
                        rows = await store.queue_autodeletes(now, after=after)
                    if not rows:
                        break
                    queued += len(rows)
                    after = max(row.owner for row in rows)
                    await yield_to_updates()
                result = queued
            total = time.perf_counter() - t0
            await asyncio.sleep(0.1)
            probe.stop()
            talker.stop()
            await asyncio.gather(*tasks)
            out[name] = {
                "batches": timed.ms, "cpu": timed.cpu_ms, "total_s": total, "result": result,
                "lags": probe.lags, "updates": talker.latencies, "checkpoint": checkpoint.ms,
                "lags_in_checkpoint": [lag for a, b in checkpoint.windows
                                       for lag in probe.during(a, b)],
                "wal_kib": wal_kib(data),
            }
            del store.__dict__["_purge_batch" if work == "purge" else work]
            store.__dict__.pop("settle", None)
        # 4. p99 of one update, on the purged store.
        out["latency"] = await update_latency(runtime, now)
    finally:
        await runtime.close()
    return out


async def update_latency(runtime: Runtime, now: datetime) -> tuple[list[float], list[float]]:
    """ms per `Advisor.handle` (engine + storage) over whole finder conversations: wall
    time, and this thread's CPU time."""
    people = 150 if QUICK else 600
    samples: list[float] = []
    cpu: list[float] = []
    for p in range(people):
        user = f"latency-{p}"
        buttons: list[Any] = []
        for kind, payload in (
            ("command", "/start"), ("press", "I understand, continue"), ("press", "English"),
            ("press", "Find the right UN expert"), ("press", "Detention or arrest"),
            ("press", "Defender, journalist or lawyer targeted"),
            ("press", "Protest, assembly or association"), ("press", "Done"), ("text", "Iran"),
        ):
            value = payload
            if kind == "press":
                value = next(b.id for b in buttons
                             if b.label.removeprefix("✓ ").startswith(payload))
            t0, c0 = time.perf_counter(), time.thread_time()
            handled = await runtime.advisor.handle(_event(user, kind, value), _chat(7), now=now)
            if p >= 10:  # the first people warm the caches
                samples.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            assert handled is not None
            buttons = [b for r in handled.replies for row in r.buttons for b in row]
            await asyncio.sleep(0)  # let the checkpoint thread's task be scheduled
    return samples, cpu


# --- 5. counters over simulated weeks -----------------------------------------------

TYPED = ["Iran", "yesterday", "I need help", "Colombia", "2026-01-01"]


async def counters(weeks: int, people: int, keep: int) -> list[tuple[str, int]]:
    """Stats rows after each simulated week, the retention (`Runtime.purge`'s
    `purge_stats`) keeping `keep` weeks, as SP_ADVISOR_STATS_KEEP_DAYS does in service."""
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="sp-bench-stats-") as tmp:
        key = secrets.token_urlsafe(32)
        sealer = Sealer(load_key(Path(tmp), key, None))
        store = await Store.open(Path(tmp), sealer)
        advisor = Advisor(ENGINE, store)
        out: list[tuple[str, int]] = []
        try:
            start = datetime(2026, 1, 5, 12, tzinfo=UTC)
            for week in range(weeks):
                now = start + timedelta(weeks=week)
                for p in range(people):
                    user = f"w{week}-p{p}"
                    event = Event(user=user, kind="command", payload="/start", language="en",
                                  channel="terminal", today=now.date())
                    for _ in range(25):  # a random walk through whatever the person sees
                        handled = await advisor.handle(event, None, now=now)
                        assert handled is not None
                        buttons = [b for r in handled.replies for row in r.buttons for b in row]
                        if buttons and rng.random() < 0.85:
                            event = event.model_copy(
                                update={"kind": "press", "payload": rng.choice(buttons).id})
                        else:
                            event = event.model_copy(
                                update={"kind": "text", "payload": rng.choice(TYPED)})
                await store.purge_stats(now - timedelta(weeks=keep))
                rows = await store.stats_rows()
                out.append((store_module.iso_week(now), len(rows)))
        finally:
            await store.close()
    return out


# --- the report -------------------------------------------------------------------------

QUICK = False


def main() -> int:
    global QUICK
    p = parser(__doc__)
    p.add_argument("--rebuild", action="store_true", help="build the cached store again")
    p.add_argument("--child", metavar="DATA_DIR", help=_internal())
    args = p.parse_args()
    if args.child:
        return child(args.child, sys.stdin.read().strip())
    QUICK = args.quick
    people = 100_000 if args.quick else 1_000_000
    starts = 3 if args.quick else 5
    cmd = f"python bench/storage.py{' --quick' if args.quick else ''}"
    print(f"{cmd}: {machine()}")

    data, key, down_at, built = build(people, args.rebuild)
    size, tables = file_sizes(data)
    print(f"\n== the store: {people:,} people, {size / 2**20:,.0f} MiB on disk "
          f"({f'built in {built:.0f} s' if built else 'cached'} at {data.parent})  [{cmd}]")
    print(table(["table or index", "MiB", "share"],
                [[n, s / 2**20, f"{100 * s / max(1, size):.0f}%"] for n, s in tables[:12]]))

    timed = [run_child(data, key) for _ in range(starts)]
    print(f"\n== startup a day after going down, {people:,} stored people, median of {starts} "
          "processes (no purge before polling)  [" + cmd + "]")
    print(table(["Runtime.open ms", "app init + inbox ms", "first update ms", "total ms",
                 "RSS +KiB"], [[
        median([t["open_ms"] for t in timed]), median([t["app_ms"] for t in timed]),
        median([t["first_ms"] for t in timed]),
        median([t["open_ms"] + t["app_ms"] + t["first_ms"] for t in timed]),
        median([t["rss_kib"] for t in timed]),
    ]]))

    with tempfile.TemporaryDirectory(prefix="sp-bench-copy-", dir=data.parent) as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        fsync_tree(copy)
        result = asyncio.run(housekeeping(copy, key, down_at))
        after, _ = file_sizes(copy)
    rows = []
    for name in ("purge", "reminders", "autodeletes"):
        r = result[name]
        batches, lags, updates = r["batches"], r["lags"], r["updates"]
        done = r["result"]
        what = (", ".join(f"{k} {getattr(done, k):,}" for k in
                          ("sessions", "updates", "ledger", "chats"))
                if name == "purge" else f"{done:,} rows queued")
        over = sum(1 for ms in batches if ms > 20) / max(1, len(batches))
        rows.append([
            name, len(batches), median(batches), pct(batches, 0.99), max(batches, default=0.0),
            f"{over:.2%}",
            pct(r["cpu"], 0.99), max(r["cpu"], default=0.0), r["total_s"],
            max(lags, default=0.0), max(updates, default=0.0), len(updates), what,
        ])
    print(f"\n== housekeeping at a day after going down (purge batches: at most {PURGE_BATCH} "
          f"rows of each kind and {PURGE_OWNERS} idle people, halved after a batch over "
          f"{SLOW * 1000:.0f} ms, starting at a quarter; queue_reminders 50, queue_autodeletes "
          f"500 ids), with an event-loop probe every 1 ms and an update every 20 ms  [{cmd}]")
    print(table(["work", "batches", "batch median ms", "p99 ms", "max ms", "> 20 ms", "CPU p99 ms",
                 "CPU max ms", "total s",
                 "longest wait ms", "update max ms", "updates", "removed / queued"], rows))
    purge = result["purge"]
    cp, in_cp = purge["checkpoint"], purge["lags_in_checkpoint"]
    print("longest wait: the most a callback due on the event loop was late (an update "
          "arriving then waits as long); update max: the slowest Advisor.handle meanwhile.\n"
          "the purge's closing step (`settle`: PASSIVE on the checkpoint thread, then one "
          f"write that lets the log start over): "
          f"{', '.join(f'{c:.0f} ms' for c in cp)}, longest wait on the loop meanwhile "
          f"{max(in_cp, default=0.0):.1f} ms; write-ahead log after the purge "
          f"{purge['wal_kib']:,.0f} KiB; file {after / 2**20:,.0f} MiB (pages freed inside "
          "the file are reused, not returned)")

    lat, lat_cpu = result["latency"]
    print(f"\n== one update's engine + storage (Advisor.handle: begin_update, engine, commit "
          f"with outbox rows), {len(lat):,} updates of finder conversations on the purged "
          f"{people:,}-person store, checkpoints running  [{cmd}]")
    print(table(["time", "p50 ms", "p95 ms", "p99 ms", "max ms"], [
        ["wall", median(lat), pct(lat, 0.95), pct(lat, 0.99), max(lat)],
        ["CPU of the loop thread", median(lat_cpu), pct(lat_cpu, 0.95), pct(lat_cpu, 0.99),
         max(lat_cpu)],
    ]))

    weeks, per_week, keep = (6, 20, 2) if args.quick else (10, 60, 4)
    grown = asyncio.run(counters(weeks, per_week, keep))
    print(f"\n== counters: stats rows after each simulated week ({per_week} new people a week, "
          f"random walks of 25 events), keeping {keep} weeks  [{cmd}]")
    growth = [grown[0][1]] + [b[1] - a[1] for a, b in itertools.pairwise(grown)]
    print(table(["week", "stats rows", "added this week"],
                [[w, n, g] for (w, n), g in zip(grown, growth, strict=True)]))
    print(f"every week adds its own cells (week, flow, step, event); the retention removes the "
          f"weeks older than the kept {keep}, so the rows stop growing once that many weeks "
          "are stored (in service: SP_ADVISOR_STATS_KEEP_DAYS, default 730 days).")
    return 0


def _internal() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    raise SystemExit(main())
