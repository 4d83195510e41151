#!/usr/bin/env bash
# Agent pages on a big desk: list (every order, first and a deep page), search (a word in
# every ticket, a rare word, two words, a reference) and one ticket, each driven by wrk at a
# few connections for latency percentiles, on loopback against a release build, SQLite.
# The desk is seeded once with the benchmark-only `hushdesk seed` (about 1,000 tickets/s on
# two cores) and kept, so the slow part runs once:
#   benches/load/at_scale.sh DATA_DIR [tickets] [seconds] [connections]
#   (defaults: 1000000 tickets, 10 s per page, 4 connections)
# A DATA_DIR that already holds a desk is used as it is (no seeding). HUSHDESK_BIN=path runs
# that binary instead of building this tree's release build. Needs wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:?usage: at_scale.sh DATA_DIR [tickets] [seconds] [connections]}"
tickets="${2:-1000000}"
duration="${3:-10}"
connections="${4:-4}"
port=18082
work="$(mktemp -d)"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

mkdir -p "$data"
cat > "$work/load.toml" <<TOML
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
[retention]
schedule = "0 0 0 1 1 *"
[agents]
# Thousands of reads an hour by one agent is the point of this run, not an incident.
hourly_view_threshold = 100000000
TOML
bin="${HUSHDESK_BIN:-./target/release/hushdesk}"
if [ -z "${HUSHDESK_BIN:-}" ]; then cargo build --release --quiet; fi
common=(--config "$work/load.toml" --data-dir "$data" --smtp-listen 127.0.0.1:0)

if [ ! -e "$data/hushdesk.db" ]; then
  echo "== seeding $tickets tickets"
  "$bin" seed "${common[@]}" --tickets "$tickets" --workers 32
fi
name="scale$(date +%s)"
enrolment=$(printf 'a long load password\n' | "$bin" agent add "${common[@]}" --name "$name" --role l2 \
  --queue general --queue billing --queue security --password-stdin)
# An agent of the general queue only: in SLA and priority order its tickets come after every
# security ticket, the case where walking one index for all queues steps past most of the desk.
enrolment_general=$(printf 'a long load password\n' | "$bin" agent add "${common[@]}" --name "${name}g" --role l2 \
  --queue general --password-stdin)
started=$(date +%s.%N)
"$bin" serve "${common[@]}" --listen "127.0.0.1:$port" 2>>"$work/log" &
server=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "server answered after $(echo "$(date +%s.%N) - $started" | bc) s"
totp=$(python3 benches/load/totp.py "$enrolment")
agent=$(curl -sf -H 'content-type: application/json' \
  -d '{"name":"'"$name"'","password":"a long load password","totp":"'"$totp"'"}' \
  "http://127.0.0.1:$port/api/v1/agent/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
totp=$(python3 benches/load/totp.py "$enrolment_general")
general=$(curl -sf -H 'content-type: application/json' \
  -d '{"name":"'"${name}g"'","password":"a long load password","totp":"'"$totp"'"}' \
  "http://127.0.0.1:$port/api/v1/agent/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
api="http://127.0.0.1:$port/api/v1/agent/tickets"
auth=(-H "Authorization: Bearer $agent")
count=$(curl -sf "${auth[@]}" "$api?status=all&limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], "(lower bound)" if d["total_is_lower_bound"] else "")')
echo "tickets the agent can see: $count"

# References of tickets spread over the desk, for the one-ticket run.
python3 - "$api" "$agent" >"$work/references.lua" <<'PY'
import json, sys, urllib.request
api, token = sys.argv[1], sys.argv[2]
def get(url):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request))
refs, after = [], None
for _ in range(20):
    page = get(api + "?status=all&order=created&limit=500" + ("&after=" + after if after else ""))
    refs += [t["reference"] for t in page["tickets"][::25]]
    after = page.get("next")
    if not after:
        break
print("references = {" + ",".join('"%s"' % r for r in refs) + "}")
print('request = function() return wrk.format("GET", "/api/v1/agent/tickets/" .. references[math.random(#references)]) end')
PY
deep=$(curl -sf "${auth[@]}" "$api?status=all&order=created&limit=100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
for _ in $(seq 50); do
  deep=$(curl -sf "${auth[@]}" "$api?status=all&order=created&limit=100&after=$deep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
done
reference=$(curl -sf "${auth[@]}" "$api?status=all&order=created&limit=1" | sed -E 's/.*"reference":"([^"]+)".*/\1/')

run() {
  echo "== $1"
  shift
  wrk -t1 -c"$connections" -d"${duration}s" --latency "${auth[@]}" "$@" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx|Socket errors" | tr -s ' ' | paste -sd' '
}
run "list, SLA order (default), first page of 100" "$api"
for order in priority updated created; do
  run "list, order=$order, first page" "$api?status=all&order=$order"
done
run "list, 51st page (keyset)" "$api?status=all&order=created&limit=100&after=$deep"
run "search: a word in every ticket (charged)" "$api?status=all&q=charged"
run "search: a rare word (the seed's ticket number 123457)" "$api?status=all&q=123457"
run "search: two words (charged benchmark)" "$api?status=all&q=charged%20benchmark"
run "search: a reference" "$api?status=all&q=$reference"
run "search: a word in no ticket" "$api?status=all&q=zyzzyvaqq"
auth=(-H "Authorization: Bearer $general")
run "general queue only: list, SLA order" "$api"
run "general queue only: list, order=priority" "$api?status=all&order=priority"
run "general queue only: search charged" "$api?status=all&q=charged"
auth=(-H "Authorization: Bearer $agent")
run "one ticket (random, audited)" -s "$work/references.lua" "http://127.0.0.1:$port"
ls -la "$data" | grep hushdesk.db
