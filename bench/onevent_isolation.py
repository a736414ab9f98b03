"""Benchmark: does a project whose onEvent always times out slow other projects' ingestion?

Starts `quill serve` (the build given by --quill) on 127.0.0.1 with a 1 s plugin time limit, makes a
second organization, installs in the default project a plugin whose onEvent spins until it is
stopped, and measures the other project's ingestion rate (events stored per second, captured in
batches of 100) alone, then while the first project's onEvent work times out. Prints a Markdown row
and appends it to bench/results.md.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

import requests

TOKEN, KEY = "phc_bench_project", "phx_bench_personal_key"


def start_server(quill, data_dir):
    env = dict(os.environ, QUILL_PROJECT_API_KEY=TOKEN, QUILL_PERSONAL_API_KEY=KEY, QUILL_PLUGIN_TIME_LIMIT="1",
               LOG_LEVEL="error")
    process = subprocess.Popen([quill, "serve", "--port", "0", "--data-dir", data_dir], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        if line.startswith("Quill is listening on "):
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, line.split()[-1]
    raise SystemExit("quill serve did not start")


def stored(base, key, event):
    count, url = 0, f"{base}/api/projects/@current/events/?event={event}&limit=1000"
    while url:
        page = requests.get(url, headers={"Authorization": f"Bearer {key}"}).json()
        count += len(page["results"])
        url = page["next"]
    return count


def send(base, token, event, batches, size=100):
    session = requests.Session()
    for b in range(batches):
        batch = [{"event": event, "distinct_id": f"user-{b % 50}", "properties": {"n": b * size + i}} for i in range(size)]
        response = session.post(f"{base}/batch/", json={"api_key": token, "batch": batch})
        response.raise_for_status()


def ingestion_rate(base, token, key, event, batches):
    """Events of `event` stored per second, from the first request until all are readable."""
    started = time.monotonic()
    send(base, token, event, batches)
    while stored(base, key, event) < batches * 100:
        time.sleep(0.02)
    return batches * 100 / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quill", default=".build/release/quill")
    parser.add_argument("--batches", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(args.quill, data_dir)
        try:
            created = subprocess.run([args.quill, "organization", "create", "Bench", "--data-dir", data_dir],
                                     capture_output=True, text=True, check=True).stdout
            other_token = next(l.split()[-1] for l in created.splitlines() if "Project API key" in l)
            other_key = next(l.split()[-1] for l in created.splitlines() if "Personal API key" in l)
            headers = {"Authorization": f"Bearer {KEY}"}
            plugin = requests.post(f"{base}/api/organizations/@current/plugins/", headers=headers, json={
                "plugin_type": "source",
                "source": {"plugin.json": json.dumps({"name": "Stuck destination"}),
                           "index.js": "export function onEvent(event) { while (true) {} }"}}).json()
            requests.post(f"{base}/api/projects/@current/plugin_configs/", headers=headers,
                          json={"plugin": plugin["id"], "enabled": True}).raise_for_status()

            alone = ingestion_rate(base, other_token, other_key, "alone", args.batches)
            noisy = threading.Thread(target=send, args=(base, TOKEN, "stuck", args.batches))
            noisy.start()
            time.sleep(1)  # the stuck project's onEvent work is queued and timing out
            beside = ingestion_rate(base, other_token, other_key, "beside", args.batches)
            noisy.join()
        finally:
            server.terminate()
            server.wait()
    row = (f"| {datetime.date.today()} | {platform.machine()}, {os.cpu_count()} cores | onEvent isolation | "
           f"`python3 bench/onevent_isolation.py --quill {args.quill} --batches {args.batches}` | "
           f"other project alone: {alone:,.0f} events/s; beside a project whose onEvent times out: {beside:,.0f} events/s; "
           f"ratio {beside / alone:.2f} |")
    print(row)
    results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md")
    if not os.path.exists(results):
        with open(results, "w") as file:
            file.write("# Benchmark results\n\nEach row is one run on this project's machine kind; `make bench` adds rows.\n\n"
                       "| date | machine | benchmark | command | result |\n|---|---|---|---|---|\n")
    with open(results, "a") as file:
        file.write(row + "\n")


if __name__ == "__main__":
    sys.exit(main())
