#!/usr/bin/env bash
# Install everything and run every check: ruff (lint + format), mypy, and the whole test suite,
# with the store tests on SQLite and on a real PostgreSQL server, and speech from espeak-ng.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

source scripts/debian-packages.sh
source scripts/postgres.sh

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
