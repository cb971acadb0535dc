"""Driving the real python-telegram-bot `Application` without a network.

`RecordingRequest` stands in for the HTTP transport: it answers every Bot API
method with plausible JSON and records what the bot sent. `Harness` feeds
updates through `Application.process_update`, and `TgUser` talks like a person:
`send("/start")`, `press("I understand, continue")`, `expect("...")`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError
from telegram.ext import ContextTypes
from telegram.request import BaseRequest, RequestData

from bot.runtime import Runtime
from bot.telegram import AnyApplication
from bot.telegram.app import handle_incoming
from storage.outbox import Incoming
from tests.bot_api import bot_message, bot_user

TOKEN = "987654:TEST-token-do-not-log-xyzzy"
BOT_ID = 987654
CHECK = "✓ "  # the engine's mark on a chosen button; press("English") also finds "✓ English"
SEND_METHODS = ("sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage")


def matches(text: str, label: str) -> bool:
    """A button's text shows `label`, maybe checked ("✓ English") or counted ("Done (2 chosen)")."""
    if text == label:
        return True
    text = text.removeprefix(CHECK)
    return text == label or (text.startswith(label + " (") and text.endswith(")"))


class _Refused(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def shown(markup: Any) -> dict[str, Any] | None:
    """The keyboard a message shows: an empty inline keyboard shows none (Telegram then
    returns the message without `reply_markup`)."""
    if isinstance(markup, dict) and any(markup.get("inline_keyboard") or []):
        return markup
    return None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)


class RecordingRequest(BaseRequest):
    """A Bot API that answers everything and remembers every call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        # method -> queued (HTTP status, response body) to answer instead of success
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        # method -> queued delays (seconds) before answering, to let tasks interleave
        self.delays: dict[str, list[float]] = {}
        # (chat id, message id) -> message as the bot left it
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def drop_next(self, method: str) -> None:
        """The next call of `method` loses its connection before any answer."""
        self.failures.setdefault(method, []).append((0, {}))

    def lose_answer_next(self, method: str) -> None:
        """The next call of `method` is carried out, then the connection drops before
        Telegram's answer arrives (the bot cannot tell it from `drop_next`)."""
        self.failures.setdefault(method, []).append((-1, {}))

    def fail_next(self, method: str, status: int, description: str, **parameters: Any) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, []).append((status, body))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        files: dict[str, Any] = dict(request_data.multipart_data) if request_data else {}
        delays = self.delays.get(api)
        if delays:
            await asyncio.sleep(delays.pop(0))
        self.calls.append(Call(api, params, files))
        queued = self.failures.get(api)
        if queued:
            status, body = queued.pop(0)
            if status == -1:
                self._result(api, params, files)
            if status <= 0:
                raise NetworkError("connection dropped (simulated)")
            return status, json.dumps(body).encode()
        try:
            result = self._result(api, params, files)
        except _Refused as refused:
            body = {"ok": False, "error_code": 400, "description": refused.description}
            return 400, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        self._message_id += 1
        message = bot_message(BOT_ID, self._message_id, chat_id, **fields)
        self.messages[(chat_id, self._message_id)] = message
        return message

    def _result(self, api: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if api == "getMe":
            return bot_user(BOT_ID, "sp_advisor_test_bot")
        chat_id = params.get("chat_id")
        if api == "sendMessage":
            fields: dict[str, Any] = {"text": params["text"]}
            if "reply_markup" in params:
                fields["reply_markup"] = params["reply_markup"]
            return self._message(int(chat_id), **fields)  # type: ignore[arg-type]
        if api == "sendDocument":
            name = next(iter(files.values()))[0] if files else "file.txt"
            fields = {"document": {"file_id": "f1", "file_unique_id": "u1", "file_name": name}}
            if params.get("caption"):
                fields["caption"] = params["caption"]
            if "reply_markup" in params:
                fields["reply_markup"] = params["reply_markup"]
            return self._message(int(chat_id), **fields)  # type: ignore[arg-type]
        if api == "editMessageText":
            key = (int(chat_id), int(params["message_id"]))  # type: ignore[arg-type]
            message = dict(
                self.messages.get(key)
                or {
                    "message_id": key[1],
                    "date": int(time.time()),
                    "chat": {"id": key[0], "type": "private"},
                }
            )
            message["text"] = params["text"]
            message.pop("reply_markup", None)
            if shown(params.get("reply_markup")):
                message["reply_markup"] = params["reply_markup"]
            message["edit_date"] = int(time.time())
            self.messages[key] = message
            return message
        if api == "editMessageReplyMarkup":
            return self._edit_markup(int(chat_id), params)  # type: ignore[arg-type]
        if api == "deleteMessages":
            for message_id in params.get("message_ids") or []:
                self.messages.pop((int(chat_id), int(message_id)), None)  # type: ignore[arg-type]
        return True

    def _edit_markup(self, chat_id: int, params: dict[str, Any]) -> Any:
        """As Telegram answers: not found, not modified (raised as `_Refused`, which
        `do_request` answers with a 400), or the message as it now is."""
        key = (chat_id, int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _Refused("Bad Request: message to edit not found")
        markup = shown(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise _Refused(
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of "
                "the message"
            )
        message = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self.messages[key] = message
        return message

    # --- what the tests look at ---------------------------------------------

    def sends(self, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method in SEND_METHODS]

    def texts(self, since: int = 0, chat_id: int | None = None) -> list[str]:
        out = []
        for call in self.calls[since:]:
            if chat_id is not None and call.params.get("chat_id") != chat_id:
                continue
            if call.method in ("sendMessage", "editMessageText"):
                out.append(str(call.params.get("text", "")))
            elif call.method == "sendDocument" and call.params.get("caption"):
                out.append(str(call.params["caption"]))
        return out


def labels(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


class Harness:
    def __init__(self, app: AnyApplication, request: RecordingRequest, runtime: Runtime) -> None:
        self.app = app
        self.request = request
        self.runtime = runtime
        self.errors: list[BaseException] = []
        self._update_id = 5000
        self._message_id = 1

        async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            if context.error is not None:
                self.errors.append(context.error)

        app.add_error_handler(record)

    def next_update_id(self) -> int:
        self._update_id += 1
        return self._update_id

    def next_message_id(self) -> int:
        self._message_id += 1
        return self._message_id

    async def feed(self, data: dict[str, Any], *, allow_errors: bool = False) -> int:
        """Process one update (given as Bot API JSON); returns the call index before it."""
        data.setdefault("update_id", self.next_update_id())
        since = len(self.request.calls)
        await handle_incoming(self.app, Incoming(int(data["update_id"]), "-", data))
        # The sender carries out what the update queued, as it does while polling.
        await self.app.adapter.sender_for(self.app.bot).drain()  # type: ignore[attr-defined]
        if self.errors and not allow_errors:
            raise AssertionError(f"a handler failed: {self.errors!r}")
        return since

    def user(self, user_id: int, first_name: str = "Amina", language: str | None = "en") -> TgUser:
        return TgUser(self, user_id, first_name, language)


class TgUser:
    """A person in a private chat with the bot (chat id = user id, as on Telegram)."""

    def __init__(self, harness: Harness, user_id: int, first_name: str, language: str | None):
        self.h = harness
        self.id = user_id
        self.first_name = first_name
        self.language = language
        self.since = 0  # index of the first call made for the last thing this user did

    # --- JSON pieces ---------------------------------------------------------

    def pseudonym(self) -> str:
        return self.h.runtime.sealer.pseudonym("telegram", self.id)

    def user_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language:
            data["language_code"] = self.language
        return data

    def chat_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def message_json(self, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": self.h.next_message_id(),
            "date": int(time.time()),
            "chat": self.chat_json(),
            "from": self.user_json(),
            **fields,
        }

    def text_update(self, text: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return {"update_id": self.h.next_update_id(), "message": self.message_json(**fields)}

    def press_update(self, data: str, message: dict[str, Any] | None) -> dict[str, Any]:
        query: dict[str, Any] = {
            "id": f"cbq-{self.h.next_update_id()}",
            "from": self.user_json(),
            "chat_instance": f"ci-{self.id}",
            "data": data,
        }
        if message is not None:
            query["message"] = {
                "message_id": message["message_id"],
                "date": message["date"],
                "chat": self.chat_json(),
                "from": message["from"],
                "text": message.get("text", ""),
            }
        return {"update_id": self.h.next_update_id(), "callback_query": query}

    # --- acting --------------------------------------------------------------

    async def feed(self, data: dict[str, Any], **kwargs: Any) -> list[str]:
        self.since = await self.h.feed(data, **kwargs)
        return self.texts()

    async def send(self, text: str) -> list[str]:
        return await self.feed(self.text_update(text))

    def my_messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, newest first (as currently shown)."""
        mine = [m for (chat, _), m in self.h.request.messages.items() if chat == self.id]
        return sorted(mine, key=lambda m: m["message_id"], reverse=True)

    def last_keyboard(self) -> dict[str, Any]:
        for message in self.my_messages():
            if message.get("reply_markup"):
                return message
        raise AssertionError("the bot has shown this user no buttons")

    def find_button(self, label: str, message: dict[str, Any]) -> str:
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if matches(button["text"], label):
                    return str(button["callback_data"])
        raise AssertionError(
            f"no button {label!r} in the last keyboard: {labels(message['reply_markup'])}"
        )

    async def press(self, label: str, message: dict[str, Any] | None = None) -> list[str]:
        """Press the button labelled `label` in the last keyboard (or in `message`)."""
        message = message if message is not None else self.last_keyboard()
        return await self.feed(self.press_update(self.find_button(label, message), message))

    # --- looking -------------------------------------------------------------

    def texts(self) -> list[str]:
        return self.h.request.texts(self.since, chat_id=self.id)

    def expect(self, fragment: str) -> str:
        texts = self.texts()
        for text in texts:
            if fragment in text:
                return text
        raise AssertionError(f"expected {fragment!r} in what the bot said: {texts!r}")

    def buttons(self) -> list[str]:
        return labels(self.last_keyboard().get("reply_markup"))

    def plain_buttons(self) -> set[str]:
        """The labels of the last keyboard without check marks."""
        return {label.removeprefix(CHECK) for label in self.buttons()}
