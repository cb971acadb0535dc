"""The Telegram adapter: python-telegram-bot updates in, `Reply`s out.

A few catch-all handlers turn updates into `Event`s and hand them to the
`Advisor`; there is no `ConversationHandler` and no PTB persistence: where a
person is in the conversation lives, sealed, in the store.

Order and concurrency: updates of different people are handled concurrently
(`concurrent_updates`); one person's updates are handled and answered in the
order they arrived. A per-person lock is taken before the handler's first
`await` and held until the replies are sent, so the replies of two quick
presses never interleave.

Nothing identifying is logged here: no text, names, Telegram ids or the token.
Log lines carry event names, Bot API method names and exception type names only.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.advisor import Handled
from bot.operator import stats_report
from bot.settings import Settings
from flows.engine import SPLIT_AT
from flows.i18n import DEFAULT, N_, SHIPPED, negotiate, translator
from flows.model import (
    AddReminder,
    Button,
    CancelReminder,
    DeleteMessages,
    Event,
    EventKind,
    QuickExit,
    Reply,
    SetAutoDelete,
    Wipe,
)
from flows.reminders import fired_text
from flows.safety import WIPE_LEFT_TELEGRAM

if TYPE_CHECKING:  # the runtime import is deferred to run_polling: it loads every flow
    from bot.runtime import Runtime

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "EDITED_MESSAGE",
    "PRIVATE_CHAT_ONLY",
    "TEXT_ONLY",
    "TelegramAdapter",
    "build_application",
    "keyboard",
    "run_polling",
]

logger = logging.getLogger(__name__)

CALLBACK_DATA_LIMIT = 64  # bytes, Bot API limit for callback_data
CAPTION_LIMIT = 1024  # characters, Bot API limit for a document caption
MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait once on flood control
HOUSEKEEPING_EVERY = timedelta(minutes=1)
PURGE_EVERY = timedelta(hours=1)

# Fixed answers that do not go through the conversation (nothing is stored).
PRIVATE_CHAT_ONLY = N_("Please talk to me in a private chat.")
TEXT_ONLY = N_(
    "I can only read text and button presses. I deleted what you sent from this chat "
    "without opening it. Please do not send documents or photos here: this chat is not "
    "end-to-end encrypted. Send them only through the OHCHR online form or encrypted mail."
)
TEXT_KEPT = N_(
    "I can only read text and button presses, and I could not delete what you sent: please "
    "delete it yourself (press and hold it, then Delete). Please do not send documents or "
    "photos here: this chat is not end-to-end encrypted."
)
SORRY = N_("Sorry, something went wrong on my side. Please try again, or send /start.")
EDITED_MESSAGE = N_("I do not read edited messages; please send a new one.")

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE


class _Status(enum.Enum):
    OK = "ok"
    UNCHANGED = "unchanged"  # an edit that would not change anything
    REJECTED = "rejected"  # BadRequest: this call cannot work, another way may
    FAILED = "failed"  # network trouble or flood control: the outcome is unknown


class _ChatGone(Exception):
    """The person blocked the bot (or the chat is gone): stop sending to it."""


def _update_kind(update: object) -> str:
    """Which field of the update is set, e.g. "message" - never its content."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
        return "empty"
    return "none" if update is None else type(update).__name__


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are handled.
        warnings.simplefilter("ignore")
        return _seconds(exc.retry_after)


def _ids(message: object) -> list[int]:
    message_id = getattr(message, "message_id", None)
    return [message_id] if isinstance(message_id, int) else []


def _fits(button: Button) -> bool:
    return 0 < len(button.id.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for a reply's buttons; callback data is the button id."""
    markup: list[list[InlineKeyboardButton]] = []
    dropped = 0
    for row in rows:
        line = [InlineKeyboardButton(b.label, callback_data=b.id) for b in row if _fits(b)]
        dropped += len(row) - len(line)
        if line:
            markup.append(line)
    if dropped:
        logger.warning(
            "left out %d button(s) whose id does not fit Telegram's callback data", dropped
        )
    return InlineKeyboardMarkup(markup) if markup else None


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _txt_name(name: str) -> str:
    stem = _UNSAFE_NAME.sub("-", name).strip("-.")[:60] or "sp-advisor"
    return stem if stem.lower().endswith(".txt") else f"{stem}.txt"


def _base_file_url(base_url: str) -> str:
    """The file URL matching a Bot API URL: `http://host:port/bot` -> `http://host:port/file/bot`."""
    head, sep, tail = base_url.rpartition("/bot")
    if not sep:
        return base_url.rstrip("/") + "/file/bot"
    return f"{head}/file/bot{tail}"


# Loggers of python-telegram-bot that may be handed updates or raw Bot API data as
# arguments (e.g. "Error while parsing updates! Received data was %r").
_LIBRARY_LOGGERS = (
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
)
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")


class _WithholdArguments(logging.Filter):
    """Keep a library's log message, drop its arguments: they may be what people typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = _PLACEHOLDER.sub("[withheld]", str(record.msg))
            record.args = None
        return True


_WITHHOLD = _WithholdArguments()


def _quiet_library_logs() -> None:
    # At DEBUG, python-telegram-bot logs whole updates and request parameters (what
    # people typed) and httpx logs URLs holding the token. Never let them below this;
    # set on the loggers themselves, so a lower root level set later cannot reach them.
    for name, floor in (
        ("telegram", logging.INFO),
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
    ):
        lib = logging.getLogger(name)
        lib.setLevel(max(floor, lib.level))
    for name in _LIBRARY_LOGGERS:
        lib = logging.getLogger(name)
        if _WITHHOLD not in lib.filters:
            lib.addFilter(_WITHHOLD)


class _TelegramChat:
    """The `Chat` the Advisor deletes messages in."""

    def __init__(self, adapter: TelegramAdapter, bot: Bot, chat_id: int) -> None:
        self.adapter, self.bot, self.chat_id = adapter, bot, chat_id

    async def delete(self, message_ids: list[int]) -> bool:
        status = await self.adapter._call(
            "deleteMessages",
            functools.partial(self.bot.delete_messages, self.chat_id, message_ids),
        )
        return status is _Status.OK


class TelegramAdapter:
    """The handlers. `runtime` is set before the first update is processed."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime
        self._purged_at: datetime | None = None

    def _runtime(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("the Telegram adapter received an update before the runtime opened")
        return self.runtime

    # --- handlers --------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        kind: EventKind = "command" if message.text.startswith("/") else "text"
        if message.text.split("@", 1)[0].strip() == "/stats" and self._is_operator(user):
            await self._operator_stats(context.bot, message.chat.id)
            return
        await self._advise(
            context.bot,
            user,
            message.chat.id,
            kind,
            message.text,
            update.update_id,
            message_id=message.message_id,
        )

    async def on_press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE or not query.data:
            # Inline-mode or group messages never carry our keyboards.
            await self._call("answerCallbackQuery", query.answer)
            return
        pressed = (message.chat.id, message.message_id) if message.is_accessible else None
        await self._advise(
            context.bot,
            query.from_user,
            message.chat.id,
            "press",
            query.data,
            update.update_id,
            pressed=pressed,
            query=query,
        )

    async def on_unreadable(self, update: Update, context: Context) -> None:
        """A photo, document, voice note...: removed from the chat unopened (it is never
        downloaded), and the person is told why."""
        message = update.message
        status = _Status.FAILED
        if message is not None and message.chat.type == ChatType.PRIVATE:
            status = await self._call(
                "deleteMessage",
                functools.partial(context.bot.delete_message, message.chat.id, message.message_id),
            )
        # Say it was deleted only when it was.
        await self._say(context.bot, update, TEXT_ONLY if status is _Status.OK else TEXT_KEPT)

    async def on_edited(self, update: Update, context: Context) -> None:
        await self._say(context.bot, update, EDITED_MESSAGE)

    async def on_group(self, update: Update, context: Context) -> None:
        await self._say(context.bot, update, PRIVATE_CHAT_ONLY)

    async def on_error(self, update: object, context: Context) -> None:
        error = context.error
        kind = _update_kind(update)
        if update is None:
            # Polling trouble (network, or another instance polling with this token);
            # the updater retries by itself.
            logger.warning("polling failed: %s", type(error).__name__)
            return
        logger.error("handling an update failed: %s (%s update)", type(error).__name__, kind)

    # --- operators --------------------------------------------------------

    def _is_operator(self, user: User) -> bool:
        return user.id in self._runtime().settings.operator_ids

    async def _operator_stats(self, bot: Bot, chat_id: int) -> None:
        # Counters only; for anyone else /stats is just an unknown command.
        report = await stats_report(self._runtime().store)
        chunks = [report[i : i + SPLIT_AT] for i in range(0, len(report), SPLIT_AT)]
        for chunk in chunks:
            await self._call(
                "sendMessage", functools.partial(bot.send_message, chat_id=chat_id, text=chunk)
            )

    # --- the way of an update -------------------------------------------

    def _meta(self, bot: Bot) -> dict[str, str]:
        meta: dict[str, str] = {}
        # Before getMe (not initialized) there is no username to show.
        with contextlib.suppress(RuntimeError):
            meta["bot_username"] = bot.username
        phrase = self._runtime().settings.verify_phrase
        if phrase:
            meta["verify_phrase"] = phrase
        return meta

    async def _advise(
        self,
        bot: Bot,
        user: User,
        chat_id: int,
        kind: EventKind,
        payload: str,
        update_id: int,
        *,
        pressed: tuple[int, int] | None = None,
        query: CallbackQuery | None = None,
        message_id: int | None = None,
    ) -> None:
        runtime = self._runtime()
        who = runtime.sealer.pseudonym("telegram", user.id)
        event = Event(
            user=who,
            kind=kind,
            payload=payload,
            language=user.language_code,
            channel="telegram",
            update_id=update_id,
            message_id=message_id,
            meta=self._meta(bot),
        )
        # No await before the lock is taken: updates of one person started in
        # order are handled, and answered, in order.
        async with runtime.advisor.lock(who):
            try:
                try:
                    handled = await runtime.advisor.handle(event)
                except Exception as exc:
                    # A bug must not leave the person without an answer; the log says
                    # only what failed, never what was sent.
                    logger.error("an update could not be handled: %s", type(exc).__name__)
                    t = translator(negotiate(user.language_code) or DEFAULT)
                    await self._call(
                        "sendMessage",
                        functools.partial(bot.send_message, chat_id=chat_id, text=t(SORRY)),
                    )
                    return
                finally:
                    if query is not None:
                        await self._call("answerCallbackQuery", query.answer)
                if handled is None:  # a redelivered update, already answered
                    return
                chat = _TelegramChat(self, bot, chat_id)
                replies, record = await self._perform(who, chat, handled, event)
                sent = await self.render(bot, chat_id, replies, pressed=pressed)
                if record and sent:
                    await runtime.store.record_messages(who, sent)
            except _ChatGone:
                return

    async def _perform(
        self, who: str, chat: _TelegramChat, handled: Handled, event: Event
    ) -> tuple[list[Reply], bool]:
        """Carry out the engine's effects before its replies are sent. Returns the
        replies (a wipe may add a line) and whether the sent messages go to the ledger."""
        runtime = self._runtime()
        replies, record = list(handled.replies), True
        for effect in handled.effects:
            if isinstance(effect, DeleteMessages):
                await runtime.advisor.delete_messages(who, chat, only=effect.message_ids)
            elif isinstance(effect, QuickExit):
                await runtime.advisor.delete_messages(who, chat)
            elif isinstance(effect, Wipe):
                result = await runtime.advisor.wipe(who, chat)
                left = result.too_old + result.failed
                if left:
                    t = translator(negotiate(event.language) or DEFAULT)
                    replies.append(Reply(text=t.n(WIPE_LEFT_TELEGRAM, left)))
                if result.failed:
                    logger.warning("wipe: %d message deletions failed", result.failed)
                # What is sent now is not recorded: nothing of the person stays stored.
                record = False
            elif isinstance(effect, SetAutoDelete):
                await runtime.store.set_autodelete(who, chat.chat_id, effect.seconds)
            elif isinstance(effect, AddReminder | CancelReminder):
                await runtime.advisor.schedule(who, chat.chat_id, effect)
        return replies, record

    async def _say(self, bot: Bot, update: Update, msgid: str) -> None:
        """A fixed line, outside the conversation: no Advisor call, nothing stored
        but, in a private chat, the id of the line sent (so a wipe can delete it)."""
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        t = translator(negotiate(user.language_code if user else None) or DEFAULT)
        send = functools.partial(bot.send_message, chat_id=chat.id, text=t(msgid))
        try:
            if chat.type == ChatType.PRIVATE and user is not None and self.runtime is not None:
                who = self.runtime.sealer.pseudonym("telegram", user.id)
                # In turn with this person's other updates, so replies keep their order.
                async with self.runtime.advisor.lock(who):
                    _, message = await self._call_for("sendMessage", send)
                    if _ids(message):
                        await self.runtime.store.record_messages(who, _ids(message))
            else:
                await self._call("sendMessage", send)
        except _ChatGone:
            return

    # --- housekeeping -----------------------------------------------------

    async def housekeeping(self, bot: Bot, now: datetime | None = None) -> None:
        """Auto-delete what is due; at most hourly, purge what retention allows."""
        runtime = self._runtime()
        now = now or datetime.now(UTC)
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            counts = await runtime.purge(now)
            self._purged_at = now
            logger.info("purge: %d sessions, %d drafts removed", counts.sessions, counts.drafts)
        for reminder in await runtime.store.due_reminders(now):
            if reminder.chat_id is None:
                continue  # a terminal reminder: shown when the terminal chat starts
            t = translator(reminder.locale)
            send = functools.partial(
                bot.send_message,
                chat_id=reminder.chat_id,
                text=fired_text(t, reminder.kind, reminder.due_at),
            )
            try:
                _, message = await self._call_for("sendMessage", send)
                if _ids(message):
                    await runtime.store.record_messages(reminder.owner, _ids(message))
            except _ChatGone:
                pass
            # Fired once, then gone, whatever Telegram answered.
            await runtime.store.delete_reminder(reminder.id)
        for due in await runtime.store.due_autodeletes(now):
            chat = _TelegramChat(self, bot, due.chat_id)
            try:
                await runtime.advisor.delete_messages(
                    due.owner, chat, only=due.message_ids, now=now
                )
            except _ChatGone:
                await runtime.store.forget_messages(due.owner, due.message_ids)

    async def housekeeping_loop(self, bot: Bot) -> None:
        while True:
            try:
                await self.housekeeping(bot)
            except Exception as exc:  # keep the loop alive; nothing personal in the log
                logger.error("housekeeping failed: %s", type(exc).__name__)
            await asyncio.sleep(HOUSEKEEPING_EVERY.total_seconds())

    # --- output ----------------------------------------------------------

    async def render(
        self,
        bot: Bot,
        chat_id: int,
        replies: list[Reply],
        *,
        pressed: tuple[int, int] | None = None,
    ) -> list[int]:
        """Send `replies` to the chat; the first `edit` reply replaces the pressed message.
        Returns the ids of the messages sent, for the ledger."""
        sent: list[int] = []
        target = pressed
        for reply in replies:
            markup = keyboard(reply.buttons)
            text = reply.text.strip()
            if reply.edit and target is not None and text and reply.document is None:
                edit_chat, message_id = target
                target = None
                status = await self._call(
                    "editMessageText",
                    functools.partial(
                        bot.edit_message_text,
                        text=text,
                        chat_id=edit_chat,
                        message_id=message_id,
                        reply_markup=markup,
                    ),
                )
                if status is not _Status.REJECTED:
                    continue
                # The message cannot be edited (too old, deleted, not text): send anew.
            if reply.document is not None:
                sent += await self._send_document(bot, chat_id, reply, text, markup)
            elif text:
                _, message = await self._call_for(
                    "sendMessage",
                    functools.partial(
                        bot.send_message, chat_id=chat_id, text=text, reply_markup=markup
                    ),
                )
                sent += _ids(message)
        return sent

    async def _send_document(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> list[int]:
        assert reply.document is not None
        sent: list[int] = []
        caption = text if text and len(text) <= CAPTION_LIMIT else None
        if text and caption is None:
            _, message = await self._call_for(
                "sendMessage", functools.partial(bot.send_message, chat_id=chat_id, text=text)
            )
            sent += _ids(message)
        document = InputFile(
            reply.document.text.encode("utf-8"), filename=_txt_name(reply.document.name)
        )
        _, message = await self._call_for(
            "sendDocument",
            functools.partial(
                bot.send_document,
                chat_id=chat_id,
                document=document,
                caption=caption,
                reply_markup=markup,
            ),
        )
        return sent + _ids(message)

    async def _call(self, method: str, call: Callable[[], Awaitable[Any]]) -> _Status:
        """One Bot API call with the errors handled; raises `_ChatGone` on Forbidden."""
        status, _ = await self._call_for(method, call)
        return status

    async def _call_for(
        self, method: str, call: Callable[[], Awaitable[Any]]
    ) -> tuple[_Status, Any]:
        """`_call`, also returning what the Bot API answered (None unless OK)."""
        for attempt in (1, 2):
            try:
                return _Status.OK, await call()
            except Forbidden:
                logger.info("the person blocked the bot or left the chat (%s)", method)
                raise _ChatGone from None
            except RetryAfter as exc:
                wait = _retry_after(exc)
                if attempt == 2 or wait > MAX_RETRY_AFTER:
                    logger.warning("flood control: %s dropped (retry after %.0f s)", method, wait)
                    return _Status.FAILED, None
                logger.info("flood control: %s retried after %.0f s", method, wait)
                await asyncio.sleep(wait)
            except BadRequest as exc:
                if "message is not modified" in exc.message.lower():
                    return _Status.UNCHANGED, None
                logger.info("the Bot API refused %s (BadRequest)", method)
                return _Status.REJECTED, None
            except (TimedOut, NetworkError) as exc:
                logger.warning("%s failed: %s", method, type(exc).__name__)
                return _Status.FAILED, None
            except TelegramError as exc:
                logger.warning("%s failed: %s", method, type(exc).__name__)
                return _Status.FAILED, None
        return _Status.FAILED, None  # pragma: no cover - the loop always returns

    async def register_commands(self, bot: Bot) -> None:
        """The command menu in every shipped language; best-effort."""
        for locale in SHIPPED:
            t = translator(locale)
            commands = [
                BotCommand(name, t(description))
                for name, _, description in self._runtime().advisor.engine.commands
            ]
            language = None if locale == DEFAULT else locale
            try:
                await self._call(
                    "setMyCommands",
                    functools.partial(bot.set_my_commands, commands, language_code=language),
                )
            except _ChatGone:  # pragma: no cover - not a chat
                return

    # --- wiring ----------------------------------------------------------

    def install(self, app: AnyApplication) -> None:
        private = filters.ChatType.PRIVATE
        message = filters.UpdateType.MESSAGE
        service = filters.StatusUpdate.ALL
        app.add_handler(CallbackQueryHandler(self.on_press))
        app.add_handler(MessageHandler(message & private & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, self.on_edited))
        app.add_handler(MessageHandler(message & private & ~service, self.on_unreadable))
        app.add_handler(
            MessageHandler(
                (message | filters.UpdateType.CHANNEL_POST) & ~private & ~service, self.on_group
            )
        )
        app.add_error_handler(self.on_error)


class _Application(Application):  # type: ignore[type-arg]
    """PTB's Application without its persistence bookkeeping. Without a persistence
    object, PTB still adds every user id and chat id it sees to two sets that only a
    persistence flush would empty: memory growing with every person, and raw Telegram
    ids kept for the life of the process. We keep no PTB persistence, so nothing is
    marked."""

    def _mark_for_persistence_update(self, *, update: object = None, job: object = None) -> None:
        return None


def _application(
    settings: Settings,
    adapter: TelegramAdapter,
    *,
    request: BaseRequest | None = None,
    post_init: Callable[[AnyApplication], Coroutine[Any, Any, None]] | None = None,
    post_shutdown: Callable[[AnyApplication], Coroutine[Any, Any, None]] | None = None,
) -> AnyApplication:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    _quiet_library_logs()
    builder = (
        Application.builder()
        .application_class(_Application)
        .token(settings.telegram_bot_token.get_secret_value())
        .defaults(Defaults(protect_content=True))
        .concurrent_updates(True)
        .job_queue(None)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url).base_file_url(
            _base_file_url(settings.telegram_base_url)
        )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if post_init is not None:
        builder = builder.post_init(post_init)
    if post_shutdown is not None:
        builder = builder.post_shutdown(post_shutdown)
    app: AnyApplication = builder.build()
    adapter.install(app)
    return app


def build_application(runtime: Runtime, *, request: BaseRequest | None = None) -> AnyApplication:
    """The bot's `Application` for an open `Runtime` (`request`: a custom transport, for tests).

    The caller initializes it (`await app.initialize()`) and feeds it updates, or
    polls; `run_polling` is the usual way in.
    """
    return _application(runtime.settings, TelegramAdapter(runtime), request=request)


def run_polling(settings: Settings) -> int:
    """`python -m bot run`: long-poll until SIGINT/SIGTERM. Returns the exit status."""
    from bot.runtime import Runtime

    adapter = TelegramAdapter()

    tasks: list[asyncio.Task[None]] = []

    async def post_init(app: AnyApplication) -> None:
        adapter.runtime = await Runtime.open(settings)
        await adapter.register_commands(app.bot)
        # Auto-delete schedules live in the database, so they resume after a restart.
        tasks.append(asyncio.create_task(adapter.housekeeping_loop(app.bot)))
        logger.info("the Telegram bot is ready")

    async def post_shutdown(app: AnyApplication) -> None:
        for task in tasks:
            task.cancel()
        runtime, adapter.runtime = adapter.runtime, None
        if runtime is not None:
            await runtime.close()

    try:
        app = _application(settings, adapter, post_init=post_init, post_shutdown=post_shutdown)
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        logger.error("the Bot API refused the token: check TELEGRAM_BOT_TOKEN")
        return 2
    except TelegramError as exc:
        logger.error("the Telegram bot stopped: %s", type(exc).__name__)
        return 1
    except Exception:
        # Startup or shutdown (the key, the data folder): no conversation is in
        # hand, and the log filter withholds a traceback holding the token.
        logger.exception("the Telegram bot could not run")
        return 1
    logger.info("the Telegram bot stopped")
    return 0
