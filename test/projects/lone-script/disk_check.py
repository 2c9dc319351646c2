"""Warn when a filesystem is getting full. Run it from cron or a container, no dependencies."""

import os
import platform
import shutil
import sys

THRESHOLD = float(os.environ.get("DISK_WARN_PERCENT", "90"))


def main() -> int:
    paths = sys.argv[1:] or ["/"]
    print(f"disk_check on Python {platform.python_version()}")
    worst = 0.0
    for path in paths:
        usage = shutil.disk_usage(path)
        percent = usage.used / usage.total * 100
        worst = max(worst, percent)
        print(f"{path}: {'WARN' if percent >= THRESHOLD else 'ok'}")
    print(f"checked {len(paths)} path(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
