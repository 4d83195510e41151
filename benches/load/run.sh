#!/usr/bin/env bash
# Load run on loopback: starts a release hushdesk on a throwaway data directory, drives it with
# wrk for a fixed time per endpoint, and stops it. Needs `wrk` (apt-get install wrk).
# Usage: benches/load/run.sh [seconds-per-endpoint]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-15}"
port=18080
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

cat > "$data/load.toml" <<TOML
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
TOML

cargo build --release --quiet
./target/release/hushdesk serve --config "$data/load.toml" --data-dir "$data/data" --listen "127.0.0.1:$port" --smtp-listen 127.0.0.1:0 2>"$data/log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

filed=$(curl -sf -H 'content-type: application/json' \
  -d '{"subject":"load","body":"reading this ticket","category":"billing"}' \
  "http://127.0.0.1:$port/api/v1/tickets")
token=$(echo "$filed" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
reference=$(echo "$filed" | sed -E 's/.*"reference":"([^"]+)".*/\1/')
printf 'a long load password\n' | ./target/release/hushdesk agent add --name load --role l1 \
  --queue billing --password-stdin --data-dir "$data/data" --smtp-listen 127.0.0.1:0
agent=$(curl -sf -H 'content-type: application/json' -d '{"name":"load","password":"a long load password"}' \
  "http://127.0.0.1:$port/api/v1/agent/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')

echo "== GET / (the form)"
wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/"
echo "== GET /api/v1/tickets/{token} (read a ticket)"
wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/api/v1/tickets/$token"
echo "== GET /api/v1/agent/tickets/{reference} (scoped read + audit entry + alert check)"
wrk -t2 -c32 -d"${duration}s" --latency -H "Authorization: Bearer $agent" \
  "http://127.0.0.1:$port/api/v1/agent/tickets/$reference"
echo "== POST /api/v1/tickets (redact, seal, store)"
wrk -t2 -c32 -d"${duration}s" --latency -s benches/load/file-ticket.lua "http://127.0.0.1:$port/api/v1/tickets"
echo "== database after the run"
ls -la "$data/data"
