"""The greeting service (a lock fixture)."""
