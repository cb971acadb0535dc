"""The outbox and the inbox: what must still be done for each person, on disk.

An update enters the inbox (sealed) before Telegram is told it arrived, and
leaves it in the same transaction that stores its outcome: the new session and
one outbox row per Bot API call to make (send, edit, delete, answer a button).
The sender carries the rows out per person in order and ends each row only when
Telegram confirmed it or refused it for good, so a kill at any point loses
nothing: what was not done is still on disk.

These are plain functions on an open `sqlite3` connection, called by `Store`
inside its transactions.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict

import orjson

from storage.crypto import Sealer, SealError

__all__ = [
    "ButtonRow",
    "Call",
    "Incoming",
    "OutRow",
]

# Sealed payloads are padded to a multiple of this, so the size of a row does not
# tell how much someone typed.
_PAD_TO = 256

Op = Literal["send", "edit", "delete", "answer", "document", "strip", "claim"]


class ButtonRow(TypedDict):
    id: str
    label: str


class Call(TypedDict, total=False):
    """One Bot API call, as the adapter described it (sealed in the outbox)."""

    op: Op
    chat: int
    text: str
    # Sent instead of `text` when a deletion earlier in the same update could not
    # be done: what the person reads never claims a deletion that did not happen.
    alt: str
    buttons: list[list[ButtonRow]]
    # edit: the message to replace. claim: a message that may be the bot's unrecorded
    # first copy of one sent again (`Store._claims`). strip: the message whose keyboard
    # goes; absent, the chat's newest message with buttons, resolved when the row is
    # carried out (the send of that message may still be waiting in this very outbox).
    message_id: int
    ids: list[int]  # delete: the message ids
    # delete: "all" (every message the bot may still delete) or "draft" (those
    # since the draft began), resolved against the ledger when the row is written.
    ledger: Literal["all", "draft"]
    query: str  # answer: the callback query id
    name: str  # document: the file name
    body: str  # document: its text
    record: bool  # sent messages go to the ledger (False after a wipe)
    # send, edit, document: Telegram's content protection (no forwarding, no saving).
    # Absent (rows stored before it existed): protected.
    protect: bool


@dataclass(frozen=True, slots=True)
class OutRow:
    """A stored Bot API call still to be made."""

    id: int
    owner: str = field(repr=False)
    group: int
    call: Call = field(repr=False)
    use_alt: bool = False
    attempts: int = 0
    not_before: float = 0.0
    created_at: float = 0.0  # a Unix time: deletions end once Telegram no longer allows them
    # Stored when no older row of its owner was waiting: with the rows stored after it
    # in the same transaction, it is the owner's whole queue at that moment, so the
    # sender may carry them out as handed over instead of reading them back.
    first: bool = False


def _pad(data: bytes) -> bytes:
    return data + b" " * (-len(data) % _PAD_TO)


def seal_call(sealer: Sealer, owner: str, call: Mapping[str, object]) -> bytes:
    # orjson, not json: a screen's call with its keyboard is encoded in ~2 us instead
    # of ~31 us, on every update's path (the same bytes: compact, UTF-8).
    data = orjson.dumps(call)
    return sealer.seal(_pad(data), table="outbox", field="payload", owner=owner)


def open_call(sealer: Sealer, owner: str, blob: bytes) -> Call | None:
    try:
        plaintext = sealer.unseal(blob, table="outbox", field="payload", owner=owner)
    except SealError:
        return None
    data = orjson.loads(plaintext)
    if not isinstance(data, dict):
        return None
    call: Call = data  # type: ignore[assignment]  # written by seal_call only
    return call


def insert_rows(
    conn: sqlite3.Connection,
    sealer: Sealer,
    owner: str,
    group: int,
    calls: Iterable[Call],
) -> list[OutRow]:
    # To the minute, rounded down: only the sender's 48-hour limit reads it, and
    # an earlier time makes it stop trying sooner (the person is then told to
    # delete by hand), never claim a deletion Telegram no longer allows.
    now = float(int(time.time()) // 60 * 60)
    rows: list[OutRow] = []
    calls = list(calls)
    if not calls:
        return rows
    first = conn.execute("SELECT 1 FROM outbox WHERE owner = ? LIMIT 1", [owner]).fetchone() is None
    for call in calls:
        cursor = conn.execute(
            "INSERT INTO outbox (owner, grp, op, payload, not_before, attempts, use_alt, "
            "created_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?)",
            [owner, group, call["op"], seal_call(sealer, owner, call), now],
        )
        row_id = cursor.lastrowid
        if row_id is None:  # pragma: no cover - an INSERT always sets it
            raise RuntimeError("an outbox row was not stored")
        rows.append(
            OutRow(
                id=row_id, owner=owner, group=group, call=call, created_at=now,
                first=first and not rows,
            )
        )
    return rows


_ROW_COLUMNS = "id, owner, grp, payload, use_alt, attempts, not_before, created_at"


def _rows(sealer: Sealer, cursor: Iterable[Sequence[object]]) -> list[OutRow]:
    rows: list[OutRow] = []
    for row_id, owner, group, blob, use_alt, attempts, not_before, created_at in cursor:
        owner_s = str(owner)
        call = open_call(sealer, owner_s, bytes(blob))  # type: ignore[call-overload]
        if call is None:
            call = {"op": "answer", "query": ""}  # unreadable: ended as refused
        rows.append(
            OutRow(
                id=int(row_id),  # type: ignore[call-overload]
                owner=owner_s,
                group=int(group),  # type: ignore[call-overload]
                call=call,
                use_alt=bool(use_alt),
                attempts=int(attempts),  # type: ignore[call-overload]
                not_before=float(not_before),  # type: ignore[arg-type]
                created_at=float(created_at),  # type: ignore[arg-type]
            )
        )
    return rows


def rows_of(conn: sqlite3.Connection, sealer: Sealer, owner: str, limit: int) -> list[OutRow]:
    cursor = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM outbox WHERE owner = ? ORDER BY id LIMIT ?",  # noqa: S608
        [owner, limit],
    )
    return _rows(sealer, cursor)


def owners_due(conn: sqlite3.Connection, now: float, limit: int) -> list[tuple[str, float]]:
    """(owner, when its first row may run) for people with rows waiting, soonest first."""
    cursor = conn.execute(
        """
        SELECT owner, not_before FROM outbox AS o
        WHERE id = (SELECT min(id) FROM outbox WHERE owner = o.owner)
        ORDER BY not_before LIMIT ?
        """,
        [limit],
    )
    return [(str(owner), float(not_before)) for owner, not_before in cursor]


def finish(conn: sqlite3.Connection, row: OutRow) -> bool:
    """End a row; False when it was no longer there (a wipe took it meanwhile)."""
    return conn.execute("DELETE FROM outbox WHERE id = ?", [row.id]).rowcount > 0


def use_alt_after(conn: sqlite3.Connection, row: OutRow) -> None:
    """A deletion failed: the rest of the same update says so instead of claiming it."""
    conn.execute(
        "UPDATE outbox SET use_alt = 1 WHERE owner = ? AND grp = ? AND id > ?",
        [row.owner, row.group, row.id],
    )


def postpone(conn: sqlite3.Connection, row: OutRow, not_before: float) -> None:
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?",
        [not_before, row.id],
    )


def drop_owner(conn: sqlite3.Connection, owner: str) -> int:
    return conn.execute("DELETE FROM outbox WHERE owner = ?", [owner]).rowcount


def drop_sends_of(conn: sqlite3.Connection, owner: str, *, replies_only: bool = False) -> None:
    """A wipe, a quick exit, "Delete this draft": what was still to be sent is not sent;
    deletions stay queued, and so do claims (they delete a copy the ledger never held).
    `replies_only`: only the replies to updates (a due reminder, stored without an
    update, still goes out). Called before the update's own rows are stored."""
    # Replies carry their update's id as group; housekeeping's groups are negative.
    only = " AND grp >= 0" if replies_only else ""
    conn.execute(
        f"DELETE FROM outbox WHERE owner = ? AND op NOT IN ('delete', 'claim'){only}",  # noqa: S608
        [owner],
    )


# -- the inbox --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incoming:
    """An update waiting in the inbox."""

    update_id: int
    owner: str = field(repr=False)
    data: dict[str, object] = field(repr=False)


def seal_update(sealer: Sealer, owner: str, data: Mapping[str, object]) -> bytes:
    raw = orjson.dumps(data)
    return sealer.seal(_pad(raw), table="inbox", field="payload", owner=owner)


def open_update(sealer: Sealer, owner: str, blob: bytes) -> dict[str, object] | None:
    try:
        plaintext = sealer.unseal(blob, table="inbox", field="payload", owner=owner)
    except SealError:
        return None
    data = orjson.loads(plaintext)
    return data if isinstance(data, dict) else None
