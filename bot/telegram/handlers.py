"""Updates in: python-telegram-bot's handlers turn each update into an `Event` (or a
fixed line) and hand it to the `Advisor`, which stores the outcome and the Bot API
calls to make in one transaction. Nothing is sent from here: the sender does that.

Nothing identifying is logged here: no text, names, Telegram ids or the token.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram import Bot, Update, User
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.advisor import Chat
from bot.report import build_report
from bot.telegram.render import calls_for
from bot.telegram.route import PressIn, TextIn
from bot.telegram.sender import Pace, Sender
from flows.i18n import DEFAULT, N_, negotiate, translator
from flows.model import Event, EventKind, Reply
from storage.faults import DiskFault
from storage.outbox import Call, OutRow

if TYPE_CHECKING:  # the runtime import is deferred: it loads every flow
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE

SPLIT_AT = 3900  # characters per message, leaving room under Telegram's 4,096

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


def update_kind(update: object) -> str:
    """Which field of the update is set, e.g. "message" - never its content."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
        return "empty"
    return "none" if update is None else type(update).__name__


class TelegramAdapter:
    """The handlers. `runtime` is set before the first update is processed; the sender
    is made with the bot on first use."""

    def __init__(self, runtime: Runtime | None = None, *, pace: Pace | None = None) -> None:
        self.runtime = runtime
        self.pace = pace
        self.sender: Sender | None = None
        # Update ids whose outcome is stored: the rest leave the inbox as handled
        # without an answer (an update kind the bot does not serve).
        self.stored: set[int] = set()
        # Updates whose handler met a disk fault, by update id, until raised again.
        self.disk_faults: dict[int, DiskFault] = {}

    def _runtime(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("the Telegram adapter received an update before the runtime opened")
        return self.runtime

    def sender_for(self, bot: Bot) -> Sender:
        if self.sender is None:
            self.sender = Sender(self._runtime().store, bot, pace=self.pace)
        return self.sender

    def _queued(self, bot: Bot, update_id: int | None, rows: list[OutRow] | None) -> None:
        if update_id is not None:
            self.stored.add(update_id)
        if rows:
            self.sender_for(bot).wake(rows)

    # --- handlers --------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None or not message.text:
            return
        await self.text(
            context.bot,
            TextIn(
                update.update_id,
                user.id,
                user.language_code,
                message.chat.id,
                message.message_id,
                message.text,
            ),
        )

    async def on_press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        await self.press(
            context.bot,
            PressIn(
                update.update_id,
                query.from_user.id,
                query.from_user.language_code,
                query.id,
                None if message is None else message.chat.id,
                message is not None and message.chat.type == ChatType.PRIVATE,
                message.message_id if message is not None and message.is_accessible else None,
                query.data,
            ),
        )

    async def take(self, bot: Bot, routed: TextIn | PressIn) -> None:
        """A text message or a press read from the raw update (`bot.telegram.route`)."""
        if isinstance(routed, TextIn):
            await self.text(bot, routed)
        else:
            await self.press(bot, routed)

    async def text(self, bot: Bot, message: TextIn) -> None:
        kind: EventKind = "command" if message.text.startswith("/") else "text"
        if message.text.split("@", 1)[0].strip() == "/stats" and self._is_operator(
            message.user_id
        ):
            await self._operator_stats(bot, message.update_id, message.user_id, message.chat_id)
            return
        await self._advise(
            bot,
            message.user_id,
            message.language,
            message.chat_id,
            kind,
            message.text,
            message.update_id,
            message_id=message.message_id,
        )

    async def press(self, bot: Bot, press: PressIn) -> None:
        answer: Call = {"op": "answer", "chat": press.user_id, "query": press.query_id}
        # Our keyboards live only in private chats, whose id is the person's id: a press
        # claiming another chat (inline mode, a group, a forged update) is answered and
        # otherwise ignored, so nobody's session ever runs in someone else's chat.
        if not press.private or press.chat_id != press.user_id or not press.data:
            owner = self._runtime().sealer.pseudonym("telegram", press.user_id)
            rows = await self._runtime().advisor.fixed(
                owner, press.update_id, self._chat(press.user_id, first=(answer,)), []
            )
            self._queued(bot, press.update_id, rows)
            return
        await self._advise(
            bot,
            press.user_id,
            press.language,
            press.user_id,
            "press",
            press.data,
            press.update_id,
            pressed=press.message_id,
            first=(answer,),
        )

    async def on_unreadable(self, update: Update, context: Context) -> None:
        """A photo, document, voice note...: removed from the chat unopened (it is never
        downloaded), and the person is told why - that it was deleted only once it was."""
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        t = translator(negotiate(user.language_code) or DEFAULT)
        reply = Reply(text=t(TEXT_ONLY), alt=t(TEXT_KEPT))
        await self._fixed(context.bot, update, user, reply, delete=[message.message_id])

    async def on_edited(self, update: Update, context: Context) -> None:
        """An edited message is checked like a new one (the engine warns and offers to
        delete it if it looks like it identifies someone); it is never read as an answer."""
        message, user = update.edited_message, update.effective_user
        if message is None or user is None:
            return
        await self._advise(
            context.bot,
            user.id,
            user.language_code,
            message.chat.id,
            "edit",
            message.text or message.caption or "",
            update.update_id,
            message_id=message.message_id,
        )

    async def on_group(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        t = translator(negotiate(user.language_code if user else None) or DEFAULT)
        owner = self._runtime().sealer.pseudonym("telegram-chat", chat.id)
        rows = await self._runtime().advisor.fixed(
            owner,
            update.update_id,
            self._chat(chat.id),
            [Reply(text=t(PRIVATE_CHAT_ONLY))],
            record=False,
        )
        self._queued(context.bot, update.update_id, rows)

    async def on_error(self, update: object, context: Context) -> None:
        error = context.error
        if isinstance(error, DiskFault) and isinstance(update, Update):
            # PTB ends the update here; `handle_incoming` raises it again, so that the
            # update is handled again instead of leaving the inbox unanswered.
            self.disk_faults[update.update_id] = error
            return
        logger.error(
            "handling an update failed: %s (%s update)", type(error).__name__, update_kind(update)
        )

    # --- operators --------------------------------------------------------

    def _is_operator(self, user_id: int) -> bool:
        return user_id in self._runtime().settings.operator_ids

    async def _operator_stats(self, bot: Bot, update_id: int, user_id: int, chat_id: int) -> None:
        # The anonymous report: a short summary, then the HTML file with its charts.
        # For anyone else /stats is just an unknown command.
        runtime = self._runtime()
        report = await build_report(runtime.store, runtime.advisor.engine)
        owner = runtime.sealer.pseudonym("telegram", user_id)
        summary = [
            report.summary[i : i + SPLIT_AT] for i in range(0, len(report.summary), SPLIT_AT)
        ]
        calls: list[Call] = [{"op": "send", "chat": chat_id, "text": part} for part in summary]
        calls.append(
            {
                "op": "document",
                "chat": chat_id,
                "text": "",
                "name": report.filename,
                "body": report.html.decode("utf-8"),
            }
        )
        rows = await runtime.store.commit(
            owner, None, update_id=update_id, calls=calls, keep_session=True
        )
        self._queued(bot, update_id, rows)

    # --- the way of an update -------------------------------------------

    def _chat(
        self, chat_id: int, *, pressed: int | None = None, first: Sequence[Call] = ()
    ) -> Chat:
        return Chat(
            chat_id=chat_id,
            to_calls=lambda replies: calls_for(chat_id, replies, pressed=pressed),
            first=tuple(first),
        )

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
        user_id: int,
        language: str | None,
        chat_id: int,
        kind: EventKind,
        payload: str,
        update_id: int,
        *,
        pressed: int | None = None,
        first: Sequence[Call] = (),
        message_id: int | None = None,
    ) -> None:
        runtime = self._runtime()
        who = runtime.sealer.pseudonym("telegram", user_id)
        event = Event(
            user=who,
            kind=kind,
            payload=payload,
            language=language,
            channel="telegram",
            update_id=update_id,
            message_id=message_id,
            meta=self._meta(bot),
        )
        chat = self._chat(chat_id, pressed=pressed, first=first)
        async with runtime.advisor.lock(who):
            try:
                handled = await runtime.advisor.handle(event, chat)
            except DiskFault:
                raise  # nothing was stored: handled again in a moment (`Dispatcher`)
            except Exception as exc:
                # A bug must not leave the person without an answer; the log says
                # only what failed, never what was sent.
                logger.error("an update could not be handled: %s", type(exc).__name__)
                t = translator(negotiate(language) or DEFAULT)
                rows = await runtime.advisor.fixed(
                    who, update_id, self._chat(chat_id, first=first), [Reply(text=t(SORRY))]
                )
                self._queued(bot, update_id, rows)
                return
        self._queued(bot, update_id, handled.rows if handled else None)

    async def _fixed(
        self,
        bot: Bot,
        update: Update,
        user: User,
        reply: Reply,
        *,
        delete: Sequence[int] = (),
    ) -> None:
        """A fixed line outside the conversation, in turn with the person's updates."""
        chat = update.effective_chat
        if chat is None:
            return
        runtime = self._runtime()
        who = runtime.sealer.pseudonym("telegram", user.id)
        async with runtime.advisor.lock(who):
            rows = await runtime.advisor.fixed(
                who, update.update_id, self._chat(chat.id), [reply], delete=delete
            )
        self._queued(bot, update.update_id, rows)

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
