"""Bot API objects as Telegram sends them, shared by the two fakes: the in-process
recording transport (tests/bot) and the HTTP server (tests/e2e)."""

from __future__ import annotations

import time
from typing import Any


def bot_user(bot_id: int, username: str) -> dict[str, Any]:
    """What getMe answers."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "SP Advisor",
        "username": username,
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def bot_message(bot_id: int, message_id: int, chat_id: int, **fields: Any) -> dict[str, Any]:
    """A message the bot sent (private chats have positive ids, groups negative)."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
        "from": {"id": bot_id, "is_bot": True, "first_name": "SP Advisor"},
        **fields,
    }
