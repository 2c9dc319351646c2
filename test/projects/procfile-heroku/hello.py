import os
import platform

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    name = os.environ.get("NAME", "World")
    return f"Hello {name}! (Python {platform.python_version()}, dyno {os.environ.get('DYNO', 'local')})"
