"""Hub fixtures: every engine-dependent test runs on the embedded SQLCipher file and on a real
PostgreSQL server started by the suite (ids ``sqlcipher`` / ``postgres``; ``pytest -k postgres``
selects exactly the PostgreSQL runs).

Without PostgreSQL installed the ``postgres`` runs are skipped with the reason; under ``CI=true``
they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from app.hub.hub import Hub, init_hub
from tests.hub.helpers import HUB_ID
from tests.hub.pg_cluster import PgCluster, find_bin_dir

ENGINES = ["sqlcipher", "postgres"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


NO_POSTGRES = (
    "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH): "
    "install Debian's 'postgresql' package to run the hub's PostgreSQL tests"
)


def postgres_missing() -> NoReturn:
    """Skip with the reason; under CI=true fail instead (CI must never pass by skipping)."""
    if _in_ci():
        pytest.fail(f"CI=true: {NO_POSTGRES}", pytrace=False)
    pytest.skip(NO_POSTGRES)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        postgres_missing()
    cluster = PgCluster(bin_dir)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the embedded engine; a fresh, empty PostgreSQL database URL otherwise."""
    if request.param == "sqlcipher":
        yield None
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture
def hub(tmp_path: Path, database_url: str | None) -> Iterator[Hub]:
    """An empty hub (id ``HUB_ID``) on the engine of ``database_url``."""
    h = init_hub(tmp_path / "hub", HUB_ID, database_url=database_url)
    yield h
    h.close()
