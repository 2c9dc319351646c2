"""Shared helpers of the acme workspace (a lock fixture)."""
