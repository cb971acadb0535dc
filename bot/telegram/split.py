"""Telegram's message size: a text longer than a message can hold is cut at paragraph
breaks into several messages; only the last keeps the buttons and the document."""

from __future__ import annotations

from collections.abc import Sequence

from flows.model import Reply

TELEGRAM_TEXT_LIMIT = 4096
SPLIT_AT = 3900  # leave room for bidi marks and the adapter's own additions


def split_long(replies: Sequence[Reply]) -> list[Reply]:
    """Keep every message under Telegram's limit, cutting at paragraph breaks."""
    out: list[Reply] = []
    for reply in replies:
        if len(reply.text) <= SPLIT_AT:
            out.append(reply)
            continue
        chunks = _chunks(reply.text)
        for chunk in chunks[:-1]:
            out.append(Reply(text=chunk))
        out.append(reply.model_copy(update={"text": chunks[-1], "edit": False}))
    return out


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        while len(para) > SPLIT_AT:
            cut = para.rfind("\n", 0, SPLIT_AT)
            cut = cut if cut > 0 else para.rfind(" ", 0, SPLIT_AT)
            cut = cut if cut > 0 else SPLIT_AT
            if current:
                chunks.append(current)
                current = ""
            chunks.append(para[:cut].rstrip())
            para = para[cut:].lstrip()
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) > SPLIT_AT:
            chunks.append(current)
            current = para
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
