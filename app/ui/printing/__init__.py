"""Printing documents: the one print flow, the print preview and the reissue reason."""
