"""A fake Telegram Bot API server on 127.0.0.1, for the bot to long-poll over real HTTP.

It serves `/bot<TOKEN>/<method>` with JSON, form-encoded or multipart bodies
(python-telegram-bot sends form-encoded values, JSON-encoding non-strings, and
multipart when a file is attached). `getUpdates` long-polls: it honours
`offset` (everything below it is confirmed and dropped) and `timeout`, and
returns as soon as the test enqueues an update. Everything the bot calls is
recorded; the bot's messages are kept per chat, with their keyboards, so a
test can press a button by its label.

Usage:

    with FakeBotApi(token) as api:          # api.base_url -> TELEGRAM_BASE_URL
        person = api.person(1234, "Amina")
        person.send("/start")
        person.wait_for_text("not end-to-end encrypted")
        person.press("I understand, continue")
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.bot_api import bot_message, bot_user

BOT_ID = 424242
CHECK = "✓ "
# Form values python-telegram-bot JSON-encodes (everything else is sent as a raw string).
_JSON_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_ids",
        "from_chat_id",
        "offset",
        "limit",
        "timeout",
        "allowed_updates",
        "reply_markup",
        "protect_content",
        "disable_notification",
        "show_alert",
        "cache_time",
        "commands",
        "scope",
        "drop_pending_updates",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "caption_entities",
    }
)


def matches(text: str, label: str) -> bool:
    """A button's text shows `label`, maybe checked ("✓ English") or counted ("Done (2 chosen)")."""
    if text == label:
        return True
    text = text.removeprefix(CHECK)
    return text == label or (text.startswith(label + " (") and text.endswith(")"))


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


def shown(markup: Any) -> dict[str, Any] | None:
    """The keyboard a message shows: an empty inline keyboard shows none (Telegram then
    returns the message without `reply_markup`)."""
    if isinstance(markup, dict) and any(markup.get("inline_keyboard") or []):
        return markup
    return None


def _coerce(params: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_FIELDS:
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # bot messages, as shown
        # Their text as first sent, before any edit (a copy is told by it).
        self.sent_texts: dict[tuple[int, int], str] = {}
        self.unauthorized = 0  # requests with another token
        self._cond = threading.Condition()
        self._next_update_id = 700_000
        # As on Telegram, a private chat numbers its messages, the person's and the
        # bot's, in one sequence of its own.
        self._last_message_id: dict[int, int] = {}
        self.theirs: set[tuple[int, int]] = set()  # (chat, message id) the person sent
        self._closed = False
        # method -> queued faults: (status, description, retry_after); status 0 drops
        # the connection without an answer.
        self.faults: dict[str, list[tuple[int, str, int | None]]] = {}
        # Telegram's flood control, simulated: more sends than this in one second
        # get 429 with retry_after (None: no limit).
        self.sends_per_second: int | None = None
        self._window: list[float] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> FakeBotApi:
        api = self

        class Handler(_Handler):
            fake = api

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- what a test does ------------------------------------------------------------

    def enqueue(self, update: dict[str, Any]) -> int:
        """Queue an update (without update_id) for the next getUpdates; returns its id."""
        with self._cond:
            self._next_update_id += 1
            update = {"update_id": self._next_update_id, **update}
            self.updates.append(update)
            self._cond.notify_all()
            return self._next_update_id

    def fail(
        self, method: str, status: int, description: str, *, times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` calls of `method` fail with this HTTP status."""
        with self._cond:
            self.faults.setdefault(method, []).extend(
                [(status, description, retry_after)] * times
            )

    def drop(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` lose their connection before any answer."""
        with self._cond:
            self.faults.setdefault(method, []).extend([(0, "", None)] * times)

    def lose_answer(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` are carried out, then their connection drops
        before the answer (a kill or a network fault after Telegram acted)."""
        with self._cond:
            self.faults.setdefault(method, []).extend([(-1, "", None)] * times)

    def fault_for(self, method: str) -> tuple[int, str, int | None] | None:
        with self._cond:
            queued = self.faults.get(method)
            if queued:
                return queued.pop(0)
            if self.sends_per_second and method in ("sendMessage", "sendDocument"):
                now = time.monotonic()
                self._window = [t for t in self._window if now - t < 1.0]
                if len(self._window) >= self.sends_per_second:
                    return (429, "Too Many Requests: retry after 1", 1)
                self._window.append(now)
            return None

    def person(self, user_id: int, first_name: str = "Amina", language: str = "en") -> Person:
        return Person(self, user_id, first_name, language)

    def mark(self) -> int:
        """The number of calls so far, to look only at what comes after."""
        with self._cond:
            return len(self.calls)

    def wait_for(
        self,
        what: str,
        found: Callable[[], Any],
        timeout: float = 5.0,
    ) -> Any:
        """Wait until `found()` returns something truthy; fail clearly on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = found()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = [(c.method, c.params.get("text")) for c in self.calls[-8:]]
                    raise AssertionError(
                        f"timed out after {timeout:.0f} s waiting for {what}; "
                        f"the bot's last calls: {recent}"
                    )
                self._cond.wait(min(left, 0.2))

    def wait_for_call(
        self,
        method: str,
        since: int = 0,
        where: Callable[[Call], bool] = lambda call: True,
        timeout: float = 5.0,
    ) -> Call:
        def found() -> Call | None:
            return next((c for c in self.calls[since:] if c.method == method and where(c)), None)

        return self.wait_for(f"a {method} call", found, timeout)  # type: ignore[no-any-return]

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    # --- the Bot API ---------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        """Answer one call; returns the `result`, or raises `_ApiError`."""
        if method == "getUpdates":
            return self._get_updates(params)
        with self._cond:
            self.calls.append(Call(method, params, files))
            try:
                return self._answer(method, params, files)
            finally:
                self._cond.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            self.calls.append(Call("getUpdates", params))
            self._cond.notify_all()
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.updates[:limit])

    def next_message_id(self, chat_id: int) -> int:
        with self._cond:
            self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 1) + 1
            return self._last_message_id[chat_id]

    def _bot_message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        message_id = self.next_message_id(chat_id)
        message = bot_message(BOT_ID, message_id, chat_id, **fields)
        self.messages[(chat_id, message_id)] = message
        self.sent_texts[(chat_id, message_id)] = str(fields.get("text", ""))
        return message

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if method == "getMe":
            return bot_user(BOT_ID, "sp_advisor_fake_bot")
        if method == "sendMessage":
            fields: dict[str, Any] = {"text": params["text"]}
            if params.get("reply_markup"):
                fields["reply_markup"] = params["reply_markup"]
            return self._bot_message(int(params["chat_id"]), **fields)
        if method == "sendDocument":
            name = next((n for n, _ in files.values() if n), "file.txt")
            fields = {
                "document": {
                    "file_id": f"doc{len(self.calls)}",
                    "file_unique_id": f"u{len(self.calls)}",
                    "file_name": name,
                }
            }
            if params.get("caption"):
                fields["caption"] = params["caption"]
            if params.get("reply_markup"):
                fields["reply_markup"] = params["reply_markup"]
            return self._bot_message(int(params["chat_id"]), **fields)
        if method in ("editMessageText", "editMessageReplyMarkup") and (
            int(params["chat_id"]), int(params["message_id"])
        ) in self.theirs:
            raise _ApiError(400, "Bad Request: message can't be edited")
        if method == "editMessageText":
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = self.messages.get(key)
            if message is None or "text" not in message:
                raise _ApiError(400, "Bad Request: message to edit not found")
            markup = shown(params.get("reply_markup"))
            if message["text"] == params["text"] and message.get("reply_markup") == markup:
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            message = {**message, "text": params["text"], "edit_date": int(time.time())}
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            self.messages[key] = message
            return message
        if method == "editMessageReplyMarkup":
            return self._edit_markup(params)
        if method == "deleteMessage":
            self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
            return True
        if method == "deleteMessages":
            for message_id in params.get("message_ids") or []:
                self.messages.pop((int(params["chat_id"]), int(message_id)), None)
            return True
        # answerCallbackQuery, deleteWebhook, setMyCommands, and anything else.
        return True


    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """Telegram's answers: not found, not modified, or the message as it now is."""
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = shown(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of "
                "the message",
            )
        message = {**message, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.messages[key] = message
        return message


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the kill -9 tests) is expected, not a failure.
        return None


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBotApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the token is in every path: never print it

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        prefix = "/bot"
        path = url.path
        token, _, method = (
            path[len(prefix) :].rpartition("/") if path.startswith(prefix) else ("", "", "")
        )
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if token != self.fake.token or not method:
            self.fake.unauthorized += 1
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        fault = self.fake.fault_for(method)
        if fault is not None:
            status, description, retry_after = fault
            if status == -1:
                params, files = self._parse(url.query, body)
                with contextlib.suppress(_ApiError):
                    self.fake.handle(method, params, files)
            if status <= 0:
                self.close_connection = True  # dropped: no answer at all
                return
            error: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry_after is not None:
                error["parameters"] = {"retry_after": retry_after}
            with self.fake._cond:
                self.fake.calls.append(Call(f"{method}!{status}", {}))
            self._reply(status, error)
            return
        try:
            params, files = self._parse(url.query, body)
            result = self.fake.handle(method, params, files)
        except (KeyError, ValueError):  # a body cut short by a killed client
            self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request"})
            return
        except _ApiError as exc:
            self._reply(
                exc.status, {"ok": False, "error_code": exc.status, "description": exc.description}
            )
            return
        self._reply(200, {"ok": True, "result": result})

    def _parse(
        self, query: str, body: bytes
    ) -> tuple[dict[str, Any], dict[str, tuple[str | None, bytes]]]:
        ctype = self.headers.get("Content-Type", "")
        raw: dict[str, str] = dict(urllib.parse.parse_qsl(query))
        files: dict[str, tuple[str | None, bytes]] = {}
        if ctype.startswith("application/json"):
            return {**raw, **json.loads(body or b"{}")}, files
        if ctype.startswith("application/x-www-form-urlencoded"):
            raw.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                decoded = part.get_payload(decode=True)
                payload = decoded if isinstance(decoded, bytes) else b""
                filename = part.get_filename()
                if filename is not None:
                    files[str(name)] = (filename, payload)
                else:
                    raw[str(name)] = payload.decode("utf-8")
        return _coerce(raw), files

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up on a long poll (it is stopping)


class Person:
    """Someone in a private chat with the bot (chat id = user id, as on Telegram)."""

    def __init__(self, api: FakeBotApi, user_id: int, first_name: str, language: str) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.language = language
        self.since = 0

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def send(self, text: str) -> int:
        """Type `text` (a command if it starts with "/"); returns the update id."""
        message_id = self.api.next_message_id(self.id)
        with self.api._cond:
            self.api.theirs.add((self.id, message_id))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        self.since = self.api.mark()
        return self.api.enqueue({"message": message})

    def keyboards(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat that show buttons, newest first."""
        with self.api._cond:
            mine = [
                m
                for (chat, _), m in self.api.messages.items()
                if chat == self.id and m.get("reply_markup")
            ]
        return sorted(mine, key=lambda m: m["message_id"], reverse=True)

    def button(self, label: str, timeout: float = 5.0) -> tuple[dict[str, Any], str]:
        """Wait for the newest keyboard to hold `label` (or "✓ label")."""

        def found() -> tuple[dict[str, Any], str] | None:
            mine = [
                m
                for (chat, _), m in self.api.messages.items()
                if chat == self.id and m.get("reply_markup")
            ]
            if not mine:
                return None
            newest = max(mine, key=lambda m: m["message_id"])
            for row in newest["reply_markup"]["inline_keyboard"]:
                for b in row:
                    if matches(b["text"], label):
                        return newest, str(b["callback_data"])
            return None

        result: tuple[dict[str, Any], str] = self.api.wait_for(
            f"a button {label!r} in the newest keyboard", found, timeout
        )
        return result

    def press(self, label: str, timeout: float = 5.0) -> int:
        message, data = self.button(label, timeout)
        self.since = self.api.mark()
        return self.api.enqueue(
            {
                "callback_query": {
                    "id": f"cb{self.id}-{time.monotonic_ns()}",
                    "from": self._user(),
                    "chat_instance": f"ci{self.id}",
                    "data": data,
                    "message": {
                        "message_id": message["message_id"],
                        "date": message["date"],
                        "chat": self._chat(),
                        "from": message["from"],
                        "text": message.get("text", ""),
                    },
                }
            }
        )

    def texts(self) -> list[str]:
        out = []
        for call in self.api.calls[self.since :]:
            if call.params.get("chat_id") != self.id:
                continue
            if call.method in ("sendMessage", "editMessageText"):
                out.append(str(call.params.get("text", "")))
            elif call.method == "sendDocument" and call.params.get("caption"):
                out.append(str(call.params["caption"]))
        return out

    def wait_for_text(self, fragment: str, timeout: float = 5.0) -> str:
        """Wait for the bot to say something containing `fragment` since the last action."""

        def found() -> str | None:
            return next((t for t in self.texts() if fragment in t), None)

        result: str = self.api.wait_for(f"a message containing {fragment!r}", found, timeout)
        return result
