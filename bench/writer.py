#!/usr/bin/env python3
"""Rate-limited background editor for bench/run.sh (stdlib only).

Sends PATCH /api/v1/articles/{id} at a steady --rate per second over one
keep-alive connection, each to the next id of --lo..--hi (round-robin), with
If-Match from the ETag of that id's previous edit (version 1 at first, which
is right when no one else edits the range). The summary carries a counter, so
every edit changes something. Runs until SIGTERM/SIGINT (or --duration), then
prints one line:

  KHABAR_WRITER edits=... ok=... non200=... s412=... errors=... elapsed_s=...
                rate=... p50_ms=... p99_ms=... max_ms=...

The bearer token comes from $KHABAR_BENCH_TOKEN (kept out of argv).
"""
import argparse
import http.client
import json
import math
import os
import signal
import sys
import time
import urllib.parse


class Stop(Exception):
    pass


def _stop(signum, frame):
    raise Stop()


def pct(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100.0 * len(sorted_ms)) - 1))  # nearest rank
    return sorted_ms[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--rate", type=float, default=50.0, help="edits per second")
    ap.add_argument("--lo", type=int, required=True, help="first article id")
    ap.add_argument("--hi", type=int, required=True, help="last article id")
    ap.add_argument("--duration", type=float, default=0, help="seconds (0: until SIGTERM)")
    ap.add_argument("--tag", default=str(int(time.time())), help="goes into the summaries")
    args = ap.parse_args()
    if args.rate <= 0 or args.hi < args.lo:
        ap.error("need --rate > 0 and --lo <= --hi")
    token = os.environ.get("KHABAR_BENCH_TOKEN", "")
    u = urllib.parse.urlsplit(args.base)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    versions = {}
    lat_ms = []
    n = ok = non200 = s412 = errors = 0
    conn = None
    next_id = args.lo
    interval = 1.0 / args.rate
    t0 = time.monotonic()
    due = t0
    try:
        while True:
            now = time.monotonic()
            if args.duration and now - t0 >= args.duration:
                break
            if due > now:
                time.sleep(due - now)
            elif now - due > 1.0:
                due = now  # fell behind by > 1 s (server stalled): no catch-up burst
            due += interval

            aid = next_id
            next_id = args.lo if next_id >= args.hi else next_id + 1
            n += 1
            body = json.dumps({"summary": "تعديل من الكاتب الخلفي %s-%d" % (args.tag, n)},
                              ensure_ascii=False).encode()
            headers = {
                "Authorization": "Bearer " + token,
                "Content-Type": "application/json",
                "If-Match": '"v%d"' % versions.get(aid, 1),
            }
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
                s = time.monotonic()
                conn.request("PATCH", "/api/v1/articles/%d" % aid, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                lat_ms.append((time.monotonic() - s) * 1000.0)
                etag = resp.getheader("ETag") or ""
                if etag.startswith('"v') and etag.endswith('"') and etag[2:-1].isdigit():
                    versions[aid] = int(etag[2:-1])  # 412 answers carry the current one too
                if resp.status == 200:
                    ok += 1
                else:
                    non200 += 1
                    if resp.status == 412:
                        s412 += 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors += 1
                if conn is not None:
                    conn.close()
                conn = None
    except Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        elapsed = time.monotonic() - t0
        lat_ms.sort()
        done = ok + non200
        sys.stdout.write(
            "KHABAR_WRITER edits=%d ok=%d non200=%d s412=%d errors=%d elapsed_s=%.3f rate=%.2f "
            "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n"
            % (done, ok, non200, s412, errors, elapsed, (ok / elapsed if elapsed > 0 else 0.0),
               pct(lat_ms, 50), pct(lat_ms, 99), (lat_ms[-1] if lat_ms else 0.0)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
