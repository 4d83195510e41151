#!/usr/bin/env bash
# The JSON API against its own OpenAPI description: schemathesis (PyPI) generates requests
# from /api/v1/openapi.json, as the requester and as a signed-in agent, and fails on any 5xx,
# any status code, content type or body the description does not allow.
# Usage: tests/contract/schemathesis.sh [path/to/hushdesk] [seconds]   (defaults: the debug
# build, 120 s). Installs schemathesis into a virtualenv under target/ the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/debug/hushdesk}"
seconds="${2:-120}"
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  rm -rf "$venv"
  # Debian's own Python keeps venv in a package of its own.
  if ! python3 -m venv "$venv" 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "schemathesis needs Python's venv: sudo apt-get install -y python3-venv" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.3,<5'
fi

data="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT
cat > "$data/contract.toml" <<TOML
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
logins_burst = 100000000
logins_refill_seconds = 1
TOML
common=(--config "$data/contract.toml" --data-dir "$data/desk" --smtp-listen 127.0.0.1:0)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
enrolment=$(printf 'a long contract password\n' | "$bin" agent add "${common[@]}" --name contract \
  --role l3 --queue general --queue billing --queue security --password-stdin)
"$bin" serve "${common[@]}" --listen "127.0.0.1:$port" 2>"$data/server.log" &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -H 'content-type: application/json' \
  -d '{"name":"contract","password":"a long contract password","totp":"'"$(python3 benches/load/totp.py "$enrolment")"'"}' \
  "$base/api/v1/agent/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# A ticket in scope, so that the second pass meets a real ticket and not only made-up ones.
filed=$(curl -sf -H 'content-type: application/json' \
  -d '{"subject":"Cannot sign in","body":"Since the update the app logs me out.","category":"functionality","contact":"someone@example.org"}' \
  "$base/api/v1/tickets")
python3 - "$filed" > "$data/real.toml" <<'PY'
import json, sys
filed = json.loads(sys.argv[1])
print("[parameters]")
print(f'"path.token" = "{filed["access_token"]}"')
print(f'"path.reference" = "{filed["reference"]}"')
PY

# Pass 1 generates every parameter, path ones included; pass 2 pins the path parameters to
# the real ticket, so that bodies reach the ticket logic instead of a 404 (it leaves out
# deleting that ticket, which pass 1 covers with made-up links). Logging out would
# end the session the rest of the run uses (the API tests cover it).
for config in none "$data/real.toml"; do
  config_args=()
  only=()
  # Deleting the real ticket would send the rest of the pinned pass to 404.
  [ "$config" != none ] && config_args=(--config-file "$config") && only=(--exclude-method DELETE)
  "$venv/bin/schemathesis" "${config_args[@]}" run "$base/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --header "Authorization: Bearer $token" \
    --max-time "$((seconds / 2))" --workers 2 --request-timeout 10 --seed 1 \
    --exclude-path /api/v1/agent/logout "${only[@]}"
done
if grep -q "request failed" "$data/server.log"; then
  echo "the server logged a failed request:" >&2
  grep "request failed" "$data/server.log" >&2
  exit 1
fi
echo "== the API matches its description"
