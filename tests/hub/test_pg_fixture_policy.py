"""Without PostgreSQL the PostgreSQL runs skip locally and fail under CI=true."""

from __future__ import annotations

import pytest

from tests.hub.conftest import NO_POSTGRES, postgres_missing


def test_missing_server_skips_locally_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as exc:
        postgres_missing()
    assert str(exc.value) == NO_POSTGRES


def test_missing_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as exc:
        postgres_missing()
    assert str(exc.value).startswith("CI=true: PostgreSQL is not installed")
