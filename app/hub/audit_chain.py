"""Audit anchoring on the hub (PACKAGE-FORMAT.md §6).

A terminal's ``changes`` package carries every audit entry since the head the hub acknowledged,
each with ``seq``, ``prev_hash`` and ``entry_hash``, and the manifest's ``audit_head``. The hub
accepts them only when they continue the chain it stored for that terminal: the first entry is
``stored seq + 1`` and chains to the stored hash (32 zero bytes before the first), every entry's
hash recomputes (SHA-256 of the previous hash ‖ the canonical JSON of its fields, the terminal's
formula in app/store/audit.py), sequence numbers have no gap, and the last entry is the declared
head. Anything else is a truncated or rewritten log: ``E_AUDIT_CHAIN``, refused as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.audit_chain import GENESIS
from app.domain.audit_chain import entry_hash as chain_hash
from app.hub.errors import HubError

GENESIS_HEX = GENESIS.hex()


class AuditChainBroken(HubError):
    code = "E_AUDIT_CHAIN"
    message_ja = (
        "端末の監査ログが前回確認した続きになっていません（切り詰めまたは改ざんの疑い）。"
        "パッケージは取り込まず隔離しました。管理者に連絡してください。"
    )
    exit_code = 65


def entry_hash(prev_hash_hex: str, entry: dict[str, Any]) -> str:
    """The chain hash of ``entry`` after ``prev_hash_hex`` (hex in, hex out)."""
    return chain_hash(bytes.fromhex(prev_hash_hex), entry).hex()


@dataclass(frozen=True, slots=True)
class ChainHead:
    seq: int
    hash: str


def check_continuation(
    stored: ChainHead,
    entries: Iterable[dict[str, Any]],
    declared: dict[str, Any] | None,
    known: Callable[[int], str | None],
) -> tuple[ChainHead, list[tuple[int, str, dict[str, Any]]]]:
    """Verify ``entries`` continue ``stored``; return the new head and the new (seq, hash, entry)
    rows. Entries the hub already holds may be repeated (the terminal had not yet received the
    acknowledgement); each must then equal the stored one (``known(seq)``)."""
    head = ChainHead(stored.seq, stored.hash or GENESIS_HEX)
    accepted: list[tuple[int, str, dict[str, Any]]] = []
    previous_seq: int | None = None
    for entry in entries:
        seq = entry.get("seq")
        if not isinstance(seq, int) or (previous_seq is not None and seq != previous_seq + 1):
            raise AuditChainBroken()
        previous_seq = seq
        prev_hash = entry.get("prev_hash")
        if not isinstance(prev_hash, str) or len(prev_hash) != 64:
            raise AuditChainBroken()
        computed = entry_hash(prev_hash, entry)
        if computed != entry.get("entry_hash"):
            raise AuditChainBroken()
        if seq <= stored.seq:
            if known(seq) != computed:
                raise AuditChainBroken()
            continue
        if seq != head.seq + 1 or prev_hash != head.hash:
            raise AuditChainBroken()
        head = ChainHead(seq, computed)
        accepted.append((seq, computed, entry))
    if declared is None:
        if accepted:
            raise AuditChainBroken()
        return head, accepted
    if declared.get("seq") != head.seq or (head.seq > 0 and declared.get("hash") != head.hash):
        raise AuditChainBroken()
    return head, accepted
