"""Models of the original archivers' data paths on the official CloudPassage SDK (cloudpassage
1.6.5, as pinned by scripts/clients-env.sh), for scripts/bench-export.sh. Prints one line:
`<records> <seconds>`. Benchmarks print; nothing here asserts.

Usage: python bench-originals.py SIM_URL events|scans DAY

- events: the SDK's TimeSeries over /v1/events (a sequential time cursor; the SDK reads batches
  of pages with at most 10 threads), from DAY 00:00 to the first event of the next day, gzipped
  in batches of 10,000 as the event archiver did.
- scans: the scan archiver's way: the day's scans listed through TimeSeries, then in batches of
  30 scans, 10 threads, each fetching the scan's details and then, for FIM scans, every finding's
  detail one request at a time.
"""
import concurrent.futures
import datetime
import gzip
import json
import sys
import time

import cloudpassage

URL, WHAT, DAY = sys.argv[1], sys.argv[2], sys.argv[3]


class SimSession(cloudpassage.HaloSession):
    def build_endpoint_prefix(self):
        return URL


session = SimSession("sim-read-key", "sim-read-secret-0000", integration_string="octo-bench")
start = datetime.datetime.strptime(DAY, "%Y-%m-%d")
end = (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
t0 = time.monotonic()
assert session.authenticate_client()


def day_of(url, key):
    stream = cloudpassage.TimeSeries(session, DAY + "T00:00:00.000Z", url, key, params={})
    for item in stream:
        if item["created_at"] >= end:
            stream.stop = True
            break
        yield item


if WHAT == "events":
    n, batch = 0, []
    for ev in day_of("/v1/events", "events"):
        batch.append(json.dumps(ev))
        n += 1
        if len(batch) == 10000:
            gzip.compress("\n".join(batch).encode())
            batch = []
    if batch:
        gzip.compress("\n".join(batch).encode())
else:
    helper = cloudpassage.HttpHelper(session)

    def details(scan):
        full = helper.get("/v1/scans/%s" % scan["id"])["scan"]
        if full.get("module") == "fim":
            found = []
            for f in full.get("findings", []):
                found.extend(
                    helper.get("/v1/scans/%s/findings/%s" % (scan["id"], f["id"]))["findings"]
                )
            full["findings"] = found
        return full

    scans = list(day_of("/v1/scans", "scans"))
    n = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        for i in range(0, len(scans), 30):
            for full in pool.map(details, scans[i : i + 30]):
                json.dumps(full)
                n += 1
print(n, "%.2f" % (time.monotonic() - t0), flush=True)
