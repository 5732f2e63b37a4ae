"""Retention and erasure (``retention.manage``, administrators; DOMAIN.md §7).

* ``current_policy`` / ``set_policy``: the policy stored in the register; a change is audited
  with the old and new policy digests and values (no personal data in a policy).
* ``preview``: what is past retention on a day (today or earlier), as COUNTS BY KIND and a
  digest of the exact set; never a name or a list of persons. Audited with the counts.
* ``purge``: only with the confirmation of exactly the previewed counts; the set is worked out
  again and must be the previewed one (``E_RETENTION_PREVIEW_STALE`` otherwise: nothing
  deleted). In one transaction: the rows go with ``PRAGMA secure_delete = ON`` (their bytes are
  overwritten, index entries included), their uids become tombstones, purge records listing the
  {type, uid} pairs are queued for export so the server purges too, and the audit entry records
  the counts, the policy digest and who. Then the freed pages are vacuumed (progress reported).

The audit log itself is never purged: it is append-only and hash-chained (DESIGN.md §4), its
head is anchored outside the register and at the server, and its entries hold ids and codes,
never names or numbers; removing entries would break ``audit verify`` and the anchor. A purged
person's id stays in old entries as a number that no longer resolves to anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.domain import retention as policy_model
from app.domain.retention import KINDS, RetentionPolicy
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.store import retention as store
from app.store import stamps
from app.store.sync_outbox import read_snapshot

ITEMS_PER_RECORD = 5000  # {type, uid} pairs per purge record: one line stays far below 1 MiB
PurgeProgress = Callable[[str, int, int], None]  # stage ("delete" / "vacuum"), done, total


class RetentionPreviewStale(InvalidInput):
    code = "E_RETENTION_PREVIEW_STALE"


class RetentionConfirmMismatch(InvalidInput):
    code = "E_RETENTION_CONFIRM"


class RetentionDateInvalid(InvalidInput):
    code = "E_RETENTION_DATE"


@dataclass(frozen=True, slots=True)
class PolicyView:
    policy: RetentionPolicy
    updated_date: str
    updated_time: str
    updated_by: str


@dataclass(frozen=True, slots=True)
class PurgePreview:
    on: date
    policy_sha256: str
    counts: dict[str, int]
    digest: str

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class PurgeResult:
    counts: dict[str, int]
    purge_records: int
    audit_seq: int
    vacuumed: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _stored(session: Session) -> PolicyView:
    found = store.read_policy(session.register.conn)
    if found is None:  # the migration seeds the row; a missing one means the defaults
        return PolicyView(policy_model.DEFAULT_POLICY, "", "", "")
    text, stamp = found
    return PolicyView(
        policy_model.policy_from_text(text),
        stamp.updated_date,
        stamp.updated_time,
        stamp.updated_by,
    )


def current_policy(session: Session | SessionView) -> PolicyView:
    """The policy in force and who changed it last."""
    session = session_of(session)
    _audit.require(session, perm.RETENTION_MANAGE, "retention.policy_read")
    return _stored(session)


def set_policy(session: Session | SessionView, policy: RetentionPolicy) -> None:
    """Store ``policy`` (validated again) in the register, audited."""
    session = session_of(session)
    _audit.require(session, perm.RETENTION_MANAGE, "retention.policy")
    checked = policy_model.policy_from_json(policy.to_json())
    before = _stored(session).policy
    if checked == before:
        return
    with write(session) as w:
        store.write_policy(w.conn, checked.text(), w.stamp)
        _audit.record(
            session,
            "retention.policy",
            record_type="retention_policy",
            detail={
                "before": before.digest(),
                "after": checked.digest(),
                "policy": checked.to_json(),
            },
        )


def _check_day(on: date | None) -> date:
    today = date.today()
    if on is None:
        return today
    if on > today:
        raise RetentionDateInvalid()
    return on


def preview(session: Session | SessionView, on: date | None = None) -> PurgePreview:
    """Counts by kind of what is past retention on ``on`` (default today; never a later day)."""
    session = session_of(session)
    _audit.require(session, perm.RETENTION_MANAGE, "retention.preview")
    day = _check_day(on)
    conn = session.register.conn
    policy = _stored(session).policy
    try:
        with read_snapshot(conn):
            store.build_set(conn, policy_model.cutoffs(policy, day))
            counts, digest = store.set_counts(conn), store.set_digest(conn)
    finally:
        store.drop_set(conn)
    result = PurgePreview(day, policy.digest(), counts, digest)
    _audit.record_now(
        session,
        "retention.preview",
        detail={"on": day.isoformat(), "policy": result.policy_sha256, **counts},
    )
    return result


def purge(
    session: Session | SessionView,
    previewed: PurgePreview,
    confirmed_counts: Mapping[str, int],
    *,
    progress: PurgeProgress | None = None,
) -> PurgeResult:
    """Remove exactly the previewed set; ``confirmed_counts`` are the counts the administrator
    confirmed and must equal the preview's."""
    session = session_of(session)
    _audit.require(session, perm.RETENTION_MANAGE, "retention.purge")
    if {k: int(confirmed_counts.get(k, 0)) for k in KINDS} != previewed.counts or set(
        confirmed_counts
    ) - set(KINDS):
        raise RetentionConfirmMismatch()
    day = _check_day(previewed.on)
    conn = session.register.conn
    policy = _stored(session).policy
    if policy.digest() != previewed.policy_sha256:
        raise RetentionPreviewStale()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    store.set_secure_delete(conn, True)
    try:
        try:
            with write(session) as w:
                store.build_set(conn, policy_model.cutoffs(policy, day))
                counts = store.set_counts(conn)
                if counts != previewed.counts or store.set_digest(conn) != previewed.digest:
                    raise RetentionPreviewStale()
                if progress is not None:
                    progress("delete", 0, previewed.total)
                items = list(store.set_items(conn))
                store.delete_set(conn)
                store.add_tombstones(conn, items, now)
                records = 0
                for start in range(0, len(items), ITEMS_PER_RECORD):
                    uid = stamps.new_uid()
                    store.add_purge(
                        conn,
                        store.PurgeRow(
                            uid,
                            w.version,
                            w.origin,
                            day.isoformat(),
                            policy.digest(),
                            items[start : start + ITEMS_PER_RECORD],
                        ),
                        w.stamp,
                    )
                    w.queue("purge", uid)
                    records += 1
                seq = _audit.record(
                    session,
                    "retention.purge",
                    record_type="purge",
                    detail={
                        "on": day.isoformat(),
                        "policy": policy.digest(),
                        "set": previewed.digest,
                        "purge_records": records,
                        **counts,
                    },
                )
        finally:
            store.drop_set(conn)
        if progress is not None:
            progress("delete", previewed.total, previewed.total)
        vacuumed = not items or store.vacuum_freed_pages(
            conn, None if progress is None else lambda d, t: progress("vacuum", d, t)
        )
    finally:
        store.set_secure_delete(conn, False)
    return PurgeResult(counts, records, seq, vacuumed)
