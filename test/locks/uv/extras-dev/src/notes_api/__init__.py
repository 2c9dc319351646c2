"""The notes service (a lock fixture: only the dependencies matter)."""
