"""`python -m bot run` when Telegram fails while it starts or polls, over real HTTP.

At boot the network may not be up yet, and Telegram has outages: the calls the bot
cannot start without (getMe, deleteWebhook, setWebhook) are tried again until they go through.
Telegram's own faults on the way in (a 502, a dropped connection, a flood wait, an
answer lost on the way back) delay an update and never lose or double it: the bot
confirms a batch only with the next getUpdates. A token revoked while the bot runs
(the operator's move when it leaks) stops the bot with one clear line instead of
leaving it running deaf.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.test_kill import NOTICE, start_bot, texts_to
from tests.e2e.test_polling import REPO, STARTUP_TIMEOUT, TOKEN, _env, _stop
from tests.e2e.test_webhook import SECRET, free_port

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGINT")


def test_getupdates_faults_delay_an_update_and_never_double_it(
    api: FakeBotApi, tmp_path: Path
) -> None:
    person = api.person(611_204, "Ines")
    person.send("/start")  # waiting before the bot starts: the first polls deliver it
    api.fail("getUpdates", 502, "Bad Gateway")
    api.drop("getUpdates")
    api.fail("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    api.lose_answer("getUpdates")  # Telegram hands the batch over; the answer is lost
    err = tmp_path / "stderr.txt"
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=REPO, env=_env(api, tmp_path / "data"),
        stdout=subprocess.DEVNULL, stderr=err.open("ab"),
    )
    try:
        person.wait_for_text(NOTICE, timeout=STARTUP_TIMEOUT + 15)
        person.send("/help")
        person.wait_for_text("/language")
        assert not api.faults.get("getUpdates")  # every fault was met
    finally:
        assert _stop(bot) == 0
    said = texts_to(api, person.id)
    assert len(said) == 2 and NOTICE in said[0], said
    log = err.read_text()
    assert "polling failed: NetworkError" in log
    assert TOKEN.split(":", 1)[1] not in log


def test_the_bot_starts_through_network_trouble_and_outages(
    api: FakeBotApi, tmp_path: Path
) -> None:
    api.fail("getMe", 502, "Bad Gateway")
    api.drop("getMe")
    api.fail("deleteWebhook", 429, "Too Many Requests: retry after 1", retry_after=1)
    api.fail("deleteWebhook", 503, "Service Unavailable")
    err = tmp_path / "stderr.txt"
    bot = start_bot(api, tmp_path / "data", err)  # fails if the bot exits
    try:
        person = api.person(611_206, "Ines")
        person.send("/start")
        person.wait_for_text(NOTICE)
    finally:
        assert _stop(bot) == 0
    assert "starting: getMe failed: NetworkError; trying again" in err.read_text()


def test_a_token_revoked_while_running_stops_the_bot_with_one_clear_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    err = tmp_path / "stderr.txt"
    bot = start_bot(api, tmp_path / "data", err)
    try:
        api.fail("getUpdates", 401, "Unauthorized")
        api.person(611_205, "Ines").send("/start")  # ends the poll that waits
        deadline = time.monotonic() + 10
        while bot.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bot.poll() == 2, "the bot went on running without its token"
    finally:
        if bot.poll() is None:
            _stop(bot)
    refused = [line for line in err.read_text().splitlines() if "refused the token" in line]
    assert len(refused) == 1, err.read_text()[-2000:]
    assert TOKEN.split(":", 1)[1] not in err.read_text()



def test_a_webhook_is_set_through_an_outage(api: FakeBotApi, tmp_path: Path) -> None:
    api.fail("setWebhook", 502, "Bad Gateway")
    api.drop("setWebhook")
    port = free_port()
    env = _env(api, tmp_path / "data")
    env.update(SP_ADVISOR_WEBHOOK_SECRET=SECRET, SP_ADVISOR_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--webhook", "https://bot.example.org/tg/hook"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        hook = api.wait_for_call("setWebhook", timeout=STARTUP_TIMEOUT + 5)
        assert hook.params["url"] == "https://bot.example.org/tg/hook"
        assert bot.poll() is None
    finally:
        assert _stop(bot) == 0
