import importlib.util
import sys

import httpx


def main():
    print("Hello from uv-app!")
    url = httpx.URL("https://search.example.com/v1/query", params={"q": "workspaces", "page": 2})
    print(f"digest link: {url}")
    print(f"python {sys.version_info.major}.{sys.version_info.minor}")
    print("pytest is", "installed" if importlib.util.find_spec("pytest") else "not installed")


if __name__ == "__main__":
    main()
