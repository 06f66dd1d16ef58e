#!/usr/bin/env python3
# The project's reference baseline for benches/run.sh: the job as a typical
# operator script does it. Leave it untuned, because that is what it measures.
"""Baseline: the enroll job written the way a typical operator script would.

Reads a contacts CSV (email, first_name, last_name, company, signup_id),
trims and lowercases emails, checks them with a regex, skips repeats within
the file (a set) and keys already in a SQLite ledger (UNIQUE key, one SELECT
per row), then POSTs sequential batches to the bulk-enroll endpoint and
records each sent key after the batch succeeds. Nothing is tuned: default
sqlite3 settings (rollback journal, synchronous=FULL), requests.post without
a Session (a new TCP connection per request), one batch in flight.

Modes:
  batch  (default) as above, --batch contacts per POST (default 100).
  seed   one POST per contact, duplicates skipped with an in-memory set only,
         no ledger (the pattern the project starts from).

Usage:
  baseline_enroll.py CSV --url http://127.0.0.1:PORT/api/v1/workflows/WF/enrollments/bulk
                     [--ledger ledger.db] [--batch 100] [--mode batch|seed]
                     [--session] [--rejects rejects.csv]
Prints one JSON summary line on stdout.
"""
import argparse
import csv
import json
import re
import sqlite3
import sys
import os
import time

try:
    import requests
except ImportError:  # fall back to the standard library
    requests = None
    import urllib.request

API_KEY = os.environ.get("DRIPPULSE_API_KEY", "adcrm_test_baseline")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def post_json(session, url, payload):
    if requests is not None:
        poster = session if session is not None else requests
        r = poster.post(url, json=payload, timeout=30,
                        headers={"Authorization": "Bearer " + API_KEY})
        r.raise_for_status()
        return r.json()
    req = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + API_KEY})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--url", required=True)
    ap.add_argument("--ledger", default="ledger.db")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--mode", choices=["batch", "seed"], default="batch")
    ap.add_argument("--session", action="store_true",
                    help="reuse one requests.Session (keep-alive)")
    ap.add_argument("--rejects", default=None)
    args = ap.parse_args()

    session = requests.Session() if (args.session and requests) else None
    t0 = time.perf_counter()
    stats = {"rows": 0, "invalid": 0, "dup_in_file": 0, "already_sent": 0,
             "sent": 0, "requests": 0}
    rejects = open(args.rejects, "w", newline="") if args.rejects else None
    rej_writer = csv.writer(rejects) if rejects else None
    seen = set()

    if args.mode == "seed":
        with open(args.csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                stats["rows"] += 1
                email = row["email"].strip().lower()
                if not EMAIL_RE.match(email):
                    stats["invalid"] += 1
                    if rej_writer:
                        rej_writer.writerow([stats["rows"], row["email"], "invalid email"])
                    continue
                if email in seen:
                    stats["dup_in_file"] += 1
                    continue
                seen.add(email)
                row["email"] = email
                post_json(session, args.url, {"contacts": [row]})
                stats["requests"] += 1
                stats["sent"] += 1
    else:
        db = sqlite3.connect(args.ledger)
        db.execute("CREATE TABLE IF NOT EXISTS sent ("
                   "key TEXT NOT NULL UNIQUE, enrollment_id TEXT, sent_at TEXT)")
        db.commit()
        batch = []

        def flush():
            resp = post_json(session, args.url, {"contacts": batch})
            stats["requests"] += 1
            ids = resp.get("enrollment_ids", [])
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for c, eid in zip(batch, ids):
                db.execute("INSERT OR IGNORE INTO sent(key, enrollment_id, sent_at) "
                           "VALUES (?, ?, ?)", (c["email"], eid, now))
            db.commit()
            stats["sent"] += len(batch)
            batch.clear()

        with open(args.csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                stats["rows"] += 1
                email = row["email"].strip().lower()
                if not EMAIL_RE.match(email):
                    stats["invalid"] += 1
                    if rej_writer:
                        rej_writer.writerow([stats["rows"], row["email"], "invalid email"])
                    continue
                if email in seen:
                    stats["dup_in_file"] += 1
                    continue
                seen.add(email)
                if db.execute("SELECT 1 FROM sent WHERE key = ?", (email,)).fetchone():
                    stats["already_sent"] += 1
                    continue
                row["email"] = email
                batch.append(row)
                if len(batch) >= args.batch:
                    flush()
        if batch:
            flush()
        db.close()

    if rejects:
        rejects.close()
    secs = time.perf_counter() - t0
    stats.update({"mode": args.mode, "batch": args.batch if args.mode == "batch" else 1,
                  "session": bool(session), "secs": round(secs, 3),
                  "rows_per_s": round(stats["rows"] / secs, 1),
                  "sent_per_s": round(stats["sent"] / secs, 1)})
    print(json.dumps(stats))


if __name__ == "__main__":
    sys.exit(main())
