#!/usr/bin/env bash
# The agent list's filters on a seeded desk, each against the plain list in the same order:
# priority, tier, assignee (mine, unassigned) and the SLA-at-risk view. Driven by wrk on
# loopback. Seeds DATA_DIR once (`hushdesk seed`) when it holds no desk yet:
#   benches/load/list_filters.sh DATA_DIR [tickets] [seconds] [connections]
# HUSHDESK_BIN=path runs that binary (default: this tree's release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:?usage: list_filters.sh DATA_DIR [tickets] [seconds] [connections]}"
tickets="${2:-100000}"
duration="${3:-5}"
connections="${4:-1}"
port=18083
work="$(mktemp -d)"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
cat > "$work/load.toml" <<TOML
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
[retention]
schedule = "0 0 0 1 1 *"
[agents]
hourly_view_threshold = 100000000
TOML
bin="${HUSHDESK_BIN:-./target/release/hushdesk}"
if [ -z "${HUSHDESK_BIN:-}" ]; then cargo build --release --quiet; fi
common=(--config "$work/load.toml" --data-dir "$data" --smtp-listen 127.0.0.1:0)
mkdir -p "$data"
if [ ! -e "$data/hushdesk.db" ]; then
  "$bin" seed "${common[@]}" --tickets "$tickets" --workers 2
fi
name="filters$(date +%s)"
enrolment=$(printf 'a long load password\n' | "$bin" agent add "${common[@]}" --name "$name" --role l2 \
  --queue general --queue billing --queue security --password-stdin)
"$bin" serve "${common[@]}" --listen "127.0.0.1:$port" 2>>"$work/log" &
server=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
totp=$(python3 benches/load/totp.py "$enrolment")
token=$(curl -sf -H 'content-type: application/json' \
  -d '{"name":"'"$name"'","password":"a long load password","totp":"'"$totp"'"}' \
  "http://127.0.0.1:$port/api/v1/agent/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
api="http://127.0.0.1:$port/api/v1/agent/tickets"
auth=(-H "Authorization: Bearer $token")
# Give the agent a few tickets, so "mine" has some: the 20 newest.
for reference in $(curl -sf "${auth[@]}" "$api?status=all&order=created&limit=20" \
    | python3 -c 'import json,sys; print(" ".join(t["reference"] for t in json.load(sys.stdin)["tickets"]))'); do
  curl -sf "${auth[@]}" -H 'content-type: application/json' -d '{"agent":"'"$name"'"}' \
    "$api/$reference/assign" >/dev/null
done
run() {
  local total
  total=$(curl -sf "${auth[@]}" "$2" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], "+" if d["total_is_lower_bound"] else "")')
  echo "== $1 (matches: $total)"
  wrk -t1 -c"$connections" -d"${duration}s" --latency "${auth[@]}" "$2" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx|Socket errors" | tr -s ' ' | paste -sd' '
}
for order in urgency priority updated; do
  run "plain list, order=$order" "$api?order=$order"
  run "priority=P1, order=$order" "$api?order=$order&priority=P1"
  run "tier=L2, order=$order" "$api?order=$order&tier=L2"
  run "assignee=me, order=$order" "$api?order=$order&assignee=me"
  run "assignee=nobody, order=$order" "$api?order=$order&assignee=nobody"
  run "at_risk=1, order=$order" "$api?order=$order&at_risk=1"
done
