#!/usr/bin/env python3
"""Bounded resources under load, on loopback: RSS and /healthz latency before, during and after

  1. idle sockets: 1,100 from one network (a /24), then 5,000 from 50 networks (more than the
     4,096 connections the server allows in all), held open without a byte sent;
  2. a mail burst: 64 clients each sending one 9 MB mail at once over SMTP (8 per network, the
     default per-network cap), retrying after a 4xx as an MTA would;
  3. slow bodies: a crowd from 50 networks fills every HTTP connection with request bodies
     trickled just above the minimum rate, reconnecting when cut, while a new client asks
     /healthz and files a ticket;
  4. idle mail sessions: 64 sessions from 8 networks fill the session cap and say nothing,
     reconnecting when closed, while an MTA from another network delivers mail.

The server runs with a soft descriptor limit of 1,024 (the usual default; it raises the soft
limit to the hard one at start), its default limits, and generous HTTP rate limits.

Usage: benches/load/bounds.py [--binary target/release/hushdesk]
                              [--phase idle|mail|slowbody|smtpidle|all]
Needs only Python 3 (smtplib). Prints one block of figures per phase.
"""

import argparse
import multiprocessing
import base64
import os
import random
import resource
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import email.policy
from email.message import EmailMessage


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def healthz(port, source="127.0.250.1", timeout=10.0):
    """Milliseconds for GET /healthz on a new connection, or None when it failed."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                      source_address=(source, 0)) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
        if not answer.startswith(b"HTTP/1.1 200"):
            return None
    except OSError:
        return None
    return (time.monotonic() - started) * 1000


class Prober:
    """Asks /healthz every 50 ms until stopped, from a process of its own so that the load
    generator's threads (and Python's global lock) cannot delay the probe itself."""

    def __init__(self, port):
        self.port = port
        # Spawned, not forked: a fork would inherit the idle sockets and keep them open.
        context = multiprocessing.get_context("spawn")
        self.stopping = context.Event()
        self.results = context.Queue()
        self.process = context.Process(
            target=Prober.loop, args=(port, self.stopping, self.results), daemon=True)

    def start(self):
        self.process.start()

    @staticmethod
    def loop(port, stopping, results):
        latencies, failures = [], 0
        while not stopping.is_set():
            ms = healthz(port)
            if ms is None:
                failures += 1
            else:
                latencies.append(ms)
            time.sleep(0.05)
        results.put((latencies, failures))

    def stop(self):
        self.stopping.set()
        latencies, failures = self.results.get()
        self.process.join()
        if not latencies:
            return f"no answer ({failures} failures)"
        lat = sorted(latencies)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (f"{len(lat)} answers, p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms, "
                f"max {lat[-1]:.1f} ms, {failures} failures")


def probe_for(port, seconds):
    prober = Prober(port)
    prober.start()
    time.sleep(seconds)
    return prober.stop()


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, status_kib(self.pid, "VmRSS"))
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


def start_server(binary, workdir):
    port, smtp = free_port(), free_port()
    config = os.path.join(workdir, "load.toml")
    with open(config, "w") as f:
        f.write("[rate_limit]\ntickets_burst = 100000000\ntickets_refill_seconds = 1\n"
                "requests_burst = 100000000\nrequests_refill_millis = 1\n")
    log = open(os.path.join(workdir, "log"), "w")
    server = subprocess.Popen(
        ["sh", "-c", 'ulimit -Sn 1024 && exec "$0" "$@"', binary, "serve", "--config", config,
         "--data-dir", os.path.join(workdir, "data"), "--listen", f"127.0.0.1:{port}",
         "--smtp-listen", f"127.0.0.1:{smtp}"],
        stdout=log, stderr=log)
    for _ in range(600):
        if healthz(port, timeout=1) is not None:
            return server, port, smtp
        time.sleep(0.1)
    server.kill()
    sys.exit("the server did not start; see its log in " + workdir)


def still_open(sockets):
    """How many of `sockets` the server has not closed."""
    alive = 0
    for s in sockets:
        try:
            s.setblocking(False)
            data = s.recv(1)
            if data == b"":
                continue
            # Anything sent (a 503) means the server refused it and closed.
            continue
        except BlockingIOError:
            alive += 1
        except OSError:
            continue
    return alive


def idle_phase(server, port):
    pid = server.pid
    print("== idle sockets")
    print(f"before: RSS {mib(status_kib(pid, 'VmRSS'))}; /healthz {probe_for(port, 2)}")
    for label, count, networks in [("1,100 from one /24", 1100, 1),
                                   ("5,000 from 50 networks", 5000, 50)]:
        sockets, failed = [], 0
        started = time.monotonic()
        for i in range(count):
            source = f"127.0.{100 + i % networks}.1"
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                             source_address=(source, 0))
                sockets.append(s)
            except OSError:
                failed += 1
        opened = time.monotonic() - started
        during = probe_for(port, 3)
        alive = still_open(sockets)
        print(f"{label}: opened in {opened:.1f} s ({failed} connects failed); "
              f"held open by the server {alive}; RSS {mib(status_kib(pid, 'VmRSS'))}; "
              f"/healthz during: {during}")
        for s in sockets:
            s.close()
        time.sleep(1)
    print(f"after: RSS {mib(status_kib(pid, 'VmRSS'))}; /healthz {probe_for(port, 2)}")


def nine_mb_mail(i, size_mb):
    msg = EmailMessage()
    msg["From"] = f"Sender {i} <sender{i}@example.org>"
    msg["To"] = "support@localhost"
    msg["Subject"] = f"Scan of the contract, part {i}"
    msg.set_content("Please find the scan attached; the printer cut it in two.\n")
    # Base64 takes 4/3 of the raw size: this many bytes make a mail of about size_mb.
    raw = random.randbytes(int(size_mb * 1000 * 1000 * 3 / 4) - 4096)
    msg.add_attachment(raw, maintype="application", subtype="octet-stream",
                       filename=f"scan{i}.bin")
    return msg.as_bytes(policy=email.policy.SMTP)


def mail_phase(server, port, smtp, mails, size_mb):
    pid = server.pid
    print(f"== {mails} parallel mails of {size_mb} MB")
    messages = [nine_mb_mail(i, size_mb) for i in range(mails)]
    print(f"before: RSS {mib(status_kib(pid, 'VmRSS'))} "
          f"(anonymous {mib(status_kib(pid, 'RssAnon'))}); /healthz {probe_for(port, 2)}")
    results = [None] * mails
    deferrals = [0] * mails

    def send(i):
        source = f"127.0.{10 + i // 8}.1"
        for _attempt in range(120):
            try:
                with smtplib.SMTP("127.0.0.1", smtp, timeout=300,
                                  source_address=(source, 0)) as client:
                    client.sendmail(f"sender{i}@example.org", ["support@localhost"], messages[i])
                results[i] = 250
                return
            except smtplib.SMTPResponseException as err:
                if 400 <= err.smtp_code < 500:
                    deferrals[i] += 1
                    time.sleep(1 + random.random())
                    continue
                results[i] = err.smtp_code
                return
            except smtplib.SMTPRecipientsRefused as err:
                results[i] = str(err)
                return
            except (OSError, smtplib.SMTPException) as err:
                deferrals[i] += 1
                time.sleep(1 + random.random())
        results[i] = "gave up"

    sampler = RssSampler(pid)
    sampler.start()
    prober = Prober(port)
    prober.start()
    started = time.monotonic()
    threads = [threading.Thread(target=send, args=(i,)) for i in range(mails)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    during = prober.stop()
    peak = sampler.stop()
    accepted = sum(1 for r in results if r == 250)
    print(f"accepted {accepted}/{mails} in {elapsed:.1f} s after {sum(deferrals)} deferrals "
          f"(4xx, retried); other outcomes: {[r for r in results if r != 250]}")
    print(f"during: RSS peak {mib(peak)}; /healthz {during}")
    for total, step in ((0, 0), (5, 5), (30, 25)):
        time.sleep(step)
        print(f"after +{total} s: RSS {mib(status_kib(pid, 'VmRSS'))} "
              f"(anonymous {mib(status_kib(pid, 'RssAnon'))}, "
              f"files and shared {mib(status_kib(pid, 'RssFile') + status_kib(pid, 'RssShmem'))})")
    print(f"/healthz after: {probe_for(port, 2)}")


def filing(port, source="127.0.251.1", timeout=10.0):
    """(status, milliseconds) of one JSON filing on a new connection from `source`."""
    body = (b'{"subject": "Printer", "body": "My printer will not print.", '
            b'"category": "functionality"}')
    request = (b"POST /api/v1/tickets HTTP/1.1\r\nHost: desk\r\n"
               b"Content-Type: application/json\r\nConnection: close\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                      source_address=(source, 0)) as s:
            s.sendall(request)
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
    except OSError as err:
        return type(err).__name__, (time.monotonic() - started) * 1000
    status = answer[9:12].decode(errors="replace") if answer.startswith(b"HTTP/1.1") else "no answer"
    return status, (time.monotonic() - started) * 1000


def summary(latencies):
    if not latencies:
        return "none"
    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return f"p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms"


def slowbody_phase(server, port, crowd, seconds):
    """`crowd` connections from 50 networks, each sending a 60 KB body 1,200 bytes every 2 s
    (600 B/s, above the default minimum of 512 B/s), reconnecting when cut."""
    import selectors
    pid = server.pid
    print(f"== slow bodies: {crowd} connections from 50 networks at 600 B/s each")
    print(f"before: RSS {mib(status_kib(pid, 'VmRSS'))}; /healthz {probe_for(port, 2)}")
    head = (b"POST /api/v1/tickets HTTP/1.1\r\nHost: desk\r\n"
            b"Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
            b'{"subject": "')
    piece = b"a" * 1200
    # slot -> [socket or None, next send time]
    slots = [[None, 0.0] for _ in range(crowd)]
    cut = 0

    def connect(i):
        source = f"127.0.{100 + i % 50}.1"
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                         source_address=(source, 0))
            s.setblocking(False)
            s.send(head)
            return s
        except OSError:
            return None

    for i in range(crowd):
        slots[i] = [connect(i), time.monotonic() + 2 * random.random()]
    prober = Prober(port)
    prober.start()
    filings, filing_ms, statuses = 0, [], {}
    started = time.monotonic()
    next_filing = started + 0.5
    while time.monotonic() - started < seconds:
        now = time.monotonic()
        for i, slot in enumerate(slots):
            s, due = slot
            if due > now:
                continue
            alive = s is not None
            if alive:
                try:
                    if s.recv(1, socket.MSG_PEEK) is not None:
                        alive = False  # answered (503, 408) or closed: cut
                except BlockingIOError:
                    pass
                except OSError:
                    alive = False
            if alive:
                try:
                    s.send(piece)
                except OSError:
                    alive = False
            if not alive:
                if s is not None:
                    s.close()
                    cut += 1
                s = connect(i)
            slots[i] = [s, now + 2.0]
        if now >= next_filing:
            status, ms = filing(port)
            filings += 1
            statuses[status] = statuses.get(status, 0) + 1
            if status == "201":
                filing_ms.append(ms)
            next_filing = time.monotonic() + 0.5
        time.sleep(0.01)
    during = prober.stop()
    held = sum(1 for s, _ in slots if s is not None)
    print(f"over {seconds} s: {cut} crowd connections cut (and reopened); {held} open at the end; "
          f"RSS {mib(status_kib(pid, 'VmRSS'))}")
    print(f"new client's filings: {filings} tried, statuses {statuses}, 201 in {summary(filing_ms)}")
    print(f"/healthz during: {during}")
    for s, _ in slots:
        if s is not None:
            s.close()
    time.sleep(1)
    print(f"after: RSS {mib(status_kib(pid, 'VmRSS'))}; /healthz {probe_for(port, 2)}")


def smtpidle_phase(server, port, smtp, rounds):
    """64 silent sessions from 8 networks (the default caps), reopened when closed, while an
    MTA from a ninth network delivers `rounds` mails."""
    pid = server.pid
    print("== idle mail sessions: 64 from 8 networks, silent after the greeting")
    idle = []
    for i in range(64):
        s = socket.create_connection(("127.0.0.1", smtp), timeout=5,
                                     source_address=(f"127.0.{60 + i // 8}.1", 0))
        s.recv(512)
        idle.append(s)
    time.sleep(0.5)
    accepted, refused, took = 0, [], []
    for r in range(rounds):
        started = time.monotonic()
        try:
            with smtplib.SMTP("127.0.0.1", smtp, timeout=30,
                              source_address=("127.0.90.1", 0)) as client:
                client.sendmail("jo@example.org", ["support@localhost"],
                                b"From: Jo <jo@example.org>\r\nTo: support@localhost\r\n"
                                b"Subject: Printer\r\n\r\nMy printer will not print.\r\n")
            accepted += 1
            took.append((time.monotonic() - started) * 1000)
        except (OSError, smtplib.SMTPException) as err:
            refused.append(str(err)[:80])
        # The crowd reopens what was closed, so the cap is full again for the next round.
        for i, s in enumerate(idle):
            s.setblocking(False)
            try:
                gone = s.recv(512) is not None
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if gone:
                s.close()
                s = socket.create_connection(("127.0.0.1", smtp), timeout=5,
                                             source_address=(f"127.0.{60 + i // 8}.1", 0))
                s.recv(512)
                idle[i] = s
    print(f"MTA from another network: {accepted}/{rounds} mails accepted, each in {summary(took)}; "
          f"refused: {refused}; RSS {mib(status_kib(pid, 'VmRSS'))}")
    for s in idle:
        s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/hushdesk")
    parser.add_argument("--phase", default="all",
                        choices=["idle", "mail", "slowbody", "smtpidle", "all"])
    parser.add_argument("--crowd", type=int, default=4200,
                        help="slow-body connections (more than the 4,096 allowed)")
    parser.add_argument("--seconds", type=int, default=20, help="length of the slow-body phase")
    parser.add_argument("--mails", type=int, default=64)
    parser.add_argument("--mail-mb", type=float, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and log")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = tempfile.mkdtemp(prefix="hushdesk-bounds-")
    server, port, smtp = start_server(args.binary, workdir)
    try:
        if args.phase in ("idle", "all"):
            idle_phase(server, port)
        if args.phase in ("mail", "all"):
            mail_phase(server, port, smtp, args.mails, args.mail_mb)
        if args.phase in ("slowbody", "all"):
            slowbody_phase(server, port, args.crowd, args.seconds)
        if args.phase in ("smtpidle", "all"):
            smtpidle_phase(server, port, smtp, 10)
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
