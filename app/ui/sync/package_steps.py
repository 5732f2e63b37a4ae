"""The step of the package reader (or writer) that refused a package (``PackageError.step``), in
words for the quarantine list: people read the Japanese step, never the English key."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.ui.common.display_text import QT_TRANSLATE_NOOP

CONTEXT = "PackageSteps"
STEP_TEXT = {
    "size": QT_TRANSLATE_NOOP("PackageSteps", "Size check"),
    "layout": QT_TRANSLATE_NOOP("PackageSteps", "Package layout"),
    "header": QT_TRANSLATE_NOOP("PackageSteps", "Header"),
    "sender": QT_TRANSLATE_NOOP("PackageSteps", "Sender"),
    "key": QT_TRANSLATE_NOOP("PackageSteps", "Sender's key"),
    "keys": QT_TRANSLATE_NOOP("PackageSteps", "Key file"),
    "signature": QT_TRANSLATE_NOOP("PackageSteps", "Signature"),
    "recipient": QT_TRANSLATE_NOOP("PackageSteps", "Recipient"),
    "expiry": QT_TRANSLATE_NOOP("PackageSteps", "Expiry"),
    "sequence": QT_TRANSLATE_NOOP("PackageSteps", "Sequence number"),
    "payload": QT_TRANSLATE_NOOP("PackageSteps", "Payload"),
    "decrypt": QT_TRANSLATE_NOOP("PackageSteps", "Decryption"),
    "unpack": QT_TRANSLATE_NOOP("PackageSteps", "Unpacking"),
    "manifest": QT_TRANSLATE_NOOP("PackageSteps", "Contents list"),
    "records": QT_TRANSLATE_NOOP("PackageSteps", "Records"),
    "kind": QT_TRANSLATE_NOOP("PackageSteps", "Package kind"),
    "trust": QT_TRANSLATE_NOOP("PackageSteps", "Trust file"),
    "ack": QT_TRANSLATE_NOOP("PackageSteps", "Acknowledgement"),
    "audit_ack": QT_TRANSLATE_NOOP("PackageSteps", "Audit log acknowledgement"),
    "build": QT_TRANSLATE_NOOP("PackageSteps", "Building the package"),
    "output": QT_TRANSLATE_NOOP("PackageSteps", "Output folder"),
}


def step_text(step: str) -> str:
    """The Japanese name of a reader step; a step this list does not know (none yet) as
    「その他」 rather than its key, and an empty step as empty."""
    if not step:
        return ""
    source = STEP_TEXT.get(step, QT_TRANSLATE_NOOP("PackageSteps", "Other"))
    return QCoreApplication.translate(CONTEXT, source)
