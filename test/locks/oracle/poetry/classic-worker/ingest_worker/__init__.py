"""Ingest worker."""
