#!/usr/bin/env bash
# Install retrorun and run its main job on SQLite: the web app with a demo knee-rehab runner
# and their coach (eight weeks of plan, logs with pain, imported watch files), in a demo
# database of its own, never your own. Open the printed address; sign in with the printed
# demo account. Extra options go to `retrorun serve` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .

exec .venv/bin/retrorun serve --demo "$@"
