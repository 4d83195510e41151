#!/usr/bin/env bash
# Intake beside the two heavy neighbours, on loopback, release build, SQLite:
#   1. requesters filing alone (c4), agents searching alone (c16), then both at once;
#   2. filing alone, then filing while `hushdesk purge` deletes a seeded backlog of closed
#      tickets.
# Each figure is wrk's own summary (requests/s, latency percentiles, non-2xx count).
# Needs `wrk` (apt-get install wrk). Stops by itself; everything lives in a temporary directory.
# Usage: benches/load/beside_intake.sh [open-tickets] [closed-tickets] [seconds]
#        (defaults 20000 20000 15)
# HUSHDESK_BIN=path runs that binary instead of building this tree's release build (to compare
# two builds in one sitting); SKIP_PURGE=1 stops after the agents' runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
open_tickets="${1:-20000}"
closed_tickets="${2:-20000}"
duration="${3:-15}"
port=18081
data="$(mktemp -d)"
server=""
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
trap 'stop_server; rm -rf "$data"' EXIT

cat > "$data/load.toml" <<TOML
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
[retention]
# The scheduled purge stays out of the way; the run starts one by hand.
schedule = "0 0 0 1 1 *"
TOML
bin="${HUSHDESK_BIN:-./target/release/hushdesk}"
if [ -z "${HUSHDESK_BIN:-}" ]; then cargo build --release --quiet; fi
common=(--config "$data/load.toml" --data-dir "$data/data" --smtp-listen 127.0.0.1:0)

start_server() {
  "$bin" serve "${common[@]}" --listen "127.0.0.1:$port" 2>>"$data/log" &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}

echo "== seeding $open_tickets open tickets"
"$bin" seed "${common[@]}" --tickets "$open_tickets" --workers 8
enrolment=$(printf 'a long load password\n' | "$bin" agent add "${common[@]}" --name load --role l2 \
  --queue general --queue billing --queue security --password-stdin)
start_server
totp=$(python3 benches/load/totp.py "$enrolment")
agent=$(curl -sf -H 'content-type: application/json' \
  -d '{"name":"load","password":"a long load password","totp":"'"$totp"'"}' \
  "http://127.0.0.1:$port/api/v1/agent/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
search="http://127.0.0.1:$port/api/v1/agent/tickets?q=charged&status=all"
file="http://127.0.0.1:$port/api/v1/tickets"

list="http://127.0.0.1:$port/api/v1/agent/tickets"
view="http://127.0.0.1:$port/api/v1/agent/tickets/$(curl -sf -H "Authorization: Bearer $agent" "$list?limit=1" \
  | sed -E 's/.*"reference":"([^"]+)".*/\1/')"

echo "== intake alone (c4)"
wrk -t2 -c4 -d"${duration}s" --latency -s benches/load/file-ticket.lua "$file"
for what in view list search; do
  case $what in view) url=$view ;; list) url=$list ;; search) url=$search ;; esac
  echo "== agent $what alone (c16)"
  wrk -t2 -c16 -d"${duration}s" --latency -H "Authorization: Bearer $agent" "$url"
  echo "== intake (c4) while agents $what (c16)"
  wrk -t1 -c16 -d"${duration}s" --latency -H "Authorization: Bearer $agent" "$url" >"$data/agents.txt" &
  agents=$!
  wrk -t1 -c4 -d"${duration}s" --latency -s benches/load/file-ticket.lua "$file"
  wait "$agents"
  echo "-- the agents' side of that run"
  cat "$data/agents.txt"
done
stop_server
if [ -n "${SKIP_PURGE:-}" ]; then exit 0; fi

echo "== seeding $closed_tickets tickets closed 400 days ago"
"$bin" seed "${common[@]}" --tickets "$closed_tickets" --workers 8 --closed-days-ago 400
start_server
echo "== intake alone (c4), before the purge"
wrk -t2 -c4 -d"${duration}s" --latency -s benches/load/file-ticket.lua "$file"
echo "== intake (c4) while hushdesk purge runs"
"$bin" purge "${common[@]}" >"$data/purge.txt" 2>&1 &
purging=$!
started=$(date +%s.%N)
wrk -t2 -c4 -d"${duration}s" --latency -s benches/load/file-ticket.lua "$file"
if kill -0 "$purging" 2>/dev/null; then echo "(the purge was still running when wrk stopped)"; fi
wait "$purging"
finished=$(date +%s.%N)
tail -n 1 "$data/purge.txt"
echo "purge wall time: $(echo "$finished - $started" | bc) s"
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && echo "server healthy after the purge"
