"""A one-file script with no dependencies."""

import platform


def main() -> None:
    print(f"hello from script on Python {platform.python_version()}")


if __name__ == "__main__":
    main()
