"""Small pieces the dialogs and pages share: the message line under a form, showing a message in
it (errors styled by the ``error`` property), and the OK/Cancel button row. The texts come from
the caller (``self.tr``), so they stay in the caller's translation context."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget


def message_label(
    parent: QWidget, name: str = "dialogMessage", *, plain_text: bool = False
) -> QLabel:
    """An empty, word-wrapped message line named ``name`` (the style sheet keys on the name)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    if plain_text:
        label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def set_message(label: QLabel, text: str, *, error: bool = False, code: str = "") -> None:
    """Show ``text`` in ``label``; errors in red (the ``error`` property, restyled at once).
    People read Japanese only: an error's ``E_…`` code goes in the tooltip (for the help desk),
    never into the text."""
    label.setText(text)
    label.setToolTip(code)
    label.setProperty("error", error)
    label.style().unpolish(label)
    label.style().polish(label)


def ok_cancel_buttons(
    dialog: QDialog,
    ok_text: str,
    cancel_text: str,
    on_ok: Callable[[], None] | None = None,
) -> tuple[QDialogButtonBox, QPushButton]:
    """The OK/Cancel row with the given texts: OK calls ``on_ok`` (default: accept), Cancel
    rejects. Returns the row and its OK button."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok_button.setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(on_ok if on_ok is not None else dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok_button
