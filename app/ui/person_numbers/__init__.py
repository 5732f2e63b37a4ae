"""個人番号 (number-use staff only): the number panel, entry, search, reveal reason and the two-person rule."""
