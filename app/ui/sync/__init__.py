"""The sync pages (package import/export, conflict queue); empty until the sync work lands."""
