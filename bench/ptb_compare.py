"""Our whole durable Telegram path against python-telegram-bot's own ConversationHandler.

Run from the repository root: `python bench/ptb_compare.py [--quick] [--profile]`.

The same finder conversation (/start -> notice -> English -> "Find the right UN
expert" -> three situations -> Done -> "Iran" -> result), nine updates per person,
every person a new Telegram user, on the recording request object of
tests/bot/fake_telegram.py (no network):

* ptb:  `app.process_update(Update.de_json(...))` on a `ConversationHandler`
        (CommandHandler, CallbackQueryHandler, MessageHandler per state), answers in
        `context.user_data`, in memory, no persistence. It shows the same texts and
        keyboards and makes the same Bot API calls as ours: a press edits the
        message pressed, typed text first takes the keyboard off the previous screen
        (`editMessageReplyMarkup`) and sends a new one (the result is
        `flows.mandate.recommendation`, the country `flows.mandate.parse_country`).
* ours: the durable path of `serve`, one update at a time: `Store.intake` of the raw
        update (sealed into the inbox, as the poller does), `handle_incoming` (the
        raw reading of text and presses, the advisor: session, engine, one
        transaction with the outbox rows), then the sender carrying out those rows
        until the request confirmed each and the sent ids are recorded, with
        `Pace(overall=None, per_chat=None)`.

The recording request answers as Telegram does: a sent or edited message comes back
with its keyboard, which PTB parses into objects and our sender reads as JSON.

Both run side by side in one process, interleaved: every round each side talks to
25 new people, who goes first alternating; printed per round: ms per update (wall
and CPU), and the throughput ratio; then the median of the paired ratios. Then the
same with the round's people talking at the same time (each step of the
conversation one getUpdates batch, taken into the inbox in one transaction as
`serve` does); then against PTB + `PicklePersistence` (its defaults,
`update_interval` 1 s) with 5,000 people stored on each side; where our time goes
(awaited time per stage); memory with tracemalloc (300 people: tracing slows both
paths about 4x).
`--profile` adds a cProfile of our path.
"""

from __future__ import annotations

import asyncio
import copy
import cProfile
import gc
import io
import pickle
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
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench._common import (
    FINDER,
    FINDER_STEPS,
    finder_session,
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
from bot.telegram.app import handle_incoming
from bot.telegram.intake import Dispatcher, owner_of
from bot.telegram.sender import Pace
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
STORED_USER = 20_000_000  # people stored before a run (the PicklePersistence comparison)
# Pacing is a wall-clock rule of Telegram's, not work; PTB's side has none either.
NO_PACE = Pace(overall=None, per_chat=None)

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
    # The same first screen as ours: its situations and the button to the groups'.
    rows = [
        [(f"s:{c.id}", ("✓ " if c.id in chosen else "") + t(c.label))]
        for c in mandate._situation_choices()
    ]
    done = t.n(("Done ({count} chosen)", "Done ({count} chosen)"), len(chosen)) if chosen else (
        t("Done")
    )
    return [*rows, [("done", done)], *_nav(t, sensitive=True)]


async def _screen(
    update: Update, context: Ctx, text: str, rows: list[list[tuple[str, str]]] | None
) -> None:
    """Show a screen as ours does: a press replaces the pressed message; anything else
    sends a new message and first takes the keyboard off the previous screen."""
    assert context.user_data is not None and update.effective_chat is not None
    markup = _kb(rows) if rows is not None else None
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=markup)
        context.user_data["kb"] = query.message.message_id
        return
    chat_id = update.effective_chat.id
    previous = context.user_data.get("kb")
    if previous is not None:
        await context.bot.edit_message_reply_markup(
            chat_id, previous, reply_markup=InlineKeyboardMarkup([])
        )
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    context.user_data["kb"] = sent.message_id if markup is not None else None


async def ptb_start(update: Update, context: Ctx) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data.clear()
    t = _t(context)
    await _screen(update, context, t(NOTICE_TELEGRAM), [
        [("ok", t("I understand, continue"))],
        [("ok1h", t("Continue, auto-delete after 1 hour"))],
        [("ok24h", t("Continue, auto-delete after 24 hours"))],
    ])
    return NOTICE


async def ptb_notice(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    t = _t(context)
    await _screen(
        update,
        context,
        t("Choose your language. You can change it at any time with /language."),
        [*[[(c, NATIVE_NAMES[c])] for c in SHIPPED], *_nav(t)],
    )
    return LANGUAGE


async def ptb_language(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert context.user_data is not None
    await query.answer()
    context.user_data["locale"] = query.data
    t = _t(context)
    await _screen(update, context, t("What would you like to do?"), [
        [("mandate", t("Find the right UN expert"))],
        [("reprisal", t("Report a reprisal"))],
        [("urgency", t("Is it urgent?"))],
        [("submission", t("Prepare a submission"))],
        [("safety", t("Safety"))],
        [("learn", t("Learn how the UN experts work"))],
        [("language", t("Language"))],
        [("about", t("About this bot"))],
    ])
    return MENU


async def ptb_finder(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert context.user_data is not None
    await query.answer()
    context.user_data["situations"] = []
    t = _t(context)
    await _screen(update, context, t(mandate.ASK_WHAT), _situation_rows(t, []))
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
    await _screen(update, context, t(mandate.ASK_WHAT), _situation_rows(t, chosen))
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
    await _screen(update, context, t(mandate.ASK_COUNTRY),
                  [[("skip", t("Prefer not to say"))], *_nav(t, sensitive=True)])
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
    answers = mandate.MandateAnswers.model_validate(
        {k: v for k, v in context.user_data.items() if k != "kb"}
    )
    texts = mandate.recommendation(View(answers={"mandate": answers}, t=t, channel="telegram"))
    for text in texts[:-1]:
        await _screen(update, context, text, None)
    await _screen(update, context, texts[-1], [
        [("next", t("Next: is it urgent?"))],
        [("again", t("Start again"))],
        *_nav(t, sensitive=True),
    ])
    return RESULT


def ptb_application(
    request: RecordingRequest, persistence: PicklePersistence[Any, Any, Any] | None = None
) -> AnyApplication:
    builder = (
        Application.builder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .defaults(Defaults(protect_content=True))
        .job_queue(None)
    )
    if persistence is not None:
        builder = builder.persistence(persistence)
    app: AnyApplication = builder.build()
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
            name="finder",
            persistent=persistence is not None,
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
        """Talk through the conversation once by button labels and check the result."""
        self.request.calls.clear()
        for kind, payload in FINDER:
            if kind == "press":
                data = self._keyboard_data(uid, payload)
                await self._feed(self._update(uid, "press", data))
            else:
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

    async def feed_one(self, data: dict[str, Any]) -> None:
        """One update, all the way: PTB handles it and makes its Bot API calls."""
        await self.app.process_update(Update.de_json(data, self.app.bot))

    def _finish(self, check: bool) -> None:
        """After a conversation: no handler failed, the result was reached (`check`),
        the calls counted, and the request's records cleared for the next one."""
        if self.errors:
            raise SystemExit(f"{self.name}: a handler failed: {self.errors[0]!r}")
        if check:
            self._check_result()
        self.calls.update(c.method for c in self.request.calls)
        self.request.calls.clear()
        self.request.messages.clear()

    async def feed_batch(self, batch: list[dict[str, Any]]) -> None:
        """A getUpdates batch: PTB's Application handles one update after another."""
        for data in batch:
            await self.app.process_update(Update.de_json(data, self.app.bot))

    async def crowd(self, uids: list[int], times: list[float] | None, check: bool) -> None:
        """`uids` talking at the same time, as getUpdates delivers them under load: the
        k-th update of every person in one batch; ms per update appended per batch."""
        for kind, payload in FINDER:
            batch = [
                self._update(uid, "press", self._keyboard_data(uid, payload))
                if kind == "press"
                else self._update(uid, kind, payload)
                for uid in uids
            ]
            t0 = time.perf_counter()
            await self.feed_batch(batch)
            if times is not None:
                times.append((time.perf_counter() - t0) * 1000 / len(batch))
        self._finish(check)

    async def conversation(self, uid: int, times: list[float] | None, check: bool) -> None:
        """The nine updates of one new person; ms per update appended to `times`. Each
        press carries the data of the button just shown (ours differ per person: the
        screen counter starts at random); finding it is outside the clock."""
        for kind, payload in FINDER:
            if kind == "press":
                data = self._update(uid, "press", self._keyboard_data(uid, payload))
            else:
                data = self._update(uid, kind, payload)
            t0 = time.perf_counter()
            await self.feed_one(data)
            if times is not None:
                times.append((time.perf_counter() - t0) * 1000)
        self._finish(check)


class DurableBench(Bench):
    """Our durable path for one update, as `serve` runs it: the raw update sealed into
    the inbox (`Store.intake`, as the poller does), `handle_incoming` (PTB routing,
    the advisor: session, engine, one transaction with the outbox rows), then the
    sender carrying out those rows until Telegram (the recording request) confirmed
    each, the sent ids recorded. No pacing: `Pace(overall=None, per_chat=None)`."""

    def __init__(self, app: AnyApplication, request: RecordingRequest, runtime: Runtime) -> None:
        super().__init__("ours", app, request)
        self.runtime = runtime
        self.sender = app.adapter.sender_for(app.bot)  # type: ignore[attr-defined]
        self.dispatcher = Dispatcher(lambda item: handle_incoming(app, item))

    async def feed_one(self, data: dict[str, Any]) -> None:
        owner = owner_of(self.runtime.sealer, data)
        fresh = await self.runtime.store.intake([(int(data["update_id"]), owner, data)])
        for item in fresh:
            await handle_incoming(self.app, item)
        # The sender's tasks for this update's rows (started by `Sender.wake`).
        busy = [t for t in self.sender._tasks.values() if not t.done()]
        if busy:
            await asyncio.gather(*busy)

    async def feed_batch(self, batch: list[dict[str, Any]]) -> None:
        """A getUpdates batch as `serve` takes it: into the inbox in one transaction
        (`Poller.accept`), then the dispatcher (people concurrently, each in order) and
        the sender, until every row is confirmed."""
        sealer = self.runtime.sealer
        fresh = await self.runtime.store.intake(
            [(int(data["update_id"]), owner_of(sealer, data), data) for data in batch]
        )
        self.dispatcher.enqueue(fresh)
        await self.dispatcher.drain()
        while busy := [t for t in self.sender._tasks.values() if not t.done()]:
            await asyncio.gather(*busy)

    async def _feed(self, data: dict[str, Any]) -> None:
        await self.feed_one(data)
        if self.errors:
            raise SystemExit(f"{self.name}: a handler failed: {self.errors[0]!r}")


class Ours:
    """Our application on a fresh Runtime in a temporary data dir."""

    def __init__(self, stored: int = 0, kind: type[DurableBench] = DurableBench) -> None:
        self.stored = stored
        self.kind = kind
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
        if self.stored:  # other people's finder results, stored as the bot stores them
            session = finder_session()
            for i in range(self.stored):
                owner = self.runtime.sealer.pseudonym("telegram", STORED_USER + i)
                await self.runtime.store.commit(owner, session, update_id=None)
        request = RecordingRequest()
        app = build_application(self.runtime, request=request, pace=NO_PACE)
        await app.initialize()
        self.bench = self.kind(app, request, self.runtime)
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


class PtbPickle:
    """PTB with `PicklePersistence` (its defaults: one file, written on every change;
    `update_interval` 1 s), the conversation persistent, `stored` people's answers and
    states in the file before the start; `Application.start()` runs the flush loop."""

    def __init__(self, stored: int) -> None:
        self.stored = stored
        self._tmp = tempfile.TemporaryDirectory(prefix="sp-bench-pickle-")
        self.bench: Bench | None = None

    async def __aenter__(self) -> Bench:
        path = Path(self._tmp.name) / "ptb.pickle"
        t = translator("en")
        country = mandate.parse_country("Iran", View(slots={}, t=t, channel="telegram")).value
        answers = {"locale": "en", "situations": [s.id for s in CATALOG.situations[:3]],
                   "country": country}
        users = [STORED_USER + i for i in range(self.stored)]
        with path.open("wb") as f:
            pickle.dump({
                "conversations": {"finder": {(u, u): RESULT for u in users}},
                "user_data": {u: copy.deepcopy(answers) for u in users},
                "chat_data": {}, "bot_data": {}, "callback_data": None,
            }, f)
        request = RecordingRequest()
        persistence: PicklePersistence[Any, Any, Any] = PicklePersistence(path, update_interval=1)
        app = ptb_application(request, persistence)
        await app.initialize()
        await app.start()  # the persistence flush loop (no updater: nothing polls)
        self.bench = YieldingBench("ptb+pickle", app, request)
        return self.bench

    async def __aexit__(self, *exc: object) -> None:
        assert self.bench is not None
        await self.bench.app.stop()
        await self.bench.app.shutdown()
        self._tmp.cleanup()


class YieldingBench(Bench):
    """PTB with persistence: the writes it schedules run when the loop is free, as they
    would between updates of a real bot, so they count in the wall time."""

    async def feed_one(self, data: dict[str, Any]) -> None:
        await super().feed_one(data)
        await asyncio.sleep(0)


class YieldingDurable(DurableBench):
    async def feed_one(self, data: dict[str, Any]) -> None:
        await super().feed_one(data)
        await asyncio.sleep(0)


def opener(name: str) -> Ours | Ptb:
    return Ours() if name == "ours" else Ptb()


# --- measurements ----------------------------------------------------------------


def rounds_table(
    rows: list[tuple[float, float]], peer: str, cpu: list[tuple[float, float]] | None = None
) -> str:
    """Per round: ours ms/update, the peer's, and the throughput ratio ours/peer (wall);
    with `cpu`, the same in CPU time of this process (steadier on a shared machine)."""
    out: list[list[object]] = []
    for i, (o, p) in enumerate(rows):
        row: list[object] = [f"{i + 1}", o, p, f"{p / o:.2f}x"]
        if cpu is not None:
            row += [cpu[i][0], cpu[i][1], f"{cpu[i][1] / cpu[i][0]:.2f}x"]
        out.append(row)
    headers = ["round", "ours ms/update", f"{peer} ms/update", "ours/peer throughput"]
    if cpu is not None:
        headers += ["ours CPU ms", f"{peer} CPU ms", "CPU ratio"]
    return table(headers, out)


async def interleaved(rounds: int, people: int) -> tuple[
    list[tuple[float, float]], list[tuple[float, float]], dict[str, list[float]],
    dict[str, Counter[str]], int,
]:
    """Both applications open side by side; each round every side talks `people` new
    people through the finder (wall time per update), alternating who goes first."""
    async with Ours() as ours, Ptb() as ptb:
        benches: dict[str, Bench] = {"ours": ours, "ptb": ptb}
        for bench in benches.values():
            await bench.learn(FIRST_USER - 1)
            for i in range(max(5, people // 2)):  # warm-up
                await bench.conversation(FIRST_USER - 1000 - i, None, check=True)
            bench.calls.clear()
        times: dict[str, list[float]] = {"ours": [], "ptb": []}
        per_round: list[tuple[float, float]] = []
        cpu_round: list[tuple[float, float]] = []
        first = FIRST_USER
        for r in range(rounds):
            ms: dict[str, float] = {}
            cpu: dict[str, float] = {}
            for name in ("ours", "ptb") if r % 2 == 0 else ("ptb", "ours"):
                bench = benches[name]
                gc.collect()
                mark = len(times[name])
                c0 = time.process_time()
                t0 = time.perf_counter()
                for i in range(people):
                    await bench.conversation(first + i, times[name], check=(i == 0))
                wall = time.perf_counter() - t0
                n = len(times[name]) - mark
                ms[name] = wall * 1000 / n
                cpu[name] = (time.process_time() - c0) * 1000 / n
            per_round.append((ms["ours"], ms["ptb"]))
            cpu_round.append((cpu["ours"], cpu["ptb"]))
            first += people
        calls = {n: b.calls for n, b in benches.items()}
        return per_round, cpu_round, times, calls, rounds * people


async def interleaved_crowd(rounds: int, people: int) -> list[tuple[float, float]]:
    """As `interleaved`, but each round's people talk at the same time: every step of
    the conversation arrives as one getUpdates batch of `people` updates."""
    async with Ours() as ours, Ptb() as ptb:
        benches: dict[str, Bench] = {"ours": ours, "ptb": ptb}
        first = FIRST_USER
        for bench in benches.values():  # warm-up
            await bench.crowd(list(range(first - 2000, first - 2000 + people)), None, True)
        per_round: list[tuple[float, float]] = []
        for r in range(rounds):
            ms: dict[str, float] = {}
            for name in ("ours", "ptb") if r % 2 == 0 else ("ptb", "ours"):
                gc.collect()
                times: list[float] = []
                await benches[name].crowd(list(range(first, first + people)), times, True)
                ms[name] = sum(times) / len(times)
            per_round.append((ms["ours"], ms["ptb"]))
            first += people
        return per_round


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
        stages.wrap_async(store, "intake", "storage: intake (seal update + txn)")
        stages.wrap_async(store, "begin_update", "storage: begin_update (read + unseal)")
        stages.wrap_async(store, "commit", "storage: commit (seal session, outbox + txn)")
        stages.wrap_async(store, "outbox_rows", "sender: outbox_rows (read + unseal)")
        stages.wrap_async(store, "outbox_sent", "sender: outbox_sent (txn)")
        stages.wrap_async(store, "outbox_refused", "sender: outbox_refused (answered; txn)")
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
    rows.append(["rest: reading the update, adapter, Event, render, sender, tasks",
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


async def against_pickle(
    rounds: int, stored: int, seconds: float
) -> list[tuple[float, float]]:
    """Ours against PTB + PicklePersistence with `stored` people kept, interleaved:
    each round each side talks new people through the finder for `seconds`."""
    async with Ours(stored, YieldingDurable) as ours, PtbPickle(stored) as pickled:
        benches: dict[str, Bench] = {"ours": ours, "ptb+pickle": pickled}
        for bench in benches.values():
            await bench.learn(FIRST_USER - 1)
            for i in range(3):
                await bench.conversation(FIRST_USER - 1000 - i, None, check=True)
        # The warm-up's changes are written now, not by a flush during the first round.
        await pickled.app.update_persistence()
        per_round: list[tuple[float, float]] = []
        first = FIRST_USER
        for r in range(rounds):
            ms: dict[str, float] = {}
            used = 0
            for name in ("ours", "ptb+pickle") if r % 2 == 0 else ("ptb+pickle", "ours"):
                bench = benches[name]
                gc.collect()
                i = 0
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < seconds:
                    await bench.conversation(first + i, None, check=(i == 0))
                    i += 1
                if name == "ptb+pickle":
                    # Its round's changes are written now, on its clock: left to its
                    # next flush (up to a second later) they would be written during
                    # our round and counted as ours.
                    await bench.app.update_persistence()
                ms[name] = (time.perf_counter() - t0) * 1000 / (i * len(FINDER))
                used = max(used, i)
            per_round.append((ms["ours"], ms["ptb+pickle"]))
            first += used
        return per_round


async def run(quick: bool, with_profile: bool) -> None:
    rounds = 4 if quick else 12
    people = 5 if quick else 25
    # tracemalloc slows both paths about 4x: 300 people keep the script near a minute.
    mem_people = 30 if quick else 300
    stored = 500 if quick else 5_000
    pickle_rounds, pickle_seconds = (2, 1.0) if quick else (6, 3.0)
    cmd = f"python bench/ptb_compare.py{' --quick' if quick else ''}"
    print(f"{cmd}: {machine()}")
    print(f"finder conversation: {len(FINDER)} updates per person, every person new\n")

    per_round, cpu_round, times, calls, n_people = await interleaved(rounds, people)
    print(f"== throughput, interleaved: {rounds} rounds x {people} people x {len(FINDER)} "
          "updates per side, one update after another, alternating who goes first.\n"
          "ours: Store.intake of the raw update, handle_incoming, the sender carrying out "
          "the outbox rows (no pacing); ptb: process_update. Same RecordingRequest.\n"
          "ratio: ours/ptb throughput = ptb ms per update / ours ms per update (> 1: ours "
          "faster). CPU: time.process_time of this process (both sides share it).")
    print(rounds_table(per_round, "ptb", cpu_round))
    ratios = [p / o for o, p in per_round]
    cpu_ratios = [p / o for o, p in cpu_round]
    print(f"median of the paired ratios ours/ptb throughput: {median(ratios):.2f}x wall "
          f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x), {median(cpu_ratios):.2f}x CPU "
          f"time  [{cmd}]")
    k = len(FINDER)
    step_rows = []
    for i, step in enumerate(FINDER_STEPS):
        p_ms = times["ptb"][i::k]
        o_ms = times["ours"][i::k]
        step_rows.append([step, median(p_ms), pct(p_ms, 0.95), median(o_ms), pct(o_ms, 0.95),
                          f"{median(p_ms) / median(o_ms):.2f}x"])
    print(table(["step", "ptb median ms", "ptb p95", "ours median ms", "ours p95",
                 "ours/ptb throughput"], step_rows))
    methods = sorted(set(calls["ptb"]) | set(calls["ours"]))
    print("Bot API calls per conversation: " + ", ".join(
        f"{m} {calls['ptb'][m] / n_people:g}/{calls['ours'][m] / n_people:g}" for m in methods
    ) + " (ptb/ours)")

    print(f"\n== throughput with people talking at the same time: {rounds} rounds x {people} "
          "people per side; each step of the conversation arrives as one getUpdates batch of "
          f"{people} updates (ours: one inbox transaction per batch, as `serve` does, then "
          "every update's own outcome transaction and sends; ptb: process_update one after "
          "another, its default)")
    crowd_rounds = await interleaved_crowd(rounds, people)
    print(rounds_table(crowd_rounds, "ptb"))
    crowd_ratios = [p / o for o, p in crowd_rounds]
    print(f"median of the paired ratios ours/ptb throughput, batches: "
          f"{median(crowd_ratios):.2f}x (min {min(crowd_ratios):.2f}x, max "
          f"{max(crowd_ratios):.2f}x)  [{cmd}]")

    print(f"\n== against PTB + PicklePersistence (update_interval 1 s, its default "
          f"on_flush=False), {stored:,} people stored on each side before the run; "
          f"interleaved, {pickle_rounds} rounds of {pickle_seconds:g} s per side")
    pickled = await against_pickle(pickle_rounds, stored, pickle_seconds)
    print(rounds_table(pickled, "ptb+pickle"))
    ratios = [p / o for o, p in pickled]
    print(f"median of the paired ratios ours/(ptb+pickle) throughput: {median(ratios):.1f}x  "
          f"[{cmd}]")

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
