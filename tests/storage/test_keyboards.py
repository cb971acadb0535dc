"""The ledger's keyboard flag: which of the chat's messages still shows buttons, so a
strip row can be resolved when it is carried out (and what a draft begun by a press
counts as its own)."""

from __future__ import annotations

from pathlib import Path

from flows.model import Session
from storage.crypto import Sealer
from storage.outbox import Call, OutRow
from storage.store import Store
from tests.storage.conftest import read_only

OWNER = "kb-owner"
BUTTONS = [[{"id": "1.x", "label": "X"}]]


async def queue(store: Store, calls: list[Call]) -> list[OutRow]:
    rows = await store.commit(OWNER, None, update_id=None, calls=calls, keep_session=True)
    assert rows is not None
    return rows


async def test_sends_and_edits_set_the_flag_and_a_strip_clears_it(store: Store) -> None:
    first, plain = await queue(store, [
        {"op": "send", "chat": 1, "text": "a", "buttons": BUTTONS},  # type: ignore[typeddict-item]
        {"op": "send", "chat": 1, "text": "b"},
    ])
    await store.outbox_sent(first, [10])
    await store.outbox_sent(plain, [11])
    assert await store.keyboard_message(OWNER) == 10
    # An edit always carries its keyboard: an empty one means none is shown any more.
    (edit,) = await queue(store, [{"op": "edit", "chat": 1, "text": "c", "message_id": 10}])
    await store.outbox_sent(edit, [10])
    assert await store.keyboard_message(OWNER) is None
    (again,) = await queue(store, [
        {"op": "edit", "chat": 1, "text": "d", "message_id": 10,
         "buttons": BUTTONS},  # type: ignore[typeddict-item]
    ])
    await store.outbox_sent(again, [10])
    (strip,) = await queue(store, [{"op": "strip", "chat": 1}])
    assert await store.keyboard_message(OWNER) == 10
    await store.outbox_stripped(strip, 10)
    assert await store.keyboard_message(OWNER) is None
    assert await store.outbox_owners(1e12) == []


async def test_a_message_queued_for_deletion_is_not_stripped(store: Store) -> None:
    (sent,) = await queue(store, [
        {"op": "send", "chat": 1, "text": "a", "buttons": BUTTONS},  # type: ignore[typeddict-item]
    ])
    await store.outbox_sent(sent, [20])
    await queue(store, [{"op": "delete", "chat": 1, "ledger": "all"}])
    assert await store.keyboard_message(OWNER) is None


async def test_an_edit_sent_as_a_new_message_queues_a_strip_of_the_pressed_one(
    store: Store,
) -> None:
    (document,) = await queue(store, [
        {"op": "document", "chat": 1, "text": "", "name": "d.txt", "body": "x",
         "buttons": BUTTONS},  # type: ignore[typeddict-item]
    ])
    await store.outbox_sent(document, [30])
    (edit,) = await queue(store, [
        {"op": "edit", "chat": 1, "text": "e", "message_id": 30,
         "buttons": BUTTONS},  # type: ignore[typeddict-item]
    ])
    (strip,) = await store.outbox_sent(edit, [31])  # Telegram refused; sent anew as 31
    assert strip.call == {"op": "strip", "chat": 1, "message_id": 30}
    # Nothing to strip when the pressed message showed no buttons.
    (plain,) = await queue(store, [{"op": "send", "chat": 1, "text": "p"}])
    await store.outbox_sent(plain, [32])
    (edit,) = await queue(store, [{"op": "edit", "chat": 1, "text": "f", "message_id": 32}])
    assert await store.outbox_sent(edit, [33]) == []


async def test_the_flag_is_a_column_of_the_ledger_only(store: Store, data_dir: Path) -> None:
    await store.record_messages(OWNER, [40])
    with read_only(data_dir) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(ledger)")]
        flag = conn.execute("SELECT keyboard FROM ledger").fetchone()[0]
    assert columns == ["owner", "message_id", "sent_at", "pending", "keyboard"]
    assert flag == 0  # the person's own messages and older rows show no buttons


async def test_a_draft_begun_by_a_press_begins_on_the_pressed_message(store: Store) -> None:
    await store.record_messages(OWNER, [50, 51, 52])
    session = Session()
    session.draft = {"lang": "en"}
    await store.commit(
        OWNER, session, update_id=1,
        calls=[{"op": "edit", "chat": 1, "text": "q", "message_id": 51}],
    )
    rows = await store.commit(
        OWNER, Session(), update_id=2, calls=[{"op": "delete", "chat": 1, "ledger": "draft"}]
    )
    assert rows is not None
    assert [r.call.get("ids") for r in rows] == [[51, 52]]


# --- a first copy whose answer was lost ---------------------------------------------


async def test_a_send_that_may_have_gone_twice_claims_the_unrecorded_ids_below_it(
    store: Store,
) -> None:
    first, second = await queue(store, [
        {"op": "send", "chat": 1, "text": "a"},
        {"op": "send", "chat": 1, "text": "b", "buttons": BUTTONS},  # type: ignore[typeddict-item]
    ])
    await store.outbox_sent(first, [30])
    await store.record_messages(OWNER, [32])  # the person's own message
    claims = await store.outbox_sent(second, [34], unsure=True)
    # 33 and 31 may be the first copy; 30 (the bot's) and 32 (the person's) are known.
    assert [(r.call["op"], r.call.get("message_id")) for r in claims] == [
        ("claim", 33), ("claim", 31)]
    # A sure send claims nothing.
    (third,) = await queue(store, [{"op": "send", "chat": 1, "text": "c"}])
    assert await store.outbox_sent(third, [40]) == []


async def test_a_claimed_copy_is_deleted_and_a_wipe_keeps_the_claims(store: Store) -> None:
    (sent,) = await queue(store, [{"op": "send", "chat": 1, "text": "a"}])
    claim, other = await store.outbox_sent(sent, [3], unsure=True)
    (delete,) = await store.outbox_claimed(claim)
    assert delete.call == {"op": "delete", "chat": 1, "ids": [2]}
    # A wipe drops what was still to be sent, not what deletes: the other claim stays.
    await store.commit(OWNER, None, update_id=None, wipe=True)
    left = await store.outbox_rows(OWNER, 10)
    assert sorted(r.call["op"] for r in left) == ["claim", "delete"]
    assert other.id in {r.id for r in left}


async def test_a_send_left_on_its_way_by_a_killed_run_is_the_one_maybe_sent(
    data_dir: Path, sealer: Sealer
) -> None:
    store = await Store.open(data_dir, sealer)
    try:
        _, screen, _ = await queue(store, [
            {"op": "answer", "chat": 1, "query": "q"},
            {"op": "send", "chat": 1, "text": "a"},
            {"op": "send", "chat": 1, "text": "b"},
        ])
        await store.commit("someone-else", None, update_id=None, keep_session=True,
                           calls=[{"op": "delete", "chat": 2, "ids": [5]}])
    finally:
        await store.close()
    store = await Store.open(data_dir, sealer)
    try:
        # Only the first row of a person that was not an answered button may have been on
        # its way; the next one never started, and a deletion is not a send.
        assert store.maybe_sent == {screen.id}
    finally:
        await store.close()
