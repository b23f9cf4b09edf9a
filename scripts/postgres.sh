# Sourced by scripts/test.sh: make sure a PostgreSQL server listens on 127.0.0.1:5432 for the
# store tests. If one already does, use it. Otherwise (as root) install the Debian package if
# needed, start a throwaway cluster on that port with trust auth, and stop it when the shell exits.

pg_listening() {
    python3 - <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
}

start_throwaway_postgres() {
    if [ "$(id -u)" != "0" ]; then
        echo "postgres: nothing listens on 127.0.0.1:5432 and this is not root;" \
             "PostgreSQL store tests will skip (they fail under CI=true)." >&2
        return 0
    fi
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        echo "postgres: installing the Debian package" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local pgbin pgdir
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    pgdir=$(mktemp -d /tmp/retrorun-pg.XXXXXX)
    chown postgres:postgres "$pgdir"
    runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust --no-sync >/dev/null
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p 5432 -k $pgdir -c fsync=off" start >/dev/null
    RETRORUN_PG_STOP="runuser -u postgres -- $pgbin/pg_ctl -D $pgdir/data -m fast -w stop"
    trap 'eval "$RETRORUN_PG_STOP" >/dev/null 2>&1 || true' EXIT
    echo "postgres: started a throwaway server on 127.0.0.1:5432 ($pgdir)" >&2
}

if ! pg_listening; then
    start_throwaway_postgres
fi
