#!/usr/bin/env bash
# Install retrorun and walk through the CLI on SQLite: a knee-rehab runner is screened, gets an
# eight-week plan, and sees the first session with its cue timeline. Uses demo/retrorun.db (or
# RETRORUN_DATABASE_URL if set), never your own database.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .

if [ -z "${RETRORUN_DATABASE_URL:-}" ]; then
    mkdir -p demo  # retrorun makes no folder it was not asked to, except its own data folder
    export RETRORUN_DATABASE_URL="$PWD/demo/retrorun.db"
fi
retrorun=.venv/bin/retrorun
start=$(date -d "next monday" +%F 2>/dev/null || date +%F)

$retrorun init
$retrorun profile set --mass-kg 68 --age 41 --experience regular-runner --goal knee-rehab \
    --days 3 --minutes 30 --treadmill --track --partner
$retrorun screen --list
answers=$(mktemp)
$retrorun screen --list --json | .venv/bin/python -c \
    'import json, sys; print(json.dumps({q["id"]: False for q in json.load(sys.stdin)}))' > "$answers"
$retrorun screen --answers "$answers"
rm -f "$answers"
$retrorun plan new --start "$start"
first=$($retrorun plan show --json | .venv/bin/python -c \
    'import json, sys; print(json.load(sys.stdin)["sessions"][0]["date"])')
$retrorun session show --date "$first"
