# Sourced by .ci/run: a throwaway PostgreSQL cluster for one test run.
# `pg_start` initialises a cluster in a temporary directory, starts it on a free loopback
# port and exports HUSHDESK_TEST_DATABASE_URL (the tests create their own databases on it);
# `pg_stop` stops it and deletes every file of it. The Debian cluster in /var/lib is never
# touched, and nothing listens beyond 127.0.0.1.

pg_start() {
  local bindir port attempt
  bindir=${HUSHDESK_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "no PostgreSQL server binaries (initdb, pg_ctl) in ${bindir:-/usr/lib/postgresql/*/bin}" >&2
    return 1
  fi
  PG_CI_DIR=$(mktemp -d -t hushdesk-ci-pg.XXXXXX)
  PG_CI_AS=()
  # PostgreSQL refuses to run as root: CI runs as root, so the cluster belongs to `postgres`.
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_CI_DIR"
    PG_CI_AS=(runuser -u postgres --)
  fi
  PG_CI_CTL=("${PG_CI_AS[@]}" "$bindir/pg_ctl" -D "$PG_CI_DIR/data")
  "${PG_CI_AS[@]}" "$bindir/initdb" -D "$PG_CI_DIR/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync --no-instructions >"$PG_CI_DIR/initdb.log" 2>&1 \
    || { cat "$PG_CI_DIR/initdb.log" >&2; return 1; }
  # A port found free can be taken before the server binds it: try a few.
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    # Durability is pointless for a cluster deleted after the run; these settings make it fast.
    if "${PG_CI_CTL[@]}" -l "$PG_CI_DIR/server.log" -w -t 60 -o "-p $port -k $PG_CI_DIR \
        -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
      export HUSHDESK_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
      echo "$("$bindir/postgres" --version) on 127.0.0.1:$port"
      return 0
    fi
    "${PG_CI_CTL[@]}" -m immediate -w stop >/dev/null 2>&1 || true
  done
  cat "$PG_CI_DIR/server.log" >&2
  return 1
}

pg_stop() {
  [ -n "${PG_CI_DIR:-}" ] || return 0
  "${PG_CI_CTL[@]}" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_CI_DIR"
  PG_CI_DIR=
}
