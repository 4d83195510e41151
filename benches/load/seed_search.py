#!/usr/bin/env python3
"""Seeds a SQLite desk with many tickets quickly, for measuring agent lists and search at scale.

  1. starts the given binary on a fresh data directory and files --templates tickets through the
     JSON API (so subjects, bodies, redaction, sealing and search terms are the server's own),
     plus a few rare ones that are never copied;
  2. stops it, and copies the template tickets inside SQLite with fresh ids, references, token
     hashes and times (tickets, messages, search terms, keys, vault entries, mask slots) until
     the desk holds --tickets tickets;
  3. adds an agent `load` (password `a long load password`, level 1, queues general and billing:
     security's sixth of the desk is out of its scope) with the binary, so the measuring client can sign in.

Words and how common they are (share of all tickets once copied):
  `account` every ticket; `refund` ~50 %; `invoice` ~10 %; `printer` ~1 %;
  `quokka` 5 tickets only (never copied).
A third of the copies are closed; queues follow the templates' categories.

For benchmarks only: the copies are not what the server would write (the same redacted text
many times over, no audit entries for their filing).

Usage: benches/load/seed_search.py --tickets 1000000 --data-dir /tmp/desk
           [--binary target/release/hushdesk] [--templates 200]
Then: hushdesk serve --data-dir /tmp/desk ...   (the first start indexes nothing: the desk is
marked indexed already by the server that filed the templates.)
"""

import argparse
import json
import os
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CATEGORIES = ["billing", "security", "outage", "functionality", "onboarding", "data_request"]
FILLER = (
    "please help with the app it stopped working after the update yesterday and "
    "nothing I try changes that the screen stays blank when I open settings"
).split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_json(url, payload):
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def template_text(n, rng):
    words = ["account"]
    if n % 2 == 0:
        words.append("refund")
    if n % 10 == 0:
        words.append("invoice")
    if n % 100 == 7:
        words.append("printer")
    words += rng.sample(FILLER, 12)
    rng.shuffle(words)
    return f"Ticket {n}: {' '.join(words)}"


def file_templates(binary, data_dir, templates):
    port = free_port()
    config = os.path.join(data_dir, "seed.toml")
    with open(config, "w") as f:
        f.write(
            "[rate_limit]\ntickets_burst = 100000000\ntickets_refill_seconds = 1\n"
            "requests_burst = 100000000\nrequests_refill_millis = 1\n"
        )
    data = os.path.join(data_dir, "data")
    server = subprocess.Popen(
        [binary, "serve", "--config", config, "--data-dir", data,
         "--listen", f"127.0.0.1:{port}", "--smtp-listen", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(13)
        for n in range(templates):
            post_json(base + "/api/v1/tickets", {
                "subject": f"Question {n} about my account",
                "body": template_text(n, rng),
                "category": CATEGORIES[n % len(CATEGORIES)],
            })
        rare = []
        for n in range(5):
            filed = post_json(base + "/api/v1/tickets", {
                "subject": "Unusual animal",
                "body": f"A quokka ate the router, account {n}",
                "category": "functionality",
            })
            rare.append(filed["reference"])
        return data, rare
    finally:
        server.terminate()
        server.wait()


def reference_of(ticket_id):
    digits = []
    for _ in range(7):
        digits.append(ALPHABET[ticket_id % 32])
        ticket_id //= 32
    return "HD-Z" + "".join(reversed(digits))


def copy_tickets(db_path, rare, total, batch=50_000):
    db = sqlite3.connect(db_path)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma synchronous=off")
    placeholders = ",".join("?" * len(rare))
    templates = [row[0] for row in db.execute(
        f"select id from tickets where reference not in ({placeholders}) order by id", rare)]
    have = db.execute("select count(*) from tickets").fetchone()[0]
    next_id = db.execute("select max(id) from tickets").fetchone()[0] + 1
    now = int(time.time())
    columns = [row[1] for row in db.execute("pragma table_info(tickets)")]
    replaced = {
        "id": "c.new_id",
        "reference": "c.reference",
        "token_hash": "randomblob(32)",
        "reply_token_hash": "null",
        "created_at": "c.created_at",
        "updated_at": "c.created_at + c.new_id % 7200",
        "first_response_due": "c.created_at + 86400",
        "resolution_due": "c.created_at + 7 * 86400",
        "status": "case when c.new_id % 3 = 0 then 'closed' else t.status end",
        "closed_at": "case when c.new_id % 3 = 0 then c.created_at + 3600 else t.closed_at end",
        "priority": "case c.new_id % 4 when 0 then 'P1' when 1 then 'P2' when 2 then 'P3' else 'P4' end",
    }
    select = ", ".join(replaced.get(c, f"t.{c}") for c in columns)
    db.execute("create temp table copies (new_id integer primary key, template_id integer not null, "
               "reference text not null, created_at integer not null)")
    remaining = total - have
    started = time.time()
    while remaining > 0:
        n = min(batch, remaining)
        rows = []
        for i in range(n):
            ticket_id = next_id + i
            # Spread over the last year, newest last.
            rows.append((ticket_id, templates[ticket_id % len(templates)], reference_of(ticket_id),
                         now - 365 * 86400 + ticket_id * (365 * 86400 // max(total, 1))))
        db.execute("delete from copies")
        db.executemany("insert into copies values (?, ?, ?, ?)", rows)
        db.execute(f"insert into tickets ({', '.join(columns)}) select {select} "
                   "from copies c join tickets t on t.id = c.template_id")
        db.execute("insert into messages (ticket_id, author, body, redactions, created_at) "
                   "select c.new_id, m.author, m.body, m.redactions, c.created_at "
                   "from copies c join messages m on m.ticket_id = c.template_id")
        db.execute("insert into ticket_terms (ticket_id, term) select c.new_id, tt.term "
                   "from copies c join tickets t on t.id = c.template_id "
                   "join ticket_terms tt on tt.ticket_id = c.template_id where tt.term <> lower(t.reference)")
        db.execute("insert into ticket_terms (ticket_id, term) select new_id, lower(reference) from copies")
        for table, cols in [("ticket_keys", "sealed_identity"), ("vault_entries", "kind, ciphertext"),
                            ("mask_slots", "digest, label, n")]:
            db.execute(f"insert into {table} (ticket_id, {cols}) select c.new_id, {cols} "
                       f"from copies c join {table} x on x.ticket_id = c.template_id")
        db.commit()
        next_id += n
        remaining -= n
        done = total - remaining
        print(f"{done} tickets ({time.time() - started:.0f} s)", file=sys.stderr)
    db.execute("analyze")
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()


def add_agent(binary, data):
    queues = ["general", "billing"]
    args = [binary, "agent", "add", "--name", "load", "--role", "l1", "--password-stdin",
            "--data-dir", data, "--smtp-listen", "127.0.0.1:0"]
    for queue in queues:
        args += ["--queue", queue]
    subprocess.run(args, input=b"a long load password\n", check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--binary", default="target/release/hushdesk")
    parser.add_argument("--templates", type=int, default=200)
    args = parser.parse_args()
    os.makedirs(args.data_dir, exist_ok=True)
    data, rare = file_templates(args.binary, args.data_dir, args.templates)
    add_agent(args.binary, data)
    copy_tickets(os.path.join(data, "hushdesk.db"), rare, args.tickets)
    print(json.dumps({"data_dir": data, "rare": rare}))


if __name__ == "__main__":
    main()
