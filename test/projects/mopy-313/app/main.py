import os
import sys

import requests
from dateutil import parser

CHECKS = [("api", 99.95), ("web", 100.0), ("search", 98.7)]


def main():
    print(os.environ.get("REPORT_TITLE", "Uptime"))
    week = parser.parse("Monday 3 March 2025 9am")
    print(f"week of {week:%Y-%m-%d %H:%M}")
    for name, percent in CHECKS:
        print(f"  {name:<8}{percent:6.2f}%")
    agent = requests.utils.default_user_agent()
    print(f"probe agent {agent.split('/')[0]} on Python {sys.version_info.major}.{sys.version_info.minor}")


if __name__ == "__main__":
    main()
