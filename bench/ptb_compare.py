"""Our whole Telegram path against python-telegram-bot's own ConversationHandler.

Run from the repository root: `python bench/ptb_compare.py [--quick] [--profile]`.

The same finder conversation (/start -> notice -> English -> "Find the right UN
expert" -> three situations -> Done -> "Iran" -> result), nine updates per person,
every person a new Telegram user, is fed to two `Application`s with
`app.process_update(Update.de_json(...))` on the recording request object of
tests/bot/fake_telegram.py (no network):

* ptb:  a `ConversationHandler` (CommandHandler, CallbackQueryHandler,
        MessageHandler per state), answers in `context.user_data`, in memory, no
        persistence. It shows the same texts and keyboards and makes the same Bot
        API calls (the result is `flows.mandate.recommendation`, the country
        `flows.mandate.parse_country`), so the work is comparable.
* ours: the real `Application` of `bot.telegram.build_application` on a real
        `Runtime` in a temporary data dir: pseudonym, per-person lock, sealed
        session loaded from and committed to SQLite in one transaction per update,
        update id recorded, message ids recorded in the ledger.

Printed: updates/s and ms per update (median, p95), overall and per step, for each
and the ratio; Bot API calls per update; where our time goes (awaited time per
stage, by wrapping the runtime's store, engine and request); memory with
tracemalloc (peak during the run, what stays afterwards, and the growth per person
over the second half of the run, x 1,000), plus what PTB keeps per id. tracemalloc
slows both paths about 4x, so the memory run has 300 people, not 1,000, to keep
the script near a minute. `--profile` adds a cProfile of our path (main thread;
the storage thread's work shows as time waiting in epoll).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import pstats
import secrets
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench._common import (
    FINDER,
    FINDER_STEPS,
    label_matches,
    machine,
    median,
    parser,
    pct,
    rss_kib,
    table,
)
from bot.runtime import Runtime
from bot.settings import Settings
from bot.telegram import AnyApplication, build_application
from flows import mandate
from flows.catalog import load_catalog
from flows.engine import CHOOSE_ONE, LABEL_BACK, LABEL_EXIT, LABEL_MENU
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.model import View
from flows.start import NOTICE_TELEGRAM
from tests.bot.fake_telegram import TOKEN, RecordingRequest

Ctx = ContextTypes.DEFAULT_TYPE
CATALOG = load_catalog()
FIRST_USER = 10_000_000

# --- python-telegram-bot's way: a ConversationHandler --------------------------

NOTICE, LANGUAGE, MENU, WHAT, COUNTRY, RESULT = range(6)


def _kb(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for data, label in row] for row in rows]
    )


def _t(context: Ctx) -> Any:
    assert context.user_data is not None
    return translator(context.user_data.get("locale", "en"))


def _nav(t: Any, back: bool = True, sensitive: bool = False) -> list[list[tuple[str, str]]]:
    rows = [[*([("back", t(LABEL_BACK))] if back else []), ("menu", t(LABEL_MENU))]]
    if sensitive:
        rows.append([("exit", t(LABEL_EXIT))])
    return rows


def _situation_rows(t: Any, chosen: list[str]) -> list[list[tuple[str, str]]]:
    rows = [
        [(f"s:{s.id}", ("✓ " if s.id in chosen else "") + t(s.label))]
        for s in CATALOG.situations
    ]
    done = t.n(("Done ({count} chosen)", "Done ({count} chosen)"), len(chosen)) if chosen else (
        t("Done")
    )
    return [*rows, [("done", done)], *_nav(t, sensitive=True)]


async def ptb_start(update: Update, context: Ctx) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data.clear()
    t = _t(context)
    await context.bot.send_message(
        update.effective_chat.id,
        t(NOTICE_TELEGRAM),
        reply_markup=_kb([
            [("ok", t("I understand, continue"))],
            [("ok1h", t("Continue, auto-delete after 1 hour"))],
            [("ok24h", t("Continue, auto-delete after 24 hours"))],
        ]),
    )
    return NOTICE


async def ptb_notice(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    t = _t(context)
    await context.bot.send_message(
        update.effective_chat.id,
        t("Choose your language. You can change it at any time with /language."),
        reply_markup=_kb([*[[(c, NATIVE_NAMES[c])] for c in SHIPPED], *_nav(t)]),
    )
    return LANGUAGE


async def ptb_language(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert context.user_data is not None
    await query.answer()
    context.user_data["locale"] = query.data
    t = _t(context)
    await context.bot.send_message(
        update.effective_chat.id,
        t("What would you like to do?"),
        reply_markup=_kb([
            [("mandate", t("Find the right UN expert"))],
            [("reprisal", t("Report a reprisal"))],
            [("urgency", t("Is it urgent?"))],
            [("submission", t("Prepare a submission"))],
            [("safety", t("Safety"))],
            [("learn", t("Learn how the UN experts work"))],
            [("language", t("Language"))],
            [("about", t("About this bot"))],
        ]),
    )
    return MENU


async def ptb_finder(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert context.user_data is not None
    await query.answer()
    context.user_data["situations"] = []
    t = _t(context)
    await context.bot.send_message(
        update.effective_chat.id, t(mandate.ASK_WHAT), reply_markup=_kb(_situation_rows(t, []))
    )
    return WHAT


async def ptb_toggle(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    chosen: list[str] = context.user_data["situations"]
    value = query.data.removeprefix("s:")
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)
    t = _t(context)
    await query.edit_message_text(t(mandate.ASK_WHAT), reply_markup=_kb(_situation_rows(t, chosen)))
    return WHAT


async def ptb_done(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert context.user_data is not None
    await query.answer()
    t = _t(context)
    if not context.user_data["situations"]:
        await context.bot.send_message(update.effective_chat.id, t(CHOOSE_ONE))
        return WHAT
    await context.bot.send_message(
        update.effective_chat.id,
        t(mandate.ASK_COUNTRY),
        reply_markup=_kb([[("skip", t("Prefer not to say"))], *_nav(t, sensitive=True)]),
    )
    return COUNTRY


async def ptb_country(update: Update, context: Ctx) -> int:
    message = update.message
    assert message is not None and message.text is not None and context.user_data is not None
    t = _t(context)
    view = View(t=t, channel="telegram")
    parsed = mandate.parse_country(message.text, view)
    if not parsed.ok:
        await message.reply_text(t(parsed.error, **parsed.error_values))
        return COUNTRY
    context.user_data["country"] = parsed.value
    answers = mandate.MandateAnswers.model_validate(context.user_data)
    texts = mandate.recommendation(View(answers={"mandate": answers}, t=t, channel="telegram"))
    for text in texts[:-1]:
        await context.bot.send_message(message.chat_id, text)
    await context.bot.send_message(
        message.chat_id,
        texts[-1],
        reply_markup=_kb([
            [("next", t("Next: is it urgent?"))],
            [("again", t("Start again"))],
            *_nav(t, sensitive=True),
        ]),
    )
    return RESULT


def ptb_application(request: RecordingRequest) -> AnyApplication:
    app: AnyApplication = (
        Application.builder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .defaults(Defaults(protect_content=True))
        .job_queue(None)
        .build()
    )
    with warnings.catch_warnings():
        # per_message=False with CallbackQueryHandlers: PTB warns, and it is what we want.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation: ConversationHandler[Ctx] = ConversationHandler(
            entry_points=[CommandHandler("start", ptb_start)],
            states={
                NOTICE: [CallbackQueryHandler(ptb_notice, pattern=r"^ok")],
                LANGUAGE: [
                    CallbackQueryHandler(ptb_language, pattern=rf"^({'|'.join(SHIPPED)})$")
                ],
                MENU: [CallbackQueryHandler(ptb_finder, pattern=r"^mandate$")],
                WHAT: [
                    CallbackQueryHandler(ptb_toggle, pattern=r"^s:"),
                    CallbackQueryHandler(ptb_done, pattern=r"^done$"),
                ],
                COUNTRY: [MessageHandler(filters.TEXT & ~filters.COMMAND, ptb_country)],
                RESULT: [CallbackQueryHandler(ptb_finder, pattern=r"^again$")],
            },
            fallbacks=[CommandHandler("start", ptb_start)],
        )
    app.add_handler(conversation)
    return app


# --- driving either application ------------------------------------------------


class Bench:
    """One application on a recording request, fed the finder conversation."""

    def __init__(self, name: str, app: AnyApplication, request: RecordingRequest) -> None:
        self.name = name
        self.app = app
        self.request = request
        self.errors: list[BaseException] = []
        self.update_id = 1_000_000
        self.message_id = 1
        self.callback: list[str | None] = []  # per FINDER step, learned from the first person
        self.calls: Counter[str] = Counter()

        async def record(update: object, context: Ctx) -> None:
            if context.error is not None:
                self.errors.append(context.error)

        app.add_error_handler(record)

    def _update(self, uid: int, kind: str, payload: str) -> dict[str, Any]:
        self.update_id += 1
        self.message_id += 1
        user = {"id": uid, "is_bot": False, "first_name": "Amina", "language_code": "en"}
        chat = {"id": uid, "type": "private", "first_name": "Amina"}
        if kind == "press":
            message = {
                "message_id": 1,
                "date": 1_777_000_000,
                "chat": chat,
                "from": {"id": 987654, "is_bot": True, "first_name": "SP Advisor"},
                "text": "…",
            }
            query = {
                "id": f"cbq-{self.update_id}",
                "from": user,
                "chat_instance": f"ci-{uid}",
                "data": payload,
                "message": message,
            }
            return {"update_id": self.update_id, "callback_query": query}
        fields: dict[str, Any] = {"text": payload}
        if payload.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(payload)}]
        message = {
            "message_id": self.message_id,
            "date": 1_777_000_000,
            "chat": chat,
            "from": user,
            **fields,
        }
        return {"update_id": self.update_id, "message": message}

    def _keyboard_data(self, uid: int, label: str) -> str:
        for call in reversed(self.request.calls):
            markup = call.params.get("reply_markup")
            if call.params.get("chat_id") != uid or not markup:
                continue
            for row in markup["inline_keyboard"]:
                for button in row:
                    if label_matches(button["text"], label):
                        return str(button["callback_data"])
        raise SystemExit(f"{self.name}: no button {label!r} was shown")

    async def learn(self, uid: int) -> None:
        """Talk through the conversation once by button labels; remember the callback
        data (the same for every new person) and check the result was shown."""
        self.request.calls.clear()
        for kind, payload in FINDER:
            if kind == "press":
                data = self._keyboard_data(uid, payload)
                self.callback.append(data)
                await self._feed(self._update(uid, "press", data))
            else:
                self.callback.append(None)
                await self._feed(self._update(uid, kind, payload))
        self._check_result()
        self.request.calls.clear()
        self.request.messages.clear()

    def _check_result(self) -> None:
        texts = [str(c.params.get("text", "")) for c in self.request.calls]
        if not any("Lead expert:" in t and "Arbitrary Detention" in t for t in texts):
            raise SystemExit(f"{self.name}: the conversation did not reach the result")

    async def _feed(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))
        if self.errors:
            raise SystemExit(f"{self.name}: a handler failed: {self.errors[0]!r}")

    def updates_of(self, uid: int) -> list[dict[str, Any]]:
        return [
            self._update(uid, kind, data if data is not None else payload)
            for (kind, payload), data in zip(FINDER, self.callback, strict=True)
        ]

    async def conversation(self, uid: int, times: list[float] | None, check: bool) -> None:
        """The nine updates of one new person; ms per update appended to `times`."""
        for data in self.updates_of(uid):
            t0 = time.perf_counter()
            await self.app.process_update(Update.de_json(data, self.app.bot))
            if times is not None:
                times.append((time.perf_counter() - t0) * 1000)
        if self.errors:
            raise SystemExit(f"{self.name}: a handler failed: {self.errors[0]!r}")
        if check:
            self._check_result()
        self.calls.update(c.method for c in self.request.calls)
        self.request.calls.clear()
        self.request.messages.clear()


class Ours:
    """Our application on a fresh Runtime in a temporary data dir."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="sp-bench-")
        self.settings = Settings(
            TELEGRAM_BOT_TOKEN=TOKEN,
            data_dir=Path(self._tmp.name) / "data",
            secret_key=secrets.token_urlsafe(32),
        )
        self.runtime: Runtime | None = None
        self.bench: Bench | None = None

    async def __aenter__(self) -> Bench:
        self.runtime = await Runtime.open(self.settings)
        request = RecordingRequest()
        app = build_application(self.runtime, request=request)
        await app.initialize()
        self.bench = Bench("ours", app, request)
        return self.bench

    async def __aexit__(self, *exc: object) -> None:
        assert self.bench is not None and self.runtime is not None
        await self.bench.app.shutdown()
        await self.runtime.close()
        self._tmp.cleanup()


class Ptb:
    def __init__(self) -> None:
        self.bench: Bench | None = None

    async def __aenter__(self) -> Bench:
        request = RecordingRequest()
        app = ptb_application(request)
        await app.initialize()
        self.bench = Bench("ptb", app, request)
        return self.bench

    async def __aexit__(self, *exc: object) -> None:
        assert self.bench is not None
        await self.bench.app.shutdown()


def opener(name: str) -> Ours | Ptb:
    return Ours() if name == "ours" else Ptb()


# --- measurements ----------------------------------------------------------------


async def speed(name: str, people: int) -> tuple[list[float], float, Counter[str], int]:
    """ms per update, wall seconds, Bot API calls, updates."""
    async with opener(name) as bench:
        await bench.learn(FIRST_USER - 1)
        for i in range(max(5, people // 10)):  # warm-up
            await bench.conversation(FIRST_USER - 1000 - i, None, check=True)
        bench.calls.clear()
        gc.collect()
        times: list[float] = []
        t0 = time.perf_counter()
        for i in range(people):
            await bench.conversation(FIRST_USER + i, times, check=(i % 50 == 0))
        wall = time.perf_counter() - t0
        return times, wall, bench.calls, len(times)


async def memory(name: str, people: int) -> dict[str, float]:
    """tracemalloc above the level before the run: peak during it, what stays after it;
    RSS growth; entries in PTB's own per-id sets and dicts afterwards."""
    async with opener(name) as bench:
        await bench.learn(FIRST_USER - 1)
        for i in range(10):  # warm caches (translations, PTB, SQLite pages) first
            await bench.conversation(FIRST_USER - 1000 - i, None, check=False)
        gc.collect()
        rss0 = rss_kib()
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        half = people // 2
        for i in range(half):
            await bench.conversation(FIRST_USER + i, None, check=False)
        gc.collect()
        at_half, _ = tracemalloc.get_traced_memory()
        sets_half = marked_bytes(bench.app)
        for i in range(half, people):
            await bench.conversation(FIRST_USER + i, None, check=False)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        app = bench.app
        marked = len(getattr(app, "_user_ids_to_be_updated_in_persistence", ()))
        sets = marked_bytes(app)
        conversations = sum(
            len(getattr(h, "_conversations", {})) for g in app.handlers.values() for h in g
        )
        return {
            "peak": (peak - base) / 1024,
            "kept": (current - base) / 1024,
            # Growth per person over the second half: one-time caches filled by then.
            "slope": (current - at_half) / (people - half),
            "sets": sets / 1024,
            "slope_no_sets": (current - at_half - (sets - sets_half)) / (people - half),
            "rss": float(rss_kib() - rss0),
            "user_data": float(len(app.user_data)),
            "conversations": float(conversations),
            "marked": float(marked),
        }


def marked_bytes(app: AnyApplication) -> int:
    """Bytes held by PTB's sets of user and chat ids "to be updated in persistence": filled
    by Application._mark_for_persistence_update after every update and emptied only by
    update_persistence, which does nothing without a persistence (PTB 22.8)."""
    total = 0
    seen: set[int] = set()
    for kind in ("user", "chat"):
        attr = f"_{kind}_ids_to_be_updated_in_persistence"
        ids = getattr(app, attr, set())
        total += sys.getsizeof(ids)
        for value in ids:
            if id(value) not in seen:  # here a user's and a chat's id are one int object
                seen.add(id(value))
                total += sys.getsizeof(value)
    return total


class Stages:
    """Awaited wall time per stage of our path, by wrapping the runtime's objects."""

    def __init__(self) -> None:
        self.ms: defaultdict[str, float] = defaultdict(float)
        self.n: Counter[str] = Counter()

    def wrap_async(self, obj: Any, attr: str, stage: str) -> None:
        inner: Callable[..., Awaitable[Any]] = getattr(obj, attr)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await inner(*args, **kwargs)
            finally:
                self.ms[stage] += (time.perf_counter() - t0) * 1000
                self.n[stage] += 1

        setattr(obj, attr, timed)

    def wrap_sync(self, obj: Any, attr: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(obj, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.ms[stage] += (time.perf_counter() - t0) * 1000
                self.n[stage] += 1

        setattr(obj, attr, timed)


class _TimedEngine:
    def __init__(self, engine: Any, stages: Stages) -> None:
        self.commands = engine.commands
        self._handle = engine.handle
        stages.wrap_sync(self, "_handle", "engine: ENGINE.handle")

    def handle(self, session: Any, event: Any) -> Any:
        return self._handle(session, event)


async def breakdown(people: int) -> list[list[object]]:
    owner = Ours()
    async with owner as bench:
        runtime = owner.runtime
        assert runtime is not None
        stages = Stages()
        store = runtime.store
        stages.wrap_async(store, "is_processed", "storage: is_processed (read)")
        stages.wrap_async(store, "load_session", "storage: load_session (read + unseal)")
        stages.wrap_async(store, "commit_update", "storage: commit_update (seal + txn)")
        stages.wrap_async(store, "record_messages", "storage: record_messages (txn)")
        runtime.advisor.engine = _TimedEngine(runtime.advisor.engine, stages)  # type: ignore[assignment]
        stages.wrap_async(bench.request, "do_request", "Bot API (recording request)")
        await bench.learn(FIRST_USER - 1)
        for i in range(5):
            await bench.conversation(FIRST_USER - 1000 - i, None, check=False)
        stages.ms.clear()
        stages.n.clear()
        times: list[float] = []
        for i in range(people):
            await bench.conversation(FIRST_USER + i, times, check=False)
    updates = len(times)
    measured = sum(times)
    rows: list[list[object]] = []
    for stage, ms in sorted(stages.ms.items(), key=lambda kv: -kv[1]):
        rows.append([stage, ms / updates, stages.n[stage] / updates, f"{100 * ms / measured:.0f}%"])
    rest = measured - sum(stages.ms.values())
    rows.append(["rest: de_json, PTB dispatch, adapter, Event, lock",
                 rest / updates, "", f"{100 * rest / measured:.0f}%"])
    rows.append(["total (this instrumented run)", measured / updates, "", "100%"])
    return rows


async def profile(people: int) -> str:
    async with opener("ours") as bench:
        await bench.learn(FIRST_USER - 1)
        for i in range(5):
            await bench.conversation(FIRST_USER - 1000 - i, None, check=False)
        prof = cProfile.Profile()
        prof.enable()
        for i in range(people):
            await bench.conversation(FIRST_USER + i, None, check=False)
        prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(22)
    stats.sort_stats("cumulative").print_stats(r"(bot|flows|storage|telegram/ext|selectors)", 25)
    return out.getvalue()


async def run(quick: bool, with_profile: bool) -> None:
    people = 20 if quick else 250
    # tracemalloc slows both paths about 4x: 300 people keep the script near a minute.
    mem_people = 30 if quick else 300
    print(f"bench/ptb_compare.py{' --quick' if quick else ''}: {machine()}")
    print(f"finder conversation: {len(FINDER)} updates per person, every person new\n")

    results = {}
    for name in ("ptb", "ours"):
        results[name] = await speed(name, people)
    rows = []
    for name in ("ptb", "ours"):
        times, wall, calls, n = results[name]
        per = sum(calls.values()) / n
        rows.append([
            name, n, n / wall, median(times), pct(times, 0.95), max(times),
            f"{per:.2f}",
        ])
    print(f"== speed: {people:,} people x {len(FINDER)} updates, one after another")
    print(table(
        ["path", "updates", "updates/s", "median ms", "p95 ms", "max ms", "API calls/update"],
        rows,
    ))
    ptb_wall = results["ptb"][1] / results["ptb"][3]
    ours_wall = results["ours"][1] / results["ours"][3]
    ratio = ours_wall / ptb_wall
    ours_med, ptb_med = median(results["ours"][0]), median(results["ptb"][0])
    print(f"ratio ours/ptb: {ratio:.2f}x the time per update (wall), "
          f"{ours_med / ptb_med:.2f}x at the median")
    k = len(FINDER)
    step_rows = []
    for i, step in enumerate(FINDER_STEPS):
        p_ms = results["ptb"][0][i::k]
        o_ms = results["ours"][0][i::k]
        step_rows.append([step, median(p_ms), pct(p_ms, 0.95), median(o_ms), pct(o_ms, 0.95),
                          f"{median(o_ms) / median(p_ms):.2f}x"])
    print(table(["step", "ptb median", "ptb p95", "ours median", "ours p95", "ours/ptb"],
                step_rows))
    calls_p = results["ptb"][2]
    calls_o = results["ours"][2]
    methods = sorted(set(calls_p) | set(calls_o))
    print("Bot API calls per conversation: " + ", ".join(
        f"{m} {calls_p[m] / people:g}/{calls_o[m] / people:g}" for m in methods
    ) + " (ptb/ours)")

    print(f"\n== where our time goes ({min(people, 100)} people, instrumented: awaited time "
          "per stage, storage thread hops included)")
    print(table(["stage", "ms/update", "calls/update", "share"],
                await breakdown(min(people, 100))))

    print(f"\n== memory: {mem_people:,} new people x {len(FINDER)} updates, after 10 people "
          "of warm-up (tracemalloc: Python allocations above the level before the run)")
    mem_rows = []
    for name in ("ptb", "ours"):
        m = await memory(name, mem_people)
        mem_rows.append([
            name, m["peak"], m["kept"], m["sets"], f"{m['slope']:,.0f}",
            f"{m['slope_no_sets']:,.0f}", m["slope"] * 1000 / 1024, m["rss"],
            int(m["user_data"]), int(m["conversations"]), int(m["marked"]),
        ])
    print(table([
        "path", "peak KiB", "kept KiB", "in id sets KiB", "growth B/person", "w/o id sets",
        "KiB/1k people", "RSS +KiB", "user_data", "conv. states", "marked ids",
    ], mem_rows))
    print("peak, kept: for these people. in id sets: PTB's own sets of ids to be updated in "
          "persistence, which grow in a plain Application with no persistence (ours marks none).\n"
          "growth: kept memory added per person over the second half of the people (caches "
          "warm by then; the id sets grow in steps when they resize), x 1,000 in KiB/1k.")
    print("user_data / conv. states / marked ids: entries left in the Application's "
          "user_data, in the ConversationHandler, and in Application._user_ids_to_be_updated_"
          "in_persistence (the chat-id set holds as many).\nSQLite's page cache is outside "
          "tracemalloc (RSS shows it, noisily).")

    if with_profile:
        print(f"\n== cProfile of our path, {min(people, 100)} people (main thread)")
        print(await profile(min(people, 100)))


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--profile", action="store_true", help="also print a cProfile of our path")
    args = p.parse_args()
    asyncio.run(run(args.quick, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
