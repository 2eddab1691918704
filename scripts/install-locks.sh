#!/usr/bin/env bash
# Installs requirements.lock (+ the library) and requirements-checkov.lock into two fresh venvs made
# by the Python given as $1, then imports both: what CI's lock matrix runs on each supported Python.
set -euo pipefail
python="${1:-python3}"
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
"${python}" --version
"${python}" -m venv "${work}/lib"
"${work}/lib/bin/python" -m pip install --quiet --upgrade 'pip>=24'
"${work}/lib/bin/python" -m pip install --quiet -r requirements.lock
"${work}/lib/bin/python" -m pip install --quiet --no-deps .
"${work}/lib/bin/python" -c "import zacatl_infra; print('zacatl_infra', zacatl_infra.__name__, 'imports')"
"${python}" -m venv "${work}/checkov"
"${work}/checkov/bin/python" -m pip install --quiet --upgrade 'pip>=24'
"${work}/checkov/bin/python" -m pip install --quiet -r requirements-checkov.lock
"${work}/checkov/bin/checkov" --version
