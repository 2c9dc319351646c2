import platform

from flask import Blueprint

bp = Blueprint('status', __name__, url_prefix='/status')


@bp.route('/')
def index():
    return {'python': platform.python_version(), 'app': 'flaskr'}
