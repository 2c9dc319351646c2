"""The feed reader (a lock fixture)."""
