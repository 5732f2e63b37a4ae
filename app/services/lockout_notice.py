"""What the login and unlock dialogs say about the lockout (issue 12 item 7): a warning while
tries are running out (「あと2回失敗すると…」), the lock as soon as the failure that caused it
(the fifth), and when the lock ends. The counting itself stays in ``app.security.lockout``;
this only reads its state after a refused attempt and rewords the error the dialog shows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.domain.wareki import format_wareki_short
from app.errors import AuthError, VaxDeskError
from app.security.keyslots import KeySlotFile
from app.security.lockout import LOCK_MINUTES, MAX_FAILURES, LockedOut, LoginAttempts
from app.services._terminal_state import attempts_for
from app.services.register import secret_store_for
from app.store.layout import RegisterLayout

WARN_WHEN_LEFT = 2  # warn once this many tries (or fewer) are left before the lock


def _local_text(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{format_wareki_short(local.date())} {local:%H:%M} ({local.date().isoformat()})"


def locked_message(until: datetime | None) -> str:
    if until is None:
        return LockedOut.message_ja
    return (
        f"ログインに続けて{MAX_FAILURES}回失敗したため、このユーザーは"
        f" {_local_text(until)} までロックされています。"
        "その時刻を過ぎてから再度お試しいただくか、管理者に連絡してください。"
    )


def _attempts(directory: Path) -> LoginAttempts:
    """The register's login counters, read with this terminal's key (as the login reads them)."""
    layout = RegisterLayout(directory)
    ks = KeySlotFile.load(layout.keyslots)
    store = secret_store_for(layout, ks.demo)
    return attempts_for(layout, ks, store, store.get(ks.register_id))


def explain(directory: Path, login_name: str, error: AuthError) -> AuthError:
    """The error to show for a refused login of ``login_name``: LockedOut with its end time when
    the name is (now) locked, else ``error`` with a warning when few tries are left. A cancelled
    key step is not counted and gets no warning."""
    if error.code == "E_FIDO_CANCELLED":
        return error
    try:
        failures, until = _attempts(Path(directory)).status(login_name)
    except VaxDeskError:  # no terminal secret or unreadable slots: say what the login said
        return error
    if until is not None or isinstance(error, LockedOut):
        return LockedOut(locked_message(until))
    left = MAX_FAILURES - failures
    if 0 < left <= WARN_WHEN_LEFT:
        warning = f"あと{left}回失敗すると、このユーザーは{LOCK_MINUTES}分間ロックされます。"
        error.message_ja = f"{error.message_ja}\n{warning}"
    return error
