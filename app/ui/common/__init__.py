"""Parts every page shares: the background-job helper, table-model bases and views, dialog parts and display text."""
