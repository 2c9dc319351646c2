import hashlib
from importlib.metadata import version

from flask import Flask, abort, redirect, request

app = Flask(__name__)
LINKS: dict[str, str] = {}


@app.post("/links")
def create_link():
    target = request.get_json(force=True)["url"]
    code = hashlib.sha256(target.encode()).hexdigest()[:7]
    LINKS[code] = target
    return {"code": code}, 201


@app.get("/<code>")
def follow(code: str):
    if code not in LINKS:
        abort(404)
    return redirect(LINKS[code])


@app.get("/healthz")
def health():
    return {
        "status": "ok",
        "werkzeug": version("werkzeug"),
        "gunicorn": version("gunicorn"),
    }
