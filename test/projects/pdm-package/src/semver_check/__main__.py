import sys

from semver_check import bump_kind

PAIRS = [("1.4.2", "1.4.3"), ("1.4.2", "1.10.0"), ("1.4.2", "2.0.0rc1")]


def main(argv: list[str]) -> None:
    pairs = [tuple(argv[:2])] if len(argv) >= 2 else PAIRS
    for old, new in pairs:
        print(f"{old} -> {new}: {bump_kind(old, new)}")


if __name__ == "__main__":
    main(sys.argv[1:])
