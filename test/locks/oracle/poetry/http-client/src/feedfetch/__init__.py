"""Feed fetcher."""
