"""Benchmark: does a project whose onEvent always times out slow other projects' ingestion?

Starts `quill serve` (the build given by --quill) on 127.0.0.1 with a 1 s plugin time limit. Project S
(the default project) gets two destination plugins, one whose onEvent returns at once and one whose
onEvent spins until the time limit stops it; S receives a steady stream of events throughout. Project O
(another organization's, whose team shares S's script thread: the worst case) runs a processEvent
plugin and is sent batches of 100 as fast as it takes them. O's rate (events stored per second) is
measured over equal windows:

  healthy, twice   S's onEvent returns at once (the baseline),
  stuck            S's onEvent times out, from the moment it is switched on (its first time-outs included),
  paused, twice    the next windows, once the pause after repeated time-outs governs S's deliveries
                   (S's queue keeps growing meanwhile).

Each window also gives the longest wait of an O batch between its acknowledgement and O's chain: a script
thread held by a time-out shows there first. Prints a Markdown row and appends it to bench/results.md.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

import requests

from organizations import create_organization, install

TOKEN, KEY = "phc_bench_project", "phx_bench_personal_key"
BATCH = 100


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


def set_enabled(base, config_id, enabled):
    requests.patch(f"{base}/api/projects/@current/plugin_configs/{config_id}/",
                   headers={"Authorization": f"Bearer {KEY}"}, json={"enabled": enabled}).raise_for_status()


def send_batch(session, base, token, event, n):
    batch = [{"event": event, "distinct_id": f"user-{(n + i) % 50}", "properties": {"n": n + i}} for i in range(BATCH)]
    session.post(f"{base}/batch/", json={"api_key": token, "batch": batch}).raise_for_status()


def steady_stream(base, stop, per_second):
    """S's traffic: `per_second` events a second in batches, until `stop` is set."""
    session, n, started = requests.Session(), 0, time.monotonic()
    while not stop.is_set():
        send_batch(session, base, TOKEN, "s", n)
        n += BATCH
        time.sleep(max(0.0, started + n / per_second - time.monotonic()))


def window(base, token, tagger, seconds):
    """O sends as fast as it is taken for `seconds`. Returns its events through the chain per second
    (until its processEvent, the Tagger, has seen them all) and the longest any batch waited between
    its acknowledgement and the chain (sampled every 0.1 s)."""
    session, sent, before, started = requests.Session(), 0, tagged(base, tagger), time.monotonic()
    acknowledged, progress, done = [], [], threading.Event()

    def sample():
        while not done.is_set():
            progress.append((time.monotonic(), tagged(base, tagger) - before))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    while time.monotonic() - started < seconds:
        send_batch(session, base, token, "o", sent)
        sent += BATCH
        acknowledged.append((time.monotonic(), sent))
    while not progress or progress[-1][1] < sent:
        time.sleep(0.02)
    done.set()
    sampler.join()
    rate = sent / (progress[-1][0] - started)
    waits = [next(t for t, count in progress if count >= total) - at for at, total in acknowledged]
    return rate, max(waits)


def samples(base, name):
    """The labels and values of one metric family in /metrics."""
    for line in requests.get(f"{base}/metrics").text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line[len(name) + 1:].rsplit("} ", 1)
            yield dict(pair.split("=", 1) for pair in labels.replace('"', "").split(",")), float(value)


def tagged(base, tagger):
    return sum(value for labels, value in samples(base, "quill_plugin_events_total")
               if labels["plugin_config_id"] == str(tagger) and labels["outcome"] == "succeeded")


def timeouts(base):
    return int(sum(value for _, value in samples(base, "quill_plugin_timeouts_total")))


def queued_on_event(base):
    return int(sum(value for labels, value in samples(base, "quill_work_queue_items")
                   if labels["kind"] == "on_event" and labels["status"] == "pending"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quill", default=".build/release/quill")
    parser.add_argument("--window", type=float, default=20, help="seconds per measured window")
    parser.add_argument("--stuck-rate", type=int, default=500, help="S's events per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(args.quill, data_dir)
        stop = threading.Event()
        try:
            create_organization(args.quill, data_dir, "Second")  # team 2: the other script thread
            other_token, other_key = create_organization(args.quill, data_dir, "Bench")  # team 3: S's thread
            tagger = install(base, other_key, "Tagger",
                    "export function processEvent(event) { event.properties.tagged = true; return event }", True)
            healthy = install(base, KEY, "Healthy destination", "export async function onEvent(event) {}", True)
            stuck = install(base, KEY, "Stuck destination", "export function onEvent(event) { while (true) {} }", False)

            stream = threading.Thread(target=steady_stream, args=(base, stop, args.stuck_rate), daemon=True)
            stream.start()
            window(base, other_token, tagger, 3)
            rates = {"healthy": window(base, other_token, tagger, args.window),
                     "healthy again": window(base, other_token, tagger, args.window)}
            set_enabled(base, healthy, False)
            set_enabled(base, stuck, True)
            rates["stuck"] = window(base, other_token, tagger, args.window)
            rates["paused"] = window(base, other_token, tagger, args.window)
            rates["paused again"] = window(base, other_token, tagger, args.window)
            timed_out, backlog = timeouts(base), queued_on_event(base)
        finally:
            stop.set()
            server.terminate()
            server.wait()
    baseline = (rates["healthy"][0] + rates["healthy again"][0]) / 2

    def measured(name):
        rate, wait = rates[name]
        return f"{rate:,.0f} events/s (ratio {rate / baseline:.2f}), waits ≤ {wait:.1f} s"

    row = (f"| {datetime.date.today()} | {platform.machine()}, {os.cpu_count()} cores | onEvent isolation | "
           f"`python3 bench/onevent_isolation.py --quill {args.quill} --window {args.window:g} --stuck-rate {args.stuck_rate}` | "
           f"another project (on the same script thread) beside one sending {args.stuck_rate} events/s, "
           f"{args.window:g} s windows. Healthy onEvent: {measured('healthy')}; {measured('healthy again')}. "
           f"onEvent timing out, first window: {measured('stuck')}; then {measured('paused')}; "
           f"{measured('paused again')}. {timed_out} time-outs, {backlog:,} onEvent items left queued |")
    print(row)
    results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md")
    with open(results, "a") as file:
        file.write(row + "\n")


if __name__ == "__main__":
    sys.exit(main())
