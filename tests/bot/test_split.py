"""Telegram's size limit, in the adapter: long texts are cut at paragraph breaks."""

from __future__ import annotations

from bot.telegram.render import calls_for
from bot.telegram.split import SPLIT_AT
from flows.model import Button, Reply


def test_a_long_text_is_sent_as_several_messages_with_the_buttons_last() -> None:
    text = "\n\n".join(f"Paragraph {i}: " + "word " * 40 for i in range(40))
    reply = Reply(text=text, buttons=[[Button(id="menu", label="Main menu")]], edit=True)
    strip, *calls = calls_for(1, [reply], pressed=5)
    # Sent anew, so the pressed screen's keyboard goes first.
    assert strip == {"op": "strip", "chat": 1}
    assert len(calls) > 1
    assert all(len(c.get("text", "")) <= SPLIT_AT for c in calls)
    assert [bool(c.get("buttons")) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert "Paragraph 39" in calls[-1]["text"] and "Paragraph 0:" in calls[0]["text"]
    # A split screen is sent anew, not edited into the pressed message.
    assert all(c["op"] == "send" for c in calls)
