import platform

from flask import Flask, jsonify

app = Flask(__name__)

NOTES = [
    {"id": 1, "text": "buy milk"},
    {"id": 2, "text": "call the bank"},
]


@app.route("/")
def index():
    return f"Hello from Flask on Python {platform.python_version()}!"


@app.route("/api/notes")
def list_notes():
    return jsonify(notes=NOTES, count=len(NOTES))


if __name__ == "__main__":
    app.run(debug=True)
