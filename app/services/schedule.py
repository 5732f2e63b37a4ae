"""What is due for a person (the schedule engine over their register history)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from app.domain.catalog import Catalog
from app.domain.schedule import Evaluation, HistoryEntry, Person, evaluate
from app.errors import NotFound
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import catalog_versions
from app.store import persons as person_repo
from app.store import vaccinations as vaccination_repo
from app.store.catalog_files import catalog_from_text, load_catalog
from app.store.vaccinations import VaccinationRow

LOOSE_CATALOG = "catalog.json"
_log = logging.getLogger(__name__)


def catalog_for(session: Session | SessionView) -> Catalog:
    """The catalog in force: the register's imported version (``catalog_admin``), else the
    bundled one. A ``catalog.json`` dropped into the register folder is ignored (with a warning
    in the application log): only an audited import changes what documents print."""
    session = session_of(session)
    if (Path(session.register.directory) / LOOSE_CATALOG).exists():
        _log.warning(
            "catalog.json in the register folder is ignored; import it as an administrator"
        )
    stored = catalog_versions.current(session.register.conn)
    if stored is None:
        return load_catalog()
    number, text = stored
    return _stored(session.register.register_id, number, text)


@lru_cache(maxsize=4)
def _stored(register_id: str, number: int, text: str) -> Catalog:
    return catalog_from_text(text, f"catalog v{number}")


def history_entries(
    rows: Iterable[VaccinationRow], before: date | None = None
) -> list[HistoryEntry]:
    """Given, non-voided doses as engine history. One injection of a combination product is
    stored once per series (予防接種結果は種類毎); it is passed to the engine once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        if r.outcome != "given" or r.voided_at is not None:
            continue
        on = date.fromisoformat(r.vaccinated_on)
        if before is not None and on >= before:
            continue
        code = r.product_id or r.series_id
        if (code, r.vaccinated_on) in seen:
            continue
        seen.add((code, r.vaccinated_on))
        out.append(HistoryEntry(code, on))
    return out


def _evaluate_person(session: Session, person_id: int, on: date) -> Evaluation:
    conn = session.register.conn
    row = person_repo.get(conn, person_id)
    if row is None:
        raise NotFound()
    person = Person(date.fromisoformat(row.birth_date), "F" if row.sex == "F" else "M")
    history = history_entries(vaccination_repo.for_person(conn, person_id))
    return evaluate(catalog_for(session), person, history, on)


def due_list(session: Session | SessionView, person_id: int, on: date | None = None) -> Evaluation:
    """Every routine series for the person on ``on`` (default today)."""
    session = session_of(session)
    _audit.require(session, perm.SCHEDULE_READ, "schedule.view", person_id=person_id)
    session.touch()
    return _evaluate_person(session, person_id, on or date.today())
