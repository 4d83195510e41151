#!/usr/bin/env python3
"""Crash and concurrency checks against the real binary, standard library only.

    benches/load/crash.py crash       [--rounds N] [--seconds S] [--clients C] [--bin PATH]
    benches/load/crash.py concurrency [--tickets N] [--clients C] [--bin PATH]

crash: N rounds of filing tickets from C clients while the server is killed with SIGKILL at
a random moment. After every restart each ticket whose filing was acknowledged (201 with its
link) must open through its link; at the end the SQLite file must pass `integrity_check` and
`hushdesk audit verify` must find the chain intact.

concurrency: N tickets filed at once from C clients: every filing acknowledged, every
reference distinct, and exactly N tickets stored.

With --postgres URL (a server where the given role may create databases, e.g. the
HUSHDESK_TEST_DATABASE_URL CI exports) the run gets a database of its own there, dropped at
the end; the SQLite integrity check is then skipped, the chain is still verified. Needs psql.
Exits non-zero with the reason on the first broken promise. Stops by itself.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

CONFIG = """
[rate_limit]
tickets_burst = 100000000
tickets_refill_seconds = 1
requests_burst = 100000000
requests_refill_millis = 1
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Desk:
    def __init__(self, binary, data):
        self.binary = binary
        self.data = data
        self.config = os.path.join(data, "crash.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG)
        self.process = None
        self.port = None
        self.postgres = None
        self.environment = dict(os.environ)
        self.log = open(os.path.join(data, "server.log"), "ab")

    def sql_scalar(self, statement):
        if self.postgres:
            result = subprocess.run(["psql", "-XAtq", self.postgres, "-c", statement],
                                    capture_output=True, text=True, check=True)
            return result.stdout.strip()
        database = os.path.join(self.data, "desk", "hushdesk.db")
        with sqlite3.connect(database) as connection:
            return connection.execute(statement).fetchone()[0]

    def common(self):
        return ["--config", self.config, "--data-dir", os.path.join(self.data, "desk")]

    def start(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [self.binary, "serve", *self.common(), "--listen", f"127.0.0.1:{self.port}",
             "--smtp-listen", "127.0.0.1:0"],
            stdout=self.log, stderr=self.log, env=self.environment)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                fail(f"server exited with {self.process.returncode} at start (see {self.data}/server.log)")
            try:
                status, _ = self.request("GET", "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        fail("server did not answer /healthz within 60 s")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def request(self, method, path, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=json.dumps(body) if body is not None else None,
                               headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def command(self, *args):
        return subprocess.run([self.binary, *args, *self.common()], capture_output=True, text=True,
                              env=self.environment)

    def use_postgres(self, server_url):
        """A database of this run's own on the server, so no earlier run's tickets count."""
        name = f"hushdesk_crash_{os.getpid()}_{random.randrange(1 << 30)}"
        subprocess.run(["psql", "-Xq", server_url, "-c", f"create database {name}"], check=True)
        base, _, _ = server_url.rpartition("/")
        self.postgres = f"{base}/{name}"
        self.environment["HUSHDESK_DATABASE_URL"] = self.postgres
        return lambda: subprocess.run(["psql", "-Xq", server_url, "-c", f"drop database {name} with (force)"])


PROBLEMS = []


def fail(reason):
    print(f"FAILED: {reason}", file=sys.stderr)
    sys.exit(1)


def report(reason):
    """A client thread's failure, raised by the main thread once the clients are joined."""
    PROBLEMS.append(reason)


def fail_on_reports():
    if PROBLEMS:
        fail(PROBLEMS[0])


def ticket_body(n):
    return {
        "subject": f"Cannot sign in after the update, attempt {n}",
        "body": "Hello, since this morning the app says my session expired. Please write to "
                f"jane.doe+{n}@example.org. Card 4111 1111 1111 1111 was charged twice.",
        "category": "functionality",
    }


def file_tickets(desk, stop, acknowledged, lock, counter):
    """Files tickets until told to stop or the server dies; keeps every acknowledged link."""
    while not stop.is_set():
        with lock:
            counter[0] += 1
            n = counter[0]
        try:
            status, body = desk.request("POST", "/api/v1/tickets", ticket_body(n), timeout=10)
        except (OSError, http.client.HTTPException):
            return  # the server is gone: whatever was not acknowledged may or may not exist
        if status == 201:
            answer = json.loads(body)
            with lock:
                acknowledged.append((answer["reference"], answer["access_token"]))
        elif status != 503:  # 503 is "busy, retry": an honest refusal
            report(f"filing answered {status}: {body[:200]!r}")


def check_readable(desk, acknowledged):
    for reference, token in acknowledged:
        status, body = desk.request("GET", f"/api/v1/tickets/{token}")
        if status != 200:
            fail(f"acknowledged ticket {reference} answers {status} after a crash")
        if json.loads(body).get("reference") != reference:
            fail(f"link of {reference} opens another ticket")


def check_chain_and_file(desk):
    verify = desk.command("audit", "verify")
    if verify.returncode != 0:
        fail(f"audit verify: {verify.stdout}{verify.stderr}")
    if desk.postgres:
        return
    result = desk.sql_scalar("pragma integrity_check")
    if result != "ok":
        fail(f"integrity_check: {result}")


def stored_tickets(desk):
    return int(desk.sql_scalar("select count(*) from tickets"))


def crash(args, desk):
    acknowledged = []
    lock = threading.Lock()
    counter = [0]
    rng = random.Random(args.seed)
    for round_number in range(1, args.rounds + 1):
        desk.start()
        check_readable(desk, acknowledged)
        stop = threading.Event()
        clients = [threading.Thread(target=file_tickets, args=(desk, stop, acknowledged, lock, counter))
                   for _ in range(args.clients)]
        for client in clients:
            client.start()
        time.sleep(rng.uniform(args.seconds / 4, args.seconds))
        desk.kill()
        stop.set()
        for client in clients:
            client.join()
        fail_on_reports()
        print(f"round {round_number}: killed with {len(acknowledged)} tickets acknowledged so far", flush=True)
    desk.start()
    check_readable(desk, acknowledged)
    desk.stop()
    check_chain_and_file(desk)
    if not acknowledged:
        fail("no filing was acknowledged: the run proves nothing")
    references = [reference for reference, _ in acknowledged]
    if len(set(references)) != len(references):
        fail("a reference was handed out twice")
    integrity = "" if desk.postgres else "integrity ok, "
    print(f"ok: {args.rounds} kills, {len(acknowledged)} acknowledged tickets all readable, "
          f"{integrity}audit chain intact")


def concurrency(args, desk):
    desk.start()
    before = stored_tickets(desk)
    acknowledged = []
    lock = threading.Lock()
    numbers = iter(range(args.tickets))
    barrier = threading.Barrier(args.clients)

    def client():
        barrier.wait()
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            status, body = desk.request("POST", "/api/v1/tickets", ticket_body(n))
            if status != 201:
                report(f"filing {n} answered {status}: {body[:200]!r}")
                return
            with lock:
                acknowledged.append(json.loads(body)["reference"])

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    desk.stop()
    fail_on_reports()
    if len(acknowledged) != args.tickets:
        fail(f"{len(acknowledged)} of {args.tickets} filings acknowledged")
    if len(set(acknowledged)) != len(acknowledged):
        fail("a reference was handed out twice")
    after = stored_tickets(desk)
    if after is not None and after - before != args.tickets:
        fail(f"{after - before} tickets stored for {args.tickets} filings")
    check_chain_and_file(desk)
    print(f"ok: {args.tickets} filings from {args.clients} clients, no duplicate, none missing")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["crash", "concurrency"])
    parser.add_argument("--bin", default="target/release/hushdesk")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0, help="longest time before each kill")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hushdesk-crash-") as data:
        desk = Desk(os.path.abspath(args.bin), data)
        drop = desk.use_postgres(args.postgres) if args.postgres else None
        try:
            if args.mode == "crash":
                crash(args, desk)
            else:
                concurrency(args, desk)
        finally:
            if desk.process is not None and desk.process.poll() is None:
                desk.kill()
            if drop:
                drop()


if __name__ == "__main__":
    main()
