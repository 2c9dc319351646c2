"""Word counting behind the `pfcount` console script."""

__version__ = "0.2.0"


def count_words(text: str) -> int:
    return len(text.split())
