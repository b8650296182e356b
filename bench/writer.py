#!/usr/bin/env python3
"""Rate-limited background editor for bench/run.sh (stdlib only).

Sends PATCH /api/v1/articles/{id} at a steady --rate per second, each to the
next id of --lo..--hi (round-robin), with If-Match from the ETag of that id's
previous edit (version 1 at first, which is right when no one else edits the
range). The summary carries a counter, so every edit changes something.

Pacing is by schedule, not by answer: edit k is due at start + k/rate, and
--connections worker threads (keep-alive connections, default 4) take the
next due slot, sleep until it and send, so a slow answer does not lower the
rate (as long as fewer than --connections edits are in flight). After a stall
of more than 1 s the schedule restarts from now instead of bursting.

Runs until SIGTERM/SIGINT (or --duration), then prints one line:

  KHABAR_WRITER edits=... ok=... non200=... s412=... errors=... elapsed_s=...
                rate=... p50_ms=... p99_ms=... max_ms=... cpu_s=...

(edits = answers received; rate = 200 answers per second.)
The bearer token comes from $KHABAR_BENCH_TOKEN (kept out of argv).
"""
import argparse
import http.client
import json
import math
import os
import signal
import sys
import threading
import time
import urllib.parse


def pct(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100.0 * len(sorted_ms)) - 1))  # nearest rank
    return sorted_ms[k]


class Writer:
    def __init__(self, args, token):
        self.args = args
        self.token = token
        u = urllib.parse.urlsplit(args.base)
        self.host, self.port = u.hostname, u.port or 80
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.interval = 1.0 / args.rate
        self.t0 = time.monotonic()
        self.due = self.t0
        self.next_id = args.lo
        self.seq = 0
        self.versions = {}
        self.lat_ms = []
        self.ok = self.non200 = self.s412 = self.errors = 0
        self.t_stop = None

    def take_slot(self):
        """The next (due time, article id, sequence number)."""
        with self.lock:
            now = time.monotonic()
            if now - self.due > 1.0:
                self.due = now  # fell behind by > 1 s (server stalled): no catch-up burst
            due = self.due
            self.due += self.interval
            aid = self.next_id
            self.next_id = self.args.lo if aid >= self.args.hi else aid + 1
            self.seq += 1
            return due, aid, self.seq, self.versions.get(aid, 1)

    def worker(self):
        conn = None
        while not self.stop.is_set():
            due, aid, seq, version = self.take_slot()
            delay = due - time.monotonic()
            if delay > 0 and self.stop.wait(delay):
                break
            if self.args.duration and time.monotonic() - self.t0 >= self.args.duration:
                self.stop.set()
                break
            body = json.dumps({"summary": "تعديل من الكاتب الخلفي %s-%d" % (self.args.tag, seq)},
                              ensure_ascii=False).encode()
            headers = {
                "Authorization": "Bearer " + self.token,
                "Content-Type": "application/json",
                "If-Match": '"v%d"' % version,
            }
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                start = time.monotonic()
                conn.request("PATCH", "/api/v1/articles/%d" % aid, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ms = (time.monotonic() - start) * 1000.0
                etag = resp.getheader("ETag") or ""
                with self.lock:
                    self.lat_ms.append(ms)
                    if etag.startswith('"v') and etag.endswith('"') and etag[2:-1].isdigit():
                        self.versions[aid] = int(etag[2:-1])  # 412 answers carry the current one too
                    if resp.status == 200:
                        self.ok += 1
                    else:
                        self.non200 += 1
                        if resp.status == 412:
                            self.s412 += 1
                if (resp.getheader("Connection") or "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    def summary(self):
        with self.lock:
            elapsed = (self.t_stop or time.monotonic()) - self.t0
            lat = sorted(self.lat_ms)
            return (
                "KHABAR_WRITER edits=%d ok=%d non200=%d s412=%d errors=%d elapsed_s=%.3f rate=%.2f "
                "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f cpu_s=%.3f\n"
                % (self.ok + self.non200, self.ok, self.non200, self.s412, self.errors, elapsed,
                   (self.ok / elapsed if elapsed > 0 else 0.0),
                   pct(lat, 50), pct(lat, 99), (lat[-1] if lat else 0.0), time.process_time()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--rate", type=float, default=50.0, help="edits per second")
    ap.add_argument("--lo", type=int, required=True, help="first article id")
    ap.add_argument("--hi", type=int, required=True, help="last article id")
    ap.add_argument("--connections", type=int, default=4, help="edits in flight at most")
    ap.add_argument("--duration", type=float, default=0, help="seconds (0: until SIGTERM)")
    ap.add_argument("--tag", default=str(int(time.time())), help="goes into the summaries")
    args = ap.parse_args()
    if args.rate <= 0 or args.hi < args.lo or args.connections < 1:
        ap.error("need --rate > 0, --lo <= --hi and --connections >= 1")
    if args.hi - args.lo + 1 < 4 * args.connections:
        ap.error("the id range must be much larger than --connections")

    w = Writer(args, os.environ.get("KHABAR_BENCH_TOKEN", ""))
    signal.signal(signal.SIGTERM, lambda *_: w.stop.set())
    signal.signal(signal.SIGINT, lambda *_: w.stop.set())
    threads = [threading.Thread(target=w.worker, daemon=True) for _ in range(args.connections)]
    for t in threads:
        t.start()
    while not w.stop.wait(0.5):
        pass
    w.t_stop = time.monotonic()
    deadline = time.monotonic() + 2.0  # let answers in flight arrive, briefly
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    sys.stdout.write(w.summary())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
