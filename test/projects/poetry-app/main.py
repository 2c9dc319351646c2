import importlib.util

from rich.console import Console
from rich.table import Table

RELEASES = [
    ("2.4.0", "2024-03-02", "search across projects"),
    ("2.4.1", "2024-03-09", "fix login redirect"),
]


def main() -> None:
    table = Table(title="Release notes")
    table.add_column("Version")
    table.add_column("Date")
    table.add_column("Change")
    for version, date, change in RELEASES:
        table.add_row(version, date, change)
    console = Console(width=80)
    console.print(table)
    dev_tools = "present" if importlib.util.find_spec("pytest") else "absent"
    console.print(f"{len(RELEASES)} releases listed; dev tools {dev_tools}")


if __name__ == "__main__":
    main()
