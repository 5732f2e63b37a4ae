"""The records of an export: the lines of the waiting changes, per package record type, with
progress and cancel (``sync_export`` puts them into the package).

Per record type, the waiting outbox entries are read once (queue order; the latest entry of a
record wins). A record whose package line was stored with that latest entry is sent with that
line, read in one ordered pass over the stored lines and MAC-checked (``StoredLinesMixin``,
``app/services/_sync_export_stored_lines.py``); every other record (queued before migration
0009, written again since, a personal number, a changed table shape, a line without a MAC or
whose MAC does not match) is read from its row as before: ordered by row id, its line built by
SQLite (``sync_lines``), personal numbers decrypted with the session's number key on the
per-row path. Every line is checked against its schema before it is sent: a stored line once,
when its change was queued (``app/services/_line_check.py``; its MAC proves it), so it goes into
the package as it is (``CheckedLines``); every other line by the package layer while it writes.

Two cores (``reader`` and ``mark``): the stored lines are read on a second connection on the same
snapshot (``stored_line_reader.snapshot_reader``), from the start (the first record type that has them
is read ahead at once, ``stored_line_reader.StoredLines``), while a worker thread on the caller's
connection reads the waiting entries (the caller waits for those) and then marks them as sent
(``mark``: the UPDATE of the export's own transaction; SQLite releases the GIL in all three). The caller's connection is used again only through ``own_conn`` (which waits
for the marking). The caller calls ``close()`` before its transaction ends, whatever happened
(it waits for a marking under way and closes the second connection), and ``finish_marking()``
once the package is built (it runs ``mark`` when it did not run beside the reads). ``fetch``
(the audit entries' rows) runs on the marking thread after the marking, so that the audit member
is made beside the records (``fetched``) without touching the caller's connection.

Postponed vaccinations come in the same pass as the given ones and are kept for the postponement
member (read again by their ids when there are more than ``POSTPONED_KEPT``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from typing import Any

from app.errors import VaxDeskError
from app.security.person_numbers import NumberCipher
from app.services._retention_sync import purge_envelopes
from app.services._sync_export_stored_lines import Latest, StoredLinesMixin
from app.services._sync_records import EnvelopeMaker, line_shape, line_shapes
from app.store import db, outbox_lines, stored_line_reader, sync_lines, sync_outbox
from app.sync.errors import PackageError
from app.sync.schemas import RECORD_TYPES
from app.sync.writer import CheckedLines

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
PROGRESS_EVERY = 2000
POSTPONED_KEPT = 50_000


class Cancelled(VaxDeskError):
    code = "E_CANCELLED"
    message_ja = "中止しました。台帳は変更していません。"
    exit_code = 75


#: A second connection on the caller's snapshot for reading stored lines (or the caller's own).
LineReader = Callable[[], AbstractContextManager[db.Connection]]


class Records(StoredLinesMixin):
    """The lines of the changes waiting up to outbox id ``up_to`` (see the module text)."""

    def __init__(
        self,
        conn: db.Connection,
        party_id: str,
        cipher: NumberCipher | None,
        up_to: int,
        progress: Progress | None,
        cancel: CancelCheck | None,
        *,
        reader: LineReader | None = None,
        mark: Callable[[], object] | None = None,
        fetch: Callable[[], list[Any]] | None = None,
    ) -> None:
        self.conn, self.party_id, self.cipher = conn, party_id, cipher
        self._reader, self._mark, self._fetch = reader, mark, fetch
        self._marking: Future[object] | None = None
        self._fetched: Future[list[Any]] | None = None
        self._latest_read: Future[dict[str, Latest]] | None = None
        self._marker: ThreadPoolExecutor | None = None
        self._exit = ExitStack()
        self.progress, self.cancel = progress, cancel
        self.types = sync_lines.pending_types(conn, up_to)
        self._stored_ok = outbox_lines.triggers_in_place(conn)
        self._waiting: dict[str, Latest] | None = None  # read beside (``_waiting_now``)
        self._ids: dict[str, tuple[list[int], set[bytes]]] = {}
        self._checks: dict[str, tuple[int, outbox_lines.Verify] | None] = {}
        for t in self.types:
            if t not in sync_outbox.RECORD_TABLES:
                continue
            if line_shapes(conn, t) is None:  # personal numbers: by row, as before
                self._ids[t] = sync_lines.pending_row_ids(conn, t, up_to)
                continue
            self._checks[t] = self._check_of(t)
        # this terminal's retention purges (app/services/_retention_sync.py), by outbox uid
        self._purges = (
            sync_lines.pending_uids(conn, "purge", up_to) if "purge" in self.types else []
        )
        # the stored lines (and the waiting entries they answer) are read on the second
        # connection while this one marks the entries (module text)
        self._lines_conn = conn
        self._ahead: tuple[str, stored_line_reader.StoredLines] | None = None
        try:
            if reader is not None and any(self._checks.values()):
                self._lines_conn = self._exit.enter_context(reader())
            if self._lines_conn is not conn:
                self._read_ahead()
                # the waiting entries on this connection (same snapshot), then the marking
                self._start_marking(lambda: self._latest(conn, up_to))
            else:
                self._set_waiting(self._latest(conn, up_to))
        except BaseException:
            self.close()
            raise
        self.done = 0
        # postponed vaccinations met in the vaccination pass: (row ids, uids, lines or None);
        # a kept line is (line, True) when it is a MAC-verified stored line
        self._postponed: tuple[list[int], set[bytes], list[tuple[Any, bool]] | None] = (
            [],
            set(),
            [],
        )

    def _latest(self, conn: db.Connection, up_to: int) -> dict[str, Latest]:
        return {t: stored_line_reader.latest_pending(conn, t, up_to) for t in self._checks}

    def _set_waiting(self, waiting: dict[str, Latest]) -> None:
        self._waiting = waiting
        self._total = (
            sum(len(ids) for ids, _ in self._ids.values())
            + sum(len(w) for w in waiting.values())
            + len(self._purges)
        )

    def _waiting_now(self, *, wait: bool = True) -> dict[str, Latest] | None:
        """The waiting entries per record type (read on the marking thread: waits for them);
        without ``wait``, None while they are being read."""
        if self._waiting is None:
            read = self._latest_read
            assert read is not None
            if not wait and not read.done():
                return None
            self._set_waiting(read.result())
        return self._waiting

    @property
    def total(self) -> int:
        """How many records the package will hold (for progress)."""
        self._waiting_now()
        return self._total

    def own_conn(self) -> db.Connection:
        """The caller's connection, once the marking on it is done."""
        self.finish_marking(run=False)
        return self.conn

    def close(self) -> None:
        """Wait for the marking, close the second connection. Idempotent."""
        try:
            self.finish_marking(run=False)
        finally:
            self._exit.close()

    def _start_marking(self, first: Callable[[], dict[str, Latest]]) -> None:
        """``first`` (the waiting entries), then ``mark``, then ``fetch`` (the export's audit
        rows), on a worker thread, on the caller's connection (see the module text)."""
        self._marker = ThreadPoolExecutor(1, thread_name_prefix="export-mark")
        self._latest_read = read = self._marker.submit(first)
        mark = self._mark
        if mark is not None:

            def mark_after_read() -> object:
                if read.exception() is not None:
                    return None  # the export fails with that error: nothing is marked
                return mark()

            self._marking = self._marker.submit(mark_after_read)
        fetch = self._fetch
        if fetch is not None:

            def fetch_after_read() -> list[Any]:
                read.result()  # its error, if any: the export fails with it
                return fetch()

            self._fetched = self._marker.submit(fetch_after_read)

    def fetched(self) -> list[Any] | None:
        """What ``fetch`` read on the marking thread after the marking (waits for it; raises
        what it raised), or None when there is no marking thread (then nothing was fetched:
        the caller reads on ``own_conn``). The caller may call this on any thread: it never
        touches the connection."""
        fetched = self._fetched
        return None if fetched is None else fetched.result()

    @property
    def fetching(self) -> bool:
        """True when ``fetch`` runs on the marking thread (``fetched`` gives its rows)."""
        return self._fetched is not None

    def finish_marking(self, *, run: bool = True) -> None:
        """Wait for the marking started on the worker thread (raises what it raised); with
        ``run``, run ``mark`` here when no stored pass started it. Idempotent."""
        marking, marker = self._marking, self._marker
        if marker is not None:
            self._mark, self._marking, self._marker = None, None, None
            try:
                if marking is not None:
                    marking.result()
            finally:
                marker.shutdown(wait=True)
        elif run and self._mark is not None:
            mark, self._mark = self._mark, None
            mark()

    def _tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self._report()

    def _report(self) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled()
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _keep(self, row_id: int | None, uid: bytes, line: Any, checked: bool = False) -> None:
        ids, uids, kept = self._postponed
        if row_id is not None:
            ids.append(row_id)
        uids.add(uid)
        if kept is not None:
            kept.append((line, checked))
            if len(kept) > POSTPONED_KEPT:
                self._postponed = (ids, uids, None)  # too many to keep: read again

    def _lines(
        self,
        register_type: str,
        package_type: str,
        ids: list[int],
        pending: set[bytes] | None = None,
        *,
        again: bool = True,
    ) -> Iterator[bytes | dict[str, Any]]:
        """The lines of rows ``ids``, built from the rows. With ``pending`` (the uids of the
        changes; used up), a row is sent only when its uid is one of them and not sent yet, and
        pending records not met (an outbox row id that was wrong) are then looked up by uid and
        sent: row ids of synced records do not change, but a wrong id must neither lose nor
        misplace a change."""
        names = sync_outbox.export_names(self.own_conn(), register_type)
        shape = line_shape(register_type, names, package_type)
        alternate = None
        if package_type == "vaccination":
            alternate = line_shape(register_type, names, "postponement")
        tick, keep = self._tick, self._keep
        check = pending is not None
        todo: set[bytes] = set() if pending is None else pending
        if shape is None or (package_type == "vaccination" and alternate is None):
            make = EnvelopeMaker(register_type, names, party_id=self.party_id, cipher=self.cipher)
            i_id, i_uid = names.index("id"), names.index("uid")
            for row in sync_outbox.rows_by_ids(self.conn, register_type, ids):
                if check:
                    if row[i_uid] not in todo:
                        continue
                    todo.discard(row[i_uid])
                if package_type == "vaccination" and make.postponed(row):
                    keep(int(row[i_id]), bytes(row[i_uid]), make(row)[1])
                else:
                    tick()
                    yield make(row)[1]
        else:
            try:
                for row_id, postponed, uid, line in sync_lines.json_lines(
                    self.conn, shape, ids, self.party_id, alternate=alternate
                ):
                    if check:
                        if uid not in todo:
                            continue
                        todo.discard(uid)
                    if postponed:
                        keep(row_id, uid, line)
                    else:
                        tick()
                        yield line
            except sync_lines.UnexportableValue:
                raise PackageError(
                    "E_RECORD_SCHEMA", f"records/{package_type}.jsonl に送信できない値があります"
                ) from None
        if todo and again:
            found = sync_lines.row_ids_of(self.conn, register_type, todo)
            yield from self._lines(register_type, package_type, found, todo, again=False)

    def _emit(self, lines: bytes, count: int) -> Iterator[CheckedLines]:
        if count:
            before = self.done
            self.done += count
            if before // PROGRESS_EVERY != self.done // PROGRESS_EVERY:
                self._report()
            yield CheckedLines(lines, count)

    def _stored_then_rows(self, record_type: str) -> Iterator[bytes | Any | CheckedLines]:
        """The stored lines that are the current lines of waiting records and carry the MAC of
        the checked queue path (module text), then the lines of the other waiting records built
        from their rows."""
        check = self._checks.get(record_type)
        if check is not None:
            yield from self._stored(record_type, *check)
        waiting = self._waiting_now()
        assert waiting is not None
        latest = waiting.pop(record_type)
        if not latest:
            return
        self.own_conn()  # the caller's connection is used again below
        ids = {row_id for _, row_id in latest.values() if row_id is not None}
        without = [uid for uid, (_, row_id) in latest.items() if row_id is None]
        if without:  # entries queued before migration 0007: found by uid
            ids.update(sync_lines.row_ids_of(self.conn, record_type, without))
        yield from self._lines(record_type, record_type, sorted(ids), set(latest))

    def source(self, package_type: str) -> Iterator[bytes | dict[str, Any] | CheckedLines]:
        if package_type == "purge":
            uids, self._purges = self._purges, []
            for envelope in purge_envelopes(self.own_conn(), uids, self.party_id):
                self._tick()
                yield envelope
            return
        if package_type == "postponement":
            ids, waiting, kept = self._postponed
            self._postponed = ([], set(), [])
            if kept is None:
                yield from self._lines("vaccination", "postponement", sorted(ids), waiting)
                return
            checked: list[bytes] = []
            for line, trusted in kept:
                if trusted:
                    checked.append(line)
                    self._tick()
                    continue
                if checked:
                    checked.append(b"")
                    yield CheckedLines(b"\n".join(checked), len(checked) - 1)
                    checked = []
                self._tick()
                yield line
            if checked:
                checked.append(b"")
                yield CheckedLines(b"\n".join(checked), len(checked) - 1)
            return
        if package_type in self._checks:
            yield from self._stored_then_rows(package_type)
            return
        ids, pending = self._ids.pop(package_type, ([], set()))
        yield from self._lines(package_type, package_type, ids, pending)

    def sources(self) -> list[tuple[str, Iterator[bytes | dict[str, Any] | CheckedLines]]]:
        wanted = set(self._ids) | set(self._checks)
        if "vaccination" in wanted:
            wanted.add("postponement")
        if self._purges:
            wanted.add("purge")
        return [(t, self.source(t)) for t in RECORD_TYPES if t in wanted]
