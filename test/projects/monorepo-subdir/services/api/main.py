import importlib.util

from fastapi import FastAPI

app = FastAPI(title="acme api")


@app.get("/status")
def status():
    return {
        "service": "acme-api",
        # The repository's root package is a developer tool; it must not ship in the API image.
        "root_package_installed": importlib.util.find_spec("acme_tools") is not None,
    }
