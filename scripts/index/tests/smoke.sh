#!/usr/bin/env bash
# Install real project stacks from a served index tree into fresh venvs and use them.
# Usage: smoke.sh INDEX_URL PYTHON WORKDIR   (e.g. http://127.0.0.1:8731/simple /usr/bin/python3 /tmp/x)
set -euo pipefail
url="$1" py="$2" work="$3"
rm -rf "$work" && mkdir -p "$work"
# Only this index: no pip configuration, find-links or constraints from the host.
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT PIP_INDEX_URL
export PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
pipi() { "$1/bin/pip" install -q --index-url "$url" "${@:2}"; }
venv() { "$py" -m venv "$work/$1" && echo "$work/$1"; }
step() { printf '== %s\n' "$*"; }

step flask + gunicorn
v=$(venv flask); pipi "$v" flask gunicorn
"$v/bin/flask" --version | head -2; "$v/bin/gunicorn" --version
step fastapi + uvicorn
v=$(venv fastapi); pipi "$v" fastapi uvicorn httpx
"$v/bin/uvicorn" --version
"$v/bin/python" - <<'PY'
import fastapi, pydantic
from fastapi.testclient import TestClient
app = fastapi.FastAPI()
@app.get("/health")
def health(): return {"ok": True}
print("fastapi", fastapi.__version__, "pydantic", pydantic.VERSION, TestClient(app).get("/health").json())
PY
step django
v=$(venv django); pipi "$v" django whitenoise psycopg
"$v/bin/django-admin" --version; (cd "$work" && "$v/bin/django-admin" startproject site1 && "$v/bin/python" site1/manage.py check)
step pandas
v=$(venv pandas); pipi "$v" pandas
"$v/bin/python" -c "import numpy, pandas; a = numpy.linalg.inv(numpy.eye(3) * 2); print('numpy', numpy.__version__, 'pandas', pandas.__version__, a[0][0], pandas.DataFrame({'x': [1, 2, 3]}).x.sum())"
step pytest
v=$(venv pytest); pipi "$v" pytest
printf 'def test_one():\n    assert 1 + 1 == 2\n' >"$work/test_one.py"; (cd "$work" && "$v/bin/pytest" -q test_one.py | tail -1)
step psycopg2 sdist
v=$(venv pg); pipi "$v" psycopg2
"$v/bin/python" -c "import psycopg2; print('psycopg2', psycopg2.__version__)"
step versions
for v in "$work"/*/; do [ -x "$v/bin/pip" ] && "$v/bin/pip" list --format=freeze 2>/dev/null | tr '\n' ' ' && echo; done
step build backends
v=$(venv build); pipi "$v" pip
for backend in setuptools hatchling poetry-core pdm-backend flit-core setuptools-scm; do
  mod="demo_${backend//-/_}" d="$work/proj-$backend"; mkdir -p "$d/$mod"
  echo '"""demo"""' >"$d/$mod/__init__.py"
  case "$backend" in
    setuptools) req='"setuptools", "wheel"'; be=setuptools.build_meta ;;
    hatchling) req='"hatchling"'; be=hatchling.build ;;
    poetry-core) req='"poetry-core"'; be=poetry.core.masonry.api ;;
    pdm-backend) req='"pdm-backend"'; be=pdm.backend ;;
    flit-core) req='"flit_core"'; be=flit_core.buildapi ;;
    setuptools-scm) req='"setuptools", "setuptools-scm"'; be=setuptools.build_meta ;;
  esac
  cat >"$d/pyproject.toml" <<TOML
[build-system]
requires = [$req]
build-backend = "$be"
[project]
name = "$mod"
version = "1.0"
description = "demo"
TOML
  [ "$backend" = setuptools-scm ] && sed -i 's/^version = "1.0"/dynamic = ["version"]/' "$d/pyproject.toml" && printf '[tool.setuptools_scm]\n' >>"$d/pyproject.toml"
  SETUPTOOLS_SCM_PRETEND_VERSION=1.0 "$v/bin/pip" wheel -q --index-url "$url" -w "$work/wheels" "$d"
done
ls "$work/wheels"
