#!/usr/bin/env python3
"""A steady stream of org-model writes for bench/mixed.sh.

    bench/writes.py URL ORG RATE SECONDS

Posts `POST /api/v1/people` (a new person in ORG, as the bearer of $ZEREN_WRITER_TOKEN) RATE
times a second for SECONDS, paced by the clock (a slow answer delays the next write, it is not
made up for), and prints one line `WRITES <done> <p50 ms> <p99 ms> <errors>`. Standard library
only, so the benchmark needs nothing installed beyond python3.
"""

import http.client
import json
import os
import sys
import time
import urllib.parse


def main() -> int:
    url, org, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    token = os.environ["ZEREN_WRITER_TOKEN"]
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times, errors = [], 0
    start = time.monotonic()
    n = 0
    while True:
        due = start + n / rate
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        body = json.dumps({"name": f"压测{os.getpid()}-{n}", "org": org})
        t0 = time.monotonic()
        try:
            conn.request("POST", "/api/v1/people", body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
            if not 200 <= resp.status < 300:
                errors += 1
                print(f"HTTP {resp.status}: {text[:200]!r}", file=sys.stderr)
        except OSError as e:
            errors += 1
            print(f"error: {e}", file=sys.stderr)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        times.append((time.monotonic() - t0) * 1000)
        n += 1
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(len(times) * p / 100))] if times else 0.0

    print(f"WRITES {len(times)} {pct(50):.2f} {pct(99):.2f} {errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
