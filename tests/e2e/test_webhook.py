"""`python -m bot run --webhook URL`: updates posted over HTTP on 127.0.0.1 go
through the same inbox as polled ones; a wrong or missing secret gets 403 and nothing
else; `sp-advisor health` passes while the bot runs and fails once it stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.test_polling import REPO, STARTUP_TIMEOUT, _env, _stop

SECRET = "hook-secret_0123456789"
USER_ID = 606_707_808


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(port: int, update: dict[str, object], secret: str | None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/tg/hook", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def health(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "health"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=30)


def test_webhook_answers_a_posted_update_and_refuses_a_wrong_secret(
    api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    env = _env(api, tmp_path / "data")
    env.update(SP_ADVISOR_WEBHOOK_SECRET=SECRET, SP_ADVISOR_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
               SP_ADVISOR_LOG_LEVEL="INFO")
    assert health(env).returncode != 0  # nothing runs yet
    err = (tmp_path / "stderr.txt").open("wb")
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--webhook", "https://bot.example.org/tg/hook"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err,
    )
    try:
        hook = api.wait_for_call("setWebhook", timeout=STARTUP_TIMEOUT)
        assert hook.params["url"] == "https://bot.example.org/tg/hook"
        assert hook.params["secret_token"] == SECRET
        assert not api.calls_of("getUpdates")  # no polling in webhook mode
        person = api.person(USER_ID, "Hooked")
        start = {"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "text": "/start",
            "chat": {"id": USER_ID, "type": "private", "first_name": "Hooked"},
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Hooked",
                     "language_code": "en"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        assert post(port, start, "wrong") == 403
        assert post(port, start, None) == 403
        time.sleep(0.3)
        assert not [c for c in api.calls if c.method == "sendMessage"]
        assert post(port, start, SECRET) == 200
        person.wait_for_text("not end-to-end encrypted", timeout=5)
        assert post(port, start, SECRET) == 200  # Telegram's redelivery: not answered twice
        time.sleep(0.5)
        assert len([c for c in api.calls if c.method == "sendMessage"]) == 1
        deadline = time.monotonic() + 10
        while (result := health(env)).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert result.returncode == 0, result.stderr
    finally:
        _stop(bot)
        err.close()
    assert health(env).returncode != 0  # stopped: unhealthy
