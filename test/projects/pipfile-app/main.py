import importlib.util
import sys
from pathlib import Path

import requests
import yaml


def main():
    config = yaml.safe_load((Path(__file__).parent / "jobs.yaml").read_text())
    session = requests.Session()
    session.headers["User-Agent"] = "scheduler/1.0"
    for job in config["jobs"]:
        prepared = session.prepare_request(requests.Request("GET", job["url"]))
        print(f"{job['name']:<18} {job['schedule']:<14} {prepared.url}")
    print(f"{len(config['jobs'])} jobs scheduled on Python {sys.version_info.major}.{sys.version_info.minor}")
    print("pytest", "present" if importlib.util.find_spec("pytest") else "absent")


if __name__ == "__main__":
    main()
