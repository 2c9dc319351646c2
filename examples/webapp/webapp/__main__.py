"""Serve the app on 0.0.0.0:8000 (PORT overrides) with werkzeug's server."""

import os

from werkzeug.serving import run_simple

from webapp import app


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    run_simple("0.0.0.0", port, app, threaded=True)


if __name__ == "__main__":
    main()
