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
import enum
import functools
import logging
import re
import warnings
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
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

from bot.settings import Settings
from flows.engine import COMMANDS
from flows.i18n import DEFAULT, N_, SHIPPED, negotiate, translator
from flows.model import Button, Event, EventKind, Reply

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

# Fixed answers that do not go through the conversation (nothing is stored).
PRIVATE_CHAT_ONLY = N_("Please talk to me in a private chat.")
TEXT_ONLY = N_(
    "I can only read text and button presses. Please do not send documents or photos "
    "here: this chat is not end-to-end encrypted."
)
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


class TelegramAdapter:
    """The handlers. `runtime` is set before the first update is processed."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime = runtime
        # A lock lives only while an update of that person is in hand.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, who: str) -> asyncio.Lock:
        lock = self._locks.get(who)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[who] = lock
        return lock

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
        await self._advise(context.bot, user, message.chat.id, kind, message.text, update.update_id)

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
        await self._say(context.bot, update, TEXT_ONLY)

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

    # --- the way of an update -------------------------------------------

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
        )
        # No await before the lock is taken: updates of one person started in
        # order are handled, and answered, in order.
        async with self._lock(who):
            try:
                try:
                    replies = await runtime.advisor.handle(event)
                finally:
                    if query is not None:
                        await self._call("answerCallbackQuery", query.answer)
                if replies:  # None: a redelivered update, already answered
                    await self.render(bot, chat_id, replies, pressed=pressed)
            except _ChatGone:
                return

    async def _say(self, bot: Bot, update: Update, msgid: str) -> None:
        """A fixed line, outside the conversation: no Advisor call, nothing stored."""
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        t = translator(negotiate(user.language_code if user else None) or DEFAULT)
        send = functools.partial(bot.send_message, chat_id=chat.id, text=t(msgid))
        try:
            if chat.type == ChatType.PRIVATE and user is not None and self.runtime is not None:
                # In turn with this person's other updates, so replies keep their order.
                async with self._lock(self.runtime.sealer.pseudonym("telegram", user.id)):
                    await self._call("sendMessage", send)
            else:
                await self._call("sendMessage", send)
        except _ChatGone:
            return

    # --- output ----------------------------------------------------------

    async def render(
        self,
        bot: Bot,
        chat_id: int,
        replies: list[Reply],
        *,
        pressed: tuple[int, int] | None = None,
    ) -> None:
        """Send `replies` to the chat; the first `edit` reply replaces the pressed message."""
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
                await self._send_document(bot, chat_id, reply, text, markup)
            elif text:
                await self._call(
                    "sendMessage",
                    functools.partial(
                        bot.send_message, chat_id=chat_id, text=text, reply_markup=markup
                    ),
                )

    async def _send_document(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        assert reply.document is not None
        caption = text if text and len(text) <= CAPTION_LIMIT else None
        if text and caption is None:
            await self._call(
                "sendMessage", functools.partial(bot.send_message, chat_id=chat_id, text=text)
            )
        document = InputFile(
            reply.document.text.encode("utf-8"), filename=_txt_name(reply.document.name)
        )
        await self._call(
            "sendDocument",
            functools.partial(
                bot.send_document,
                chat_id=chat_id,
                document=document,
                caption=caption,
                reply_markup=markup,
            ),
        )

    async def _call(self, method: str, call: Callable[[], Awaitable[Any]]) -> _Status:
        """One Bot API call with the errors handled; raises `_ChatGone` on Forbidden."""
        for attempt in (1, 2):
            try:
                await call()
                return _Status.OK
            except Forbidden:
                logger.info("the person blocked the bot or left the chat (%s)", method)
                raise _ChatGone from None
            except RetryAfter as exc:
                wait = _retry_after(exc)
                if attempt == 2 or wait > MAX_RETRY_AFTER:
                    logger.warning("flood control: %s dropped (retry after %.0f s)", method, wait)
                    return _Status.FAILED
                logger.info("flood control: %s retried after %.0f s", method, wait)
                await asyncio.sleep(wait)
            except BadRequest as exc:
                if "message is not modified" in exc.message.lower():
                    return _Status.UNCHANGED
                logger.info("the Bot API refused %s (BadRequest)", method)
                return _Status.REJECTED
            except (TimedOut, NetworkError) as exc:
                logger.warning("%s failed: %s", method, type(exc).__name__)
                return _Status.FAILED
            except TelegramError as exc:
                logger.warning("%s failed: %s", method, type(exc).__name__)
                return _Status.FAILED
        return _Status.FAILED  # pragma: no cover - the loop always returns

    async def register_commands(self, bot: Bot) -> None:
        """The command menu in every shipped language; best-effort."""
        for locale in SHIPPED:
            t = translator(locale)
            commands = [BotCommand(name, t(description)) for name, _, description in COMMANDS]
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

    async def post_init(app: AnyApplication) -> None:
        adapter.runtime = await Runtime.open(settings)
        await adapter.register_commands(app.bot)
        logger.info("the Telegram bot is ready")

    async def post_shutdown(app: AnyApplication) -> None:
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
