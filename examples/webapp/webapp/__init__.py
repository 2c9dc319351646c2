"""Small Flask app: GET /health answers with JSON."""

import platform

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok", app="webapp", python=platform.python_version())


@app.get("/")
def index():
    return "webapp is running; try /health\n"
