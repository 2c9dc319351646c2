import sys
from datetime import date

from renewals import next_renewal


def main() -> int:
    start = date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else date(2024, 2, 29)
    print(f"started {start}")
    print(f"monthly renewal {next_renewal(start, 1)}")
    print(f"yearly renewal {next_renewal(start, 12)}")
    return 0
