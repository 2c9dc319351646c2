"""The acme web service (a lock fixture)."""
