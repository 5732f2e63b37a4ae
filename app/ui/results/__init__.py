"""Recording results: single and batch entry, and the correction, void, postponement and override-reason dialogs."""
