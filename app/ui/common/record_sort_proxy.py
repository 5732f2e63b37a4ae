"""A sort/filter proxy for the record table models: sorts by ``SORT_ROLE`` and filters rows whose
shown text (any column) contains the filter text."""

from __future__ import annotations

from typing import Any

from app.ui.common.row_table_model import SORT_ROLE, AnyIndex, RowFilterProxy, RowTableModel


class RecordSortProxy(RowFilterProxy):
    def set_text_filter(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:  # mixed kinds (e.g. None beside a date): compare as text
            return str(a) < str(b)

    def record_at(self, row: int) -> Any:
        """The source record shown in proxy row ``row`` (None when out of range)."""
        source = self.sourceModel()
        if not isinstance(source, RowTableModel) or not 0 <= row < self.rowCount():
            return None
        return source.row_at(self.mapToSource(self.index(row, 0)).row())
