#!/usr/bin/env python3
"""Bounded resources under load, on loopback: RSS and /healthz latency before, during and after

  1. idle sockets: 1,100 from one network (a /24), then 5,000 from 50 networks (more than the
     4,096 connections the server allows in all), held open without a byte sent;
  2. a mail burst: 64 clients each sending one 9 MB mail at once over SMTP (8 per network, the
     default per-network cap), retrying after a 4xx as an MTA would.

The server runs with a soft descriptor limit of 1,024 (the usual default; it raises the soft
limit to the hard one at start), its default limits, and generous HTTP rate limits.

Usage: benches/load/bounds.py [--binary target/release/hushdesk] [--phase idle|mail|all]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/hushdesk")
    parser.add_argument("--phase", default="all", choices=["idle", "mail", "all"])
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
    finally:
        server.terminate()
        server.wait()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
