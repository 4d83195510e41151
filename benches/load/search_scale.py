#!/usr/bin/env python3
"""Times the agents' list and search on a seeded desk (benches/load/seed_search.py), one request
at a time through the JSON API, and how long the server takes to start on it.

Prints, per request kind, requests made, p50 and p99 in milliseconds. The queries are the
words seed_search.py plants: `account` (every ticket), `refund` (~50 %), `invoice` (~10 %),
`printer` (~1 %), `quokka` (5 tickets), and two-word searches.

Usage: benches/load/search_scale.py --data-dir /tmp/desk/data [--binary target/release/hushdesk]
           [--requests 200]
The server opens the data directory as it is (migrating it if the binary is newer: keep a copy
to compare two builds on the same desk).
"""

import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

QUERIES = [
    ("list (SLA order)", ""),
    ("list, created order, page 2", "order=created&after=PAGE2"),
    ("search account (every ticket)", "q=account"),
    ("search refund (~50 %)", "q=refund"),
    ("search invoice (~10 %)", "q=invoice"),
    ("search printer (~1 %)", "q=printer"),
    ("search quokka (5 tickets)", "q=quokka"),
    ("search refund invoice", "q=refund+invoice"),
    ("search account quokka", "q=account+quokka"),
    ("search printer refund (never together)", "q=printer+refund"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, token=None, payload=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(req, timeout=120) as response:
        return json.load(response)


def percentile(sorted_ms, share):
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * share))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--binary", default="target/release/hushdesk")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as config:
        config.write(
            "[rate_limit]\nrequests_burst = 100000000\nrequests_refill_millis = 1\n"
            "[agents]\nhourly_view_threshold = 1000000000\n"
        )
    base = f"http://127.0.0.1:{port}"
    started = time.time()
    server = subprocess.Popen(
        [args.binary, "serve", "--config", config.name, "--data-dir", args.data_dir,
         "--listen", f"127.0.0.1:{port}", "--smtp-listen", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server stopped while starting")
                time.sleep(0.05)
        print(f"start until /healthz answers: {time.time() - started:.1f} s")
        token = request(base + "/api/v1/agent/login",
                        payload={"name": "load", "password": "a long load password"})["token"]
        first = request(base + "/api/v1/agent/tickets?status=all&order=created&limit=100", token)
        page2 = first.get("next") or ""
        print(f"{'request (status=all, limit=100)':42} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}  rows  total")
        for name, query in QUERIES:
            query = query.replace("PAGE2", page2)
            url = f"{base}/api/v1/agent/tickets?status=all&limit=100&{query}"
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                page = request(url, token)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            total = f"{page['total']}{'+' if page['total_is_lower_bound'] else ''}"
            print(f"{name:42} {len(times):5} {percentile(times, 0.5):8.1f} {percentile(times, 0.99):8.1f}"
                  f"  {len(page['tickets']):4}  {total}", flush=True)
    finally:
        server.terminate()
        server.wait()
        os.unlink(config.name)


if __name__ == "__main__":
    main()
