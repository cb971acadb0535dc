"""Storage: startup with many stored people, and the cost of one update's transaction.

Run from the repository root: `python bench/storage.py [--quick]`.

1. Startup: a data dir holding 0, 1,000 and 10,000 other people's sealed sessions
   (written through `Store.commit_update`, as the bot writes them) plus the probe
   person's. A fresh Python process (imports done before the clock starts) opens
   `Runtime.open` (which also purges what retention allows: nothing here, every
   session is fresh; only sessions, update ids and ledger rows are stored),
   builds and initializes the real Telegram `Application` on the recording
   request of tests/bot/fake_telegram.py, and handles the probe
   person's first update (/start: their session is loaded and unsealed, the new
   one sealed and committed). Time (median of several processes) and memory
   (tracemalloc peak and what stays, RSS growth; a separate process, since
   tracing slows the clock) must not grow with the number of stored people.
2. Latency of `Store.commit_update` (seal + one transaction on the storage
   thread, awaited from the event loop), `load_session` and `is_processed`,
   median and p95 on each data dir (p99 on the largest): with a session only, and
   with a submission draft too. Every commit is a new update of a stored person.

The files are in the OS page cache when measured (they were just written): a
cold start after a reboot reads more from disk.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update

from bench._common import finder_session, machine, median, parser, pct, rss_kib, table
from bot.runtime import Runtime
from bot.settings import Settings
from bot.telegram import build_application
from flows.model import CountStat
from flows.submission import KEYS, MAX_ANSWER
from storage.crypto import Sealer, load_key
from storage.store import DB_FILE, Store
from tests.bot.fake_telegram import TOKEN, RecordingRequest

PROBE = 77_000_001  # the Telegram user id of the person whose first update is timed
FIRST = 80_000_000  # the other stored people: FIRST, FIRST + 1, ...


def settings_for(data_dir: Path, key: str) -> Settings:
    return Settings(TELEGRAM_BOT_TOKEN=TOKEN, data_dir=data_dir, secret_key=key)


STATS = [CountStat(flow="mandate", step="result", event="enter")]


async def fill(data_dir: Path, key: str, count: int) -> float:
    """Store `count` other people's sessions and the probe's; returns sessions/s."""
    settings = settings_for(data_dir, key)
    sealer = Sealer(load_key(settings.data_dir, key, None))
    store = await Store.open(settings.data_dir, sealer)
    session = finder_session()
    try:
        await store.commit_update(
            sealer.pseudonym("telegram", PROBE), session, update_id=None, stats=STATS
        )
        t0 = time.perf_counter()
        for i in range(count):
            owner = sealer.pseudonym("telegram", FIRST + i)
            await store.commit_update(owner, session, update_id=i + 1, stats=STATS,
                                      incoming=[i + 10])
        rate = count / (time.perf_counter() - t0) if count else float("nan")
        assert await store.count_sessions() == count + 1
    finally:
        await store.close()
    return rate


# --- the child process: one startup --------------------------------------------


async def startup(data_dir: Path, key: str, trace: bool) -> dict[str, float]:
    settings = settings_for(data_dir, key)
    update = {
        # A new id in every process: a repeated one is taken for a redelivery and ignored.
        "update_id": secrets.randbelow(2**31 - 10**9) + 10**9,
        "message": {
            "message_id": 5,
            "date": 1_777_000_000,
            "chat": {"id": PROBE, "type": "private", "first_name": "Amina"},
            "from": {"id": PROBE, "is_bot": False, "first_name": "Amina", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    rss0 = rss_kib()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    runtime = await Runtime.open(settings)
    t1 = time.perf_counter()
    request = RecordingRequest()
    app = build_application(runtime, request=request)
    errors: list[BaseException] = []

    async def record(update: object, context: Any) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    t2 = time.perf_counter()
    await app.process_update(Update.de_json(update, app.bot))
    t3 = time.perf_counter()
    out = {"open_ms": (t1 - t0) * 1000, "app_ms": (t2 - t1) * 1000, "first_ms": (t3 - t2) * 1000}
    if trace:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out |= {"peak_kib": peak / 1024, "kept_kib": current / 1024}
    out["rss_kib"] = float(rss_kib() - rss0)
    sent = [c for c in request.calls if c.method == "sendMessage"]
    if errors or not sent or "Before we start" not in str(sent[-1].params.get("text")):
        raise SystemExit(f"the first update was not answered with the safety notice: {errors!r}")
    await app.shutdown()
    await runtime.close()
    return out


def child(data_dir: str, key: str, trace: bool) -> int:
    print(json.dumps(asyncio.run(startup(Path(data_dir), key, trace))))
    return 0


def run_child(data_dir: Path, key: str, trace: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(data_dir), "--trace" if trace else "--time"]
    # The key goes through stdin, not the command line (visible to other processes).
    done = subprocess.run(args, input=key, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the startup process failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- commit latency ------------------------------------------------------------


async def latency(data_dir: Path, key: str, count: int, reps: int) -> list[list[object]]:
    settings = settings_for(data_dir, key)
    sealer = Sealer(load_key(settings.data_dir, key, None))
    store = await Store.open(settings.data_dir, sealer)
    session = finder_session()
    with_draft = session.model_copy(
        update={"draft": {k: ("V1 was taken by P1 to L1. " * 40)[:MAX_ANSWER // 4] for k in KEYS}},
        deep=True,
    )
    stats = [
        CountStat(flow="mandate", step="what", event="enter"),
        CountStat(flow="mandate", step="what", event="option"),
    ]
    rows: list[list[object]] = []
    update_id = 10**9 + secrets.randbelow(10**9)  # new ids, should this dir be measured again
    try:
        owners = [sealer.pseudonym("telegram", FIRST + (i * 7919) % max(count, 1))
                  for i in range(reps)]
        for name, value in (("commit_update, session", session),
                            ("commit_update, session + draft", with_draft)):
            for owner in owners[: max(20, reps // 10)]:  # warm-up (and first draft rows)
                update_id += 1
                await store.commit_update(owner, value, update_id=update_id, stats=stats,
                                          incoming=[update_id])
            samples = []
            for owner in owners:
                update_id += 1
                t0 = time.perf_counter_ns()
                ok = await store.commit_update(owner, value, update_id=update_id, stats=stats,
                                               incoming=[update_id])
                samples.append((time.perf_counter_ns() - t0) / 1000)
                assert ok
            rows.append([name, median(samples), pct(samples, 0.95), pct(samples, 0.99),
                         len(samples) / (sum(samples) / 1e6)])
        for name, call in (
            ("load_session (+ draft)", store.load_session),
            ("is_processed", None),
        ):
            samples = []
            for i, owner in enumerate(owners):
                t0 = time.perf_counter_ns()
                if call is None:
                    await store.is_processed(update_id - i)
                else:
                    assert await call(owner) is not None
                samples.append((time.perf_counter_ns() - t0) / 1000)
            rows.append([name, median(samples), pct(samples, 0.95), pct(samples, 0.99),
                         len(samples) / (sum(samples) / 1e6)])
        # One round trip to the storage thread doing nothing: the floor of every call.
        samples = []
        for _ in owners:
            t0 = time.perf_counter_ns()
            await store._call(lambda: None)
            samples.append((time.perf_counter_ns() - t0) / 1000)
        rows.append(["(empty round trip to the storage thread)", median(samples),
                     pct(samples, 0.95), pct(samples, 0.99), len(samples) / (sum(samples) / 1e6)])
    finally:
        await store.close()
    return rows


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--child", metavar="DATA_DIR", help=_internal())
    p.add_argument("--trace", action="store_true", help=_internal())
    p.add_argument("--time", action="store_true", help=_internal())
    args = p.parse_args()
    if args.child:
        return child(args.child, sys.stdin.read().strip(), args.trace)

    sizes = (0, 300, 1_000) if args.quick else (0, 1_000, 10_000)
    starts = 1 if args.quick else 5
    reps = 300 if args.quick else 3_000
    key = secrets.token_urlsafe(32)
    print(f"bench/storage.py{' --quick' if args.quick else ''}: {machine()}")
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
        fill_rates = []
        dirs: list[tuple[int, Path]] = []
        for n in sizes:
            data_dir = Path(tmp) / f"data-{n}"
            rate = asyncio.run(fill(data_dir, key, n))
            fill_rates.append((n, rate))
            timed = [run_child(data_dir, key, trace=False) for _ in range(starts)]
            traced = run_child(data_dir, key, trace=True)
            size = sum(f.stat().st_size for f in data_dir.iterdir() if f.name.startswith(DB_FILE))
            rows.append([
                f"{n:,}",
                f"{size / 1024:,.0f}",
                median([t["open_ms"] for t in timed]),
                median([t["app_ms"] for t in timed]),
                median([t["first_ms"] for t in timed]),
                median([t["open_ms"] + t["app_ms"] + t["first_ms"] for t in timed]),
                traced["peak_kib"],
                traced["kept_kib"],
                median([t["rss_kib"] for t in timed]),
            ])
            dirs.append((n, data_dir))
        print(f"\n== startup: Runtime.open, Application.initialize, first update (/start of a "
              f"stored person); median of {starts} process{'es' if starts > 1 else ''}, "
              "memory from one traced process")
        print(table([
            "others stored", "db KiB", "open ms", "app init ms", "1st update ms", "total ms",
            "peak KiB", "kept KiB", "RSS +KiB",
        ], rows))
        print("sessions written while filling (commit_update, one after another): " + ", ".join(
            f"{n:,}: {r:,.0f}/s" for n, r in fill_rates if n
        ))

        print(f"\n== latency, {reps:,} calls per data dir (awaited from the event loop, "
              "storage thread round trip included; µs)")
        by_size = [asyncio.run(latency(d, key, n, reps)) for n, d in dirs]
        headers = ["call"]
        for n, _ in dirs:
            headers += [f"{n:,}: median", "p95"]
        headers += ["p99", "calls/s"]
        lat_rows = []
        for i, row in enumerate(by_size[-1]):
            cells: list[object] = [row[0]]
            for rows_n in by_size:
                cells += [rows_n[i][1], rows_n[i][2]]
            lat_rows.append([*cells, row[3], row[4]])
        print(table(headers, lat_rows))
        print(f"(p99 and calls/s: the data dir with {dirs[-1][0]:,} others stored)")
    return 0


def _internal() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    raise SystemExit(main())
