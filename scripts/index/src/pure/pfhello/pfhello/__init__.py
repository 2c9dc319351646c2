"""Greets; the version is stamped in when the wheel is built."""

__version__ = "@VERSION@"


def greet(name: str) -> str:
    return f"hello, {name} (pfhello {__version__})"
