"""The 同期 page (export, import, quarantine, conflicts) and the 未送信 count of the main window."""
