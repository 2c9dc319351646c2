"""Background jobs of the acme workspace (a lock fixture)."""
