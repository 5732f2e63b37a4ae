"""The demo hub that ``vaxdesk demo --create DIR`` sets up as ``DIR/hub`` (embedded engine).

The terminal side writes the demo server's keys to ``DIR/demo-server/ID.key.json`` and its own
``ID.pub.json``, builds its register of synthetic persons, and calls :func:`create_demo_hub` with
those persons, so that hub and terminal start from the same residents (same 宛名番号 and uids)
and the README's three-command round trip works:

    vaxdesk hub emit --dir DIR/hub --terminal 192015-T001 --out DIR/outbox   (or terminal first)
    … the terminal imports / exports its packages …
    vaxdesk hub ingest --dir DIR/hub DIR/outbox/*.vxpkg

Only fictional data: the residents come from the demo generator.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.hub.hub import add_terminal, init_hub
from app.hub.masters import import_masters_text
from app.hub.masters_csv import COLUMNS as MASTER_COLUMNS
from app.hub.residents import import_residents_text
from app.hub.residents_csv import COLUMNS
from app.sync import load_keypair


@dataclass(frozen=True, slots=True)
class DemoHub:
    directory: Path
    hub_id: str
    residents: int
    rejected: int
    masters: int
    terminals: tuple[str, ...]
    trust_version: int


def create_demo_hub(
    directory: Path,
    server_keys: Path,
    residents: Iterable[Mapping[str, str]],
    terminal_pub: Path | Iterable[Path],
    masters: Iterable[Mapping[str, str]] = (),
) -> DemoHub:
    """Create the embedded demo hub in ``directory`` (must not exist yet).

    ``server_keys``: the demo server's ``ID.key.json`` (its id becomes the hub id).
    ``residents``: one mapping per person with the resident CSV's columns (宛名番号, 氏名, カナ,
    生年月日, 性別, 住所, 世帯番号, 続柄, 個人番号, 異動事由, 異動日; missing ones are empty) and
    optionally ``uid`` (canonical UUID text) to keep the terminal's uid for that person and
    ``number_uid`` for its 個人番号 record (else the terminal, which already holds that record
    under its own uid, refuses the hub's one: one number per person).
    ``terminal_pub``: the demo terminal's ``ID.pub.json`` (or several), enrolled in the trust.
    ``masters``: master-file rows (app/hub/masters_csv.py columns, missing ones empty) with the
    terminal's uids: the register's 医療機関, vaccines and lots, which the hub then sends on.
    """
    pair = load_keypair(server_keys)
    rows: list[list[str]] = []
    uids: dict[str, bytes] = {}
    number_uids: dict[str, bytes] = {}
    width = 0
    for person in residents:
        row = [str(person.get(c, "") or "") for c in COLUMNS]
        rows.append(row)
        width = width or len(row[0])
        if person.get("uid"):
            uids[row[0]] = uuid.UUID(str(person["uid"])).bytes
        if person.get("number_uid"):
            number_uids[row[0]] = uuid.UUID(str(person["number_uid"])).bytes
    hub = init_hub(directory, pair.party_id, server_keys=pair, atena_width=width or 10)
    try:
        # The CSV stays in memory: the demo's 個人番号 never reach the disk in plain text.
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        result = import_residents_text(
            hub, text.getvalue(), known_uids=uids, known_number_uids=number_uids
        )
        del text, rows
        master_text = io.StringIO(newline="")
        writer = csv.writer(master_text, lineterminator="\r\n")
        writer.writerow(MASTER_COLUMNS)
        writer.writerows([str(m.get(c, "") or "") for c in MASTER_COLUMNS] for m in masters)
        master_result = import_masters_text(hub, master_text.getvalue())
        if master_result.errors:
            raise ValueError(f"demo masters refused: {master_result.errors[0].describe()}")
        pubs = [terminal_pub] if isinstance(terminal_pub, Path) else list(terminal_pub)
        version = 1
        for pub in pubs:
            version = add_terminal(hub, pub)
        with hub.store.begin() as conn:
            ids = tuple(p.party_id for p in hub.store.parties(conn) if p.role == "terminal")
        return DemoHub(
            directory,
            hub.hub_id,
            result.inserted,
            result.rejected,
            master_result.inserted,
            ids,
            version,
        )
    finally:
        hub.close()
