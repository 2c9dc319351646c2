"""Shared helpers of the monorepo."""
