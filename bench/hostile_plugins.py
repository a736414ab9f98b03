"""Benchmark: what one hostile plugin costs everyone else (issue 13).

Starts `quill serve` (the build given by --quill) on 127.0.0.1 with its default limits (30 s per call,
128 MiB of memory per call) and two projects of two organizations: H, whose plugin misbehaves on events
named `attack`, and V, another organization's project with an ordinary processEvent plugin. V sends one
event at a time and times each from the capture's answer to its row in the events API; health, readiness
and metrics are asked every 200 ms and timed. Two runs:

  looping   H's processEvent loops until the time limit stops it; H sends an `attack` a second. V's
            latency is measured alone first (H idle), then for the same length beside the loop.
  memory    H's processEvent pushes arrays of a million numbers until stopped; H sends five attacks (the
            third disables the config). The server's resident memory is sampled every 50 ms; then it is
            killed (SIGKILL) and started again on the same data, and its peak memory measured anew.

Prints Markdown rows and appends them to bench/results.md.
"""
import argparse
import datetime
import os
import platform
import signal
import statistics
import subprocess
import tempfile
import threading
import time

import requests

from organizations import create_organization, install

TOKEN, KEY = "phc_bench_project", "phx_bench_personal_key"

LOOPING = """
export function processEvent(event) {
  if (event.event === 'attack') { while (true) {} }
  return event
}
"""

MEMORY_BOMB = """
export function processEvent(event) {
  if (event.event === 'attack') { const hoard = []; while (true) hoard.push(new Array(1e6).fill(1)) }
  return event
}
"""

ORDINARY = """
export function processEvent(event) {
  event.properties.seen_by = 'ordinary'
  return event
}
"""


class Server:
    def __init__(self, quill, data_dir, env=None):
        self.quill, self.data_dir = quill, data_dir
        self.env = dict(os.environ, QUILL_PROJECT_API_KEY=TOKEN, QUILL_PERSONAL_API_KEY=KEY, LOG_LEVEL="error",
                        **(env or {}))
        self.start()

    def start(self):
        self.process = subprocess.Popen([self.quill, "serve", "--port", "0", "--data-dir", self.data_dir],
                                        env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.process.stdout:
            if line.startswith("Quill is listening on "):
                threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
                self.base = line.split()[-1]
                return
        raise SystemExit("quill serve did not start")

    def status(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=120)


def victim_latencies(base, token, key, seconds):
    """V's events, one at a time for `seconds`: each from the capture's answer to its stored row."""
    session, latencies, index, deadline = requests.Session(), [], 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        index += 1
        name = f"victim {time.time_ns()} {index}"
        session.post(f"{base}/e/", json={"api_key": token, "event": name, "distinct_id": f"v{index % 7}"}).raise_for_status()
        answered = time.monotonic()
        while True:
            found = session.get(f"{base}/api/projects/@current/events/", params={"event": name},
                                headers={"Authorization": f"Bearer {key}"}).json()["results"]
            if found:
                latencies.append(time.monotonic() - answered)
                break
            time.sleep(0.005)
        time.sleep(0.02)
    return latencies


class Probes(threading.Thread):
    """Health, readiness and metrics every 200 ms; the slowest answer of each."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.stop_flag, self.slowest = base, threading.Event(), {"/_health": 0, "/_ready": 0, "/metrics": 0}

    def run(self):
        session = requests.Session()
        while not self.stop_flag.is_set():
            for path in self.slowest:
                started = time.monotonic()
                session.get(self.base + path, timeout=120)
                self.slowest[path] = max(self.slowest[path], time.monotonic() - started)
            time.sleep(0.2)

    def finish(self):
        self.stop_flag.set()
        self.join()
        return self.slowest


def summary(latencies):
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{len(ordered)} events, p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def looping(quill, seconds):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(quill, data_dir)
        victim_token, victim_key = create_organization(quill, data_dir, "Victim")
        install(server.base, KEY, "looping", LOOPING)
        install(server.base, victim_key, "ordinary", ORDINARY)
        probes = Probes(server.base)
        probes.start()
        alone = victim_latencies(server.base, victim_token, victim_key, seconds)
        stop = threading.Event()

        def attacks():
            session = requests.Session()
            while not stop.is_set():
                session.post(f"{server.base}/e/", json={"api_key": TOKEN, "event": "attack", "distinct_id": "h"})
                stop.wait(1)

        attacker = threading.Thread(target=attacks, daemon=True)
        attacker.start()
        beside = victim_latencies(server.base, victim_token, victim_key, seconds)
        stop.set()
        attacker.join()
        slowest = probes.finish()
        server.stop()
    probes_text = ", ".join(f"{path} {value * 1000:.0f} ms" for path, value in slowest.items())
    return (f"another organization's events alone: {summary(alone)}; beside a processEvent that loops until the "
            f"30 s limit, sent one event a second: {summary(beside)}. Slowest answers throughout: {probes_text}")


def memory(quill):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(quill, data_dir)
        victim_token, victim_key = create_organization(quill, data_dir, "Victim")
        install(server.base, KEY, "memory bomb", MEMORY_BOMB)
        install(server.base, victim_key, "ordinary", ORDINARY)
        samples, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(server.status("VmRSS"))
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        before = server.status("VmRSS")
        for _ in range(5):
            requests.post(f"{server.base}/e/", json={"api_key": TOKEN, "event": "attack", "distinct_id": "h"}).raise_for_status()
            time.sleep(1)
        latencies = victim_latencies(server.base, victim_token, victim_key, 5)
        time.sleep(3)
        stop.set()
        sampler.join()
        after = server.status("VmRSS")
        peak = server.status("VmHWM")
        configs = requests.get(f"{server.base}/api/projects/@current/plugin_configs/",
                               headers={"Authorization": f"Bearer {KEY}"}).json()["results"]
        disabled = not configs[0]["enabled"]
        # A kill while an attack waits in the log: the next start must not bring the bomb back to full size.
        requests.post(f"{server.base}/e/", json={"api_key": TOKEN, "event": "attack", "distinct_id": "h"}).raise_for_status()
        server.kill()
        server.start()
        time.sleep(5)
        restart_peak = server.status("VmHWM")
        server.stop()
    return (f"a processEvent that hoards arrays, five attacks with the 128 MiB limit: resident {before >> 20} MiB "
            f"before, peak {peak >> 20} MiB (sampled max {max(samples) >> 20} MiB), {after >> 20} MiB after; config "
            f"{'disabled after three stops' if disabled else 'still enabled'}; another organization's events meanwhile "
            f"{summary(latencies)}. Killed with an attack in the log and started again: peak {restart_peak >> 20} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quill", default=".build/release/quill")
    parser.add_argument("--seconds", type=float, default=40, help="length of each latency window")
    parser.add_argument("--only", choices=["looping", "memory"])
    arguments = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    if arguments.only in (None, "looping"):
        rows.append(("hostile plugins: a looping processEvent", looping(arguments.quill, arguments.seconds)))
    if arguments.only in (None, "memory"):
        rows.append(("hostile plugins: a memory bomb", memory(arguments.quill)))
    command = "python3 bench/hostile_plugins.py " + " ".join(os.sys.argv[1:])
    with open(os.path.join(os.path.dirname(__file__), "results.md"), "a") as results:
        for name, result in rows:
            row = (f"| {datetime.date.today()} | {platform.machine()}, {os.cpu_count()} cores | {name} | `{command.strip()}` | "
                   f"{result}; load average before the run {load:.1f} |")
            print(row)
            results.write(row + "\n")


if __name__ == "__main__":
    main()
