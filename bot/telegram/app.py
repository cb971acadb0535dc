"""The Telegram bot, wired: python-telegram-bot's `Application` routes each update to
a handler; our own loops poll into the inbox, handle it per person in order, carry
out the outbox and do the housekeeping. `python -m bot run` starts them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import urllib.parse
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.health import BEAT_EVERY, Heartbeat
from bot.logs import quiet_library_logs
from bot.settings import Settings
from bot.startup import StartupError
from bot.telegram.descriptions import bot_descriptions
from bot.telegram.handlers import AnyApplication, TelegramAdapter
from bot.telegram.housekeeping import Housekeeping
from bot.telegram.intake import ALLOWED_UPDATES, Dispatcher, Poller
from bot.telegram.route import hot
from bot.telegram.sender import Pace, retry_after
from bot.telegram.webhook import WebhookServer
from flows.i18n import DEFAULT, SHIPPED, translator
from storage.faults import DiskFault
from storage.outbox import Incoming

if TYPE_CHECKING:  # the runtime import is deferred: it loads every flow
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

# How long a stop waits for updates in hand to be stored (their sends stay queued).
STOP_GRACE = 10.0
# Between tries of a call the start needs (getMe, deleteWebhook, setWebhook), at most.
MAX_START_WAIT = 60.0
# Tries of each best-effort call (the command menu, the descriptions).
REGISTER_TRIES = 5


class _Application(Application):  # type: ignore[type-arg]
    """PTB's Application without its persistence bookkeeping. Without a persistence
    object, PTB still adds every user id and chat id it sees to two sets that only a
    persistence flush would empty: memory growing with every person, and raw Telegram
    ids kept for the life of the process. We keep no PTB persistence, so nothing is
    marked."""

    adapter: TelegramAdapter

    def _mark_for_persistence_update(self, *, update: object = None, job: object = None) -> None:
        return None


def base_file_url(base_url: str) -> str:
    """The file URL matching a Bot API URL: `http://host:port/bot` -> `http://host:port/file/bot`."""
    head, sep, tail = base_url.rpartition("/bot")
    if not sep:
        return base_url.rstrip("/") + "/file/bot"
    return f"{head}/file/bot{tail}"


def application(
    settings: Settings, adapter: TelegramAdapter, *, request: BaseRequest | None = None
) -> AnyApplication:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_library_logs()
    builder = (
        Application.builder()
        .application_class(_Application)
        .token(settings.telegram_bot_token.get_secret_value())
        .updater(None)  # our Poller: a batch is stored before Telegram is told
        .job_queue(None)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url).base_file_url(
            base_file_url(settings.telegram_base_url)
        )
    if request is not None:
        builder = builder.request(request)
    app: AnyApplication = builder.build()
    app.adapter = adapter  # type: ignore[attr-defined]
    adapter.install(app)
    return app


def build_application(
    runtime: Runtime, *, request: BaseRequest | None = None, pace: Pace | None = None
) -> AnyApplication:
    """The bot's `Application` for an open `Runtime` (`request`: a custom transport, for
    tests). The caller initializes it and feeds it updates; `run_polling` is the usual
    way in. The adapter (and its sender) is `app.adapter`."""
    return application(runtime.settings, TelegramAdapter(runtime, pace=pace), request=request)


async def register_commands(app: AnyApplication, runtime: Runtime) -> None:
    """The command menu and what a person sees before pressing Start (the bot's
    description and short description), in every shipped language; best-effort:
    network trouble and flood waits are waited out a few times, a refusal is logged."""
    never = asyncio.Event()  # the task is cancelled when the bot stops

    async def best_effort(what: str, call: Callable[[], Awaitable[object]]) -> None:
        try:
            if not await _through(what, call, never, tries=REGISTER_TRIES):
                logger.warning("%s failed: no answer after %d tries", what, REGISTER_TRIES)
        except TelegramError as exc:
            logger.warning("%s failed: %s", what, type(exc).__name__)

    for locale in SHIPPED:
        t = translator(locale)
        commands = [
            BotCommand(name, t(description))
            for name, _, description in runtime.advisor.engine.commands
        ]
        code = None if locale == DEFAULT else locale
        await best_effort(
            "setMyCommands", partial(app.bot.set_my_commands, commands, language_code=code)
        )
    for described in bot_descriptions():
        code = described.language_code
        await best_effort("setMyDescription", partial(
            app.bot.set_my_description, described.description, language_code=code
        ))
        await best_effort("setMyShortDescription", partial(
            app.bot.set_my_short_description, described.short_description, language_code=code
        ))


async def handle_incoming(app: AnyApplication, item: Incoming) -> None:
    """One inbox update: a text message or a press straight to the adapter (see
    `bot.telegram.route`), any other kind through PTB's routing. An update no handler
    stored (a kind the bot does not serve) leaves the inbox as handled. A disk fault
    is raised: nothing of the update was stored, and the dispatcher tries it again."""
    adapter: TelegramAdapter = app.adapter  # type: ignore[attr-defined]
    routed = hot(item.data)
    if routed is None:
        await app.process_update(Update.de_json(item.data, app.bot))
        fault = adapter.disk_faults.pop(item.update_id, None)
        if fault is not None:
            raise fault  # to the dispatcher, which handles the update again
    else:
        try:
            await adapter.take(app.bot, routed)
        except DiskFault:
            raise
        except Exception as exc:
            # As PTB's error handler would: what failed, never what was sent. The
            # update leaves the inbox below rather than failing again at every start.
            logger.error("handling an update failed: %s (%s)", type(exc).__name__,
                         type(routed).__name__)
    if item.update_id in adapter.stored:
        adapter.stored.discard(item.update_id)
    else:
        await adapter._runtime().store.drop_update(item.update_id)


async def serve(settings: Settings, stop: asyncio.Event, *, pace: Pace | None = None) -> None:
    """Everything `run` does, until `stop` is set: long polling, or the webhook when
    `settings.webhook_url` is set; both go through the same inbox."""
    from bot.runtime import Runtime

    runtime = await Runtime.open(settings, lock=True)
    try:
        adapter = TelegramAdapter(runtime, pace=pace)
        app = application(settings, adapter)
        if not await _starting("getMe", app.initialize, stop):
            return
        try:
            await _serve(app, adapter, runtime, settings, stop)
        finally:
            await app.shutdown()
    finally:
        await runtime.close()


async def _serve(
    app: AnyApplication,
    adapter: TelegramAdapter,
    runtime: Runtime,
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    sender = adapter.sender_for(app.bot)
    dispatcher = Dispatcher(lambda item: handle_incoming(app, item))
    # What a kill left in the inbox comes first, in order per person.
    dispatcher.enqueue(await runtime.store.inbox())
    poller = Poller(app.bot, runtime.store, runtime.sealer, dispatcher)
    heartbeat = Heartbeat(settings.data_dir, ("updates", "sender", "housekeeping"))
    housekeeping = Housekeeping(runtime, sender)
    sender.alive = lambda: heartbeat.alive("sender")
    housekeeping.alive = lambda: heartbeat.alive("housekeeping")
    webhook: WebhookServer | None = None
    if settings.webhook_url:
        webhook = await _start_webhook(app, settings, poller, stop)
        receive = asyncio.create_task(_beat_while_listening(heartbeat, stop))
    else:
        if not await _starting(
            "deleteWebhook", lambda: app.bot.delete_webhook(drop_pending_updates=False), stop
        ):
            return
        poller.alive = lambda: heartbeat.alive("updates")
        receive = asyncio.create_task(poller.run(stop))
    loops = [
        asyncio.create_task(sender.run(stop)),
        asyncio.create_task(housekeeping.run(stop)),
        asyncio.create_task(register_commands(app, runtime)),
        asyncio.create_task(heartbeat.run(stop)),
    ]
    logger.info("the Telegram bot is ready (%s)", "webhook" if webhook else "long polling")
    try:
        failed = await _until_stopped_or_failed(stop, [receive, *loops])
    finally:
        receive.cancel()
        await asyncio.gather(receive, return_exceptions=True)
        if webhook is not None:
            await webhook.stop()
        try:
            await asyncio.wait_for(dispatcher.drain(), STOP_GRACE)
        except TimeoutError:
            logger.warning("stopping with updates still in the inbox: handled at next start")
        await sender.stop()
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
    if failed is not None:
        raise failed


async def _until_stopped_or_failed(
    stop: asyncio.Event, tasks: list[asyncio.Task[None]]
) -> BaseException | None:
    """Wait for `stop`, or for one of the loops to fail: a bot that no longer polls
    (its token revoked) or no longer sends must stop and say why, not run on. A loop
    that simply ends (the command menu, once set) is let go."""
    stopping = asyncio.create_task(_stopped(stop))
    watched: set[asyncio.Task[None]] = {stopping, *tasks}
    try:
        while True:
            done, watched = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                return None
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    return task.exception()
    finally:
        stopping.cancel()


async def _stopped(stop: asyncio.Event) -> None:
    await stop.wait()


async def _starting(what: str, call: Callable[[], Awaitable[object]], stop: asyncio.Event) -> bool:
    """A call the bot cannot start without. At boot the network may not be up yet, and
    Telegram has outages: tried again until it goes through (True) or the bot is
    stopped (False). A refused token or a refused request ends the start at once."""
    return await _through(f"starting: {what}", call, stop)


async def _through(
    what: str, call: Callable[[], Awaitable[object]], stop: asyncio.Event,
    *, tries: int | None = None,
) -> bool:
    """Make `call`, waiting out network trouble, 5xx answers (backoff) and flood waits
    (`retry_after`), until it goes through (True), `stop` is set or `tries` are used up
    (False). Any other refusal is raised."""
    wait = 1.0
    tried = 0
    while not stop.is_set():
        try:
            await call()
            return True
        except RetryAfter as exc:
            delay = retry_after(exc)
        except NetworkError as exc:  # also time-outs and 5xx answers
            logger.warning("%s failed: %s; trying again in %.0f s",
                           what, type(exc).__name__, wait)
            delay, wait = wait, min(MAX_START_WAIT, wait * 2)
        tried += 1
        if tries is not None and tried >= tries:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
    return False


async def _start_webhook(
    app: AnyApplication, settings: Settings, poller: Poller, stop: asyncio.Event
) -> WebhookServer:
    if settings.webhook_secret is None:
        raise StartupError("webhook mode needs SP_ADVISOR_WEBHOOK_SECRET")
    assert settings.webhook_url is not None
    host, port = settings.listen
    secret = settings.webhook_secret.get_secret_value()
    server = WebhookServer(
        poller.accept, secret=secret, path=urllib.parse.urlsplit(settings.webhook_url).path
    )
    await server.start(host, port)
    url = settings.webhook_url
    await _starting("setWebhook", lambda: app.bot.set_webhook(
        url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES)
    ), stop)
    return server


async def _beat_while_listening(heartbeat: Heartbeat, stop: asyncio.Event) -> None:
    # The server answers on its own; this says that the event loop still runs it.
    while not stop.is_set():
        heartbeat.alive("updates")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), BEAT_EVERY)


def run_polling(settings: Settings) -> int:
    """`python -m bot run`: long-poll until SIGINT/SIGTERM. Returns the exit status."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(main())
    except InvalidToken:
        logger.error("the Bot API refused the token: check TELEGRAM_BOT_TOKEN")
        return 2
    except TelegramError as exc:
        logger.error("the Telegram bot stopped: %s", type(exc).__name__)
        return 1
    logger.info("the Telegram bot stopped")
    return 0
