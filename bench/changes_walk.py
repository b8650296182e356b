#!/usr/bin/env python3
"""Walks the change feed (GET /api/v1/changes) from the start to its end, as
a partner mirroring the archive would, and prints entries per second.

    bench/changes_walk.py URL PARTNER_TOKEN [LIMIT]
    # e.g. khabar token create --role partner --name bench, then
    bench/changes_walk.py http://127.0.0.1:8080 khb_... 500

Standard library only. The time includes this client's JSON parsing. A 429
(the partner rate limit, KHABAR_RATE_LIMIT_PARTNER) is waited out as its
Retry-After says, and the waits are reported.
"""
import json
import sys
import time
import urllib.error
import urllib.request


def main() -> None:
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    cursor, entries, upserts, pages, waits, waited = None, 0, 0, 0, 0, 0.0
    started = time.time()
    while True:
        url = f"{base}/api/v1/changes?limit={limit}" + (f"&since={cursor}" if cursor else "")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            if e.code != 429:
                raise
            pause = float(e.headers.get("Retry-After", "1"))
            waits, waited = waits + 1, waited + pause
            time.sleep(pause)
            continue
        pages += 1
        entries += len(body["data"])
        upserts += sum(1 for e in body["data"] if e["change"] == "upsert")
        if body["meta"]["next_cursor"] is None:
            break
        cursor = body["meta"]["next_cursor"]
    took = time.time() - started
    print(
        f"limit={limit}: {entries} entries ({upserts} upserts) in {pages} pages, "
        f"{took:.1f} s: {entries / took:.0f} entries/s, {pages / took:.1f} pages/s; "
        f"{waits} waits for the rate limit ({waited:.0f} s)"
    )


if __name__ == "__main__":
    main()
