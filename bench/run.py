"""Runs `make bench`'s benchmarks on release builds and appends their rows to bench/results.md.

- VM stage: example plugins alone and as a chain of three over the same 100,000 events, in Quill's
  runtime (quill-bench vm-stage, one script thread) and in Node's vm (bench/vm_stage_node.mjs).
- End to end: quill serve with a chain of three, /batch requests of 100 events from quill-bench load:
  the highest stored rate (closed loop), then p50/p99 request latency at half of it (open loop).
- Plugin run: `quill plugin run` on 50,000 events with each example plugin, against the Node runner
  (bench/vm_stage_node.mjs --print) doing the same on the same file; CPU of each whole process.
- End to end on PostgreSQL: the same chain and load against one instance on SQLite, one on a throw-away
  PostgreSQL and three sharing it (the load split over the three), in one run: stored events/s and events
  per server CPU-second (all instances together; PostgreSQL's own CPU reported beside it).
- Exports: `quill plugin run --allow-network` on 50,000 events with an `exportEvents` plugin writing to a
  throw-away PostgreSQL (`pg`, multi-row INSERT of jsonb) and to moto's S3 (`aws-sdk`, gzip'd JSON lines),
  batches of 1,000: events/s exported, rows and objects counted back.
- Scale: 1, 100, 1,000 and 10,000 projects with one plugin config each: start-up time, memory, the time
  the first event of an idle project (no VM yet) takes to be stored, and the time a changed config takes
  to show in stored events while events flow.

  python3 bench/run.py [--only vm,run,e2e,e2e-pg,export,scale] [--events 100000]
"""
import argparse
import base64
import datetime
import glob
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time

import requests

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TOKEN, KEY = "phc_bench_project", "phx_bench_personal_key"
HEADERS = {"Authorization": f"Bearer {KEY}"}

# The example plugins with only processEvent and no network, with the configs their tests use.
PLUGINS = {
    "url-normalizer": {"stripParameters": "utm_*, gclid, fbclid, _hsenc"},
    "user-agent-populator": {},
    "property-filter": {"properties": "$ip, email , address.street,card.number.last4,$set.ignored_path, password"},
    "taxonomy-standardizer": {"namingConvention": "snake_case", "keepOriginalName": "Yes"},
    "property-flattener": {},
    "currency-normalizer": {"baseCurrency": "eur", "events": "order completed, refund issued, subscription renewed"},
}
CHAIN = ["url-normalizer", "user-agent-populator", "property-filter"]
CHAIN_NAME = " → ".join(CHAIN)


def machine():
    return f"{platform.machine()}, {os.cpu_count()} cores"


def append_row(benchmark, command, result, load_before):
    # Other work on the machine slows wall-clock figures (less so per-CPU-second ones): say how busy it was.
    row = (f"| {datetime.date.today()} | {machine()} | {benchmark} | `{command}` | {result}; "
           f"load average before the run {load_before:.1f} |")
    print(row, flush=True)
    with open(os.path.join(BENCH, "results.md"), "a") as file:
        file.write(row + "\n")


def run_json(command):
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])


def make_events(path, count, without_uuid=False):
    command = ["python3", os.path.join(BENCH, "make_events.py"), "--count", str(count), "--out", path]
    subprocess.run(command + (["--without-uuid"] if without_uuid else []), check=True)


# MARK: VM stage

def vm_stage(args, work):
    load_before = os.getloadavg()[0]
    events = os.path.join(work, "events.jsonl")
    make_events(events, args.events)

    def compare(names):
        chain = json.dumps([{"directory": os.path.join(ROOT, "examples", n), "config": PLUGINS[n]} for n in names])
        compiled = os.path.join(work, "compiled.json")
        quill = run_json([args.quill_bench, "vm-stage", "--chain", chain, "--events", events, "--export", compiled])
        node = run_json(["node", os.path.join(BENCH, "vm_stage_node.mjs"), "--chain", compiled, "--events", events])
        if quill["failed"] or quill["dropped"] != node["dropped"]:
            raise SystemExit(f"{names}: the runs differ (Quill {quill}, Node {node}); their figures would not compare")
        return quill, node

    def describe(quill, node):
        return (f"Quill {quill['events_per_second']:,.0f} events/s ({quill['events_per_cpu_second']:,.0f} per CPU-second), "
                f"Node {node['events_per_second']:,.0f} ({node['events_per_cpu_second']:,.0f}); "
                f"Quill/Node {quill['events_per_second'] / node['events_per_second']:.2f} "
                f"(per CPU-second {quill['events_per_cpu_second'] / node['events_per_cpu_second']:.2f})")

    quill, node = compare(CHAIN)
    append_row(f"VM stage, chain of three ({CHAIN_NAME}), {args.events:,} events",
               f"python3 bench/run.py --only vm --events {args.events}", describe(quill, node), load_before)
    alone = []
    for name in PLUGINS:
        quill, node = compare([name])
        alone.append(f"{name}: {describe(quill, node)}")
    append_row(f"VM stage, each plugin alone, {args.events:,} events",
               f"python3 bench/run.py --only vm --events {args.events}", "; ".join(alone), load_before)


# MARK: quill plugin run

def process_cpu_seconds(command):
    """Runs `command` with its output thrown away; the CPU-seconds it (and what it waited for) used."""
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(command, stdout=devnull, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}: {errors[-2000:]}")
    return usage.ru_utime + usage.ru_stime


def plugin_run(args, work):
    load_before = os.getloadavg()[0]
    count = 50_000
    events = os.path.join(work, "run-events.jsonl")
    make_events(events, count)
    results = []
    for name, config in PLUGINS.items():
        directory = os.path.join(ROOT, "examples", name)
        compiled = os.path.join(work, f"{name}.json")
        chain = json.dumps([{"directory": directory, "config": config}])
        run_json([args.quill_bench, "vm-stage", "--chain", chain, "--events", events, "--export", compiled])
        options = [option for key, value in config.items() for option in ("--config", f"{key}={value}")]
        quill = process_cpu_seconds([args.quill, "plugin", "run", directory, events] + options)
        node = process_cpu_seconds(
            ["node", os.path.join(BENCH, "vm_stage_node.mjs"), "--chain", compiled, "--events", events, "--warmup", "0", "--print"])
        results.append(f"{name}: Quill {quill:.2f} CPU-s, Node {node:.2f} (Node/Quill {node / quill:.2f})")
    append_row(f"`quill plugin run` against a Node runner, {count:,} events, CPU of the whole process (esbuild included for Quill)",
               "python3 bench/run.py --only run", "; ".join(results), load_before)


# MARK: The server

def cpu_seconds_of(pid, children=False):
    """User plus system CPU time of a process (with its reaped children's, when asked)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """quill serve on 127.0.0.1 with a fresh or given data folder."""

    def __init__(self, quill, data_dir, port=0, **environment):
        # The example plugins are installed from their folders, which the server must allow.
        env = dict(os.environ, QUILL_PROJECT_API_KEY=TOKEN, QUILL_PERSONAL_API_KEY=KEY, LOG_LEVEL="error",
                   QUILL_PLUGIN_FOLDERS=os.path.join(ROOT, "examples"), **environment)
        self.data_dir = data_dir
        self.started = time.monotonic()
        self.process = subprocess.Popen([quill, "serve", "--port", str(port), "--data-dir", data_dir], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.process.stdout:
            if line.startswith("Quill is listening on "):
                self.base = line.split()[-1]
                self.listening = time.monotonic() - self.started
                threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
                return
        raise SystemExit("quill serve did not start")

    def database(self):
        return sqlite3.connect(f"file:{os.path.join(self.data_dir, 'quill.sqlite')}?mode=ro", uri=True, timeout=30)

    def count(self, sql, *parameters):
        with self.database() as db:
            return db.execute(sql, parameters).fetchone()[0]

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far."""
        return cpu_seconds_of(self.process.pid)

    def memory_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def stop(self):
        self.process.terminate()
        self.process.wait()


def install(server, name, order):
    plugin = requests.post(f"{server.base}/api/organizations/@current/plugins/", headers=HEADERS,
                           json={"url": f"file:{os.path.join(ROOT, 'examples', name)}"})
    plugin.raise_for_status()
    config = requests.post(f"{server.base}/api/projects/@current/plugin_configs/", headers=HEADERS,
                           json={"plugin": plugin.json()["id"], "enabled": True, "order": order, "config": PLUGINS[name]})
    config.raise_for_status()
    return config.json()["id"]


# MARK: End to end

def end_to_end(args, work):
    load_before = os.getloadavg()[0]
    events = os.path.join(work, "events-without-uuid.jsonl")
    make_events(events, 20_000, without_uuid=True)
    server = Server(args.quill, os.path.join(work, "e2e"))
    try:
        for order, name in enumerate(CHAIN):
            install(server, name, order)

        def load(requests_count, *options):
            command = [args.quill_bench, "load", "--url", server.base, "--token", TOKEN, "--events", events,
                       "--requests", str(requests_count), *options]
            before = server.count("SELECT count(*) FROM event")
            cpu_before = server.cpu_seconds()
            started = time.monotonic()
            report = run_json(command)
            while server.count("SELECT count(*) FROM event") < before + report["events"]:
                time.sleep(0.05)
            report["stored_events_per_second"] = report["events"] / (time.monotonic() - started)
            # The machine is shared: the server's own CPU time per event says what it needs, whatever else runs.
            report["events_per_server_cpu_second"] = report["events"] / (server.cpu_seconds() - cpu_before)
            return report

        load(100, "--connections", "8")  # warm-up: plugins compiled by JavaScriptCore, SQLite pages cached
        best = max((load(args.e2e_requests, "--connections", str(c)) | {"connections": c} for c in (8, 32)),
                   key=lambda report: report["stored_events_per_second"])
        half = best["stored_events_per_second"] / 2
        paced = load(max(100, int(half * 20 / 100)), "--rate", str(half), "--connections", "256")
    finally:
        server.stop()
    append_row(
        f"end to end, chain of three ({CHAIN_NAME}), /batch of 100 events",
        f"python3 bench/run.py --only e2e --e2e-requests {args.e2e_requests}",
        f"highest stored rate {best['stored_events_per_second']:,.0f} events/s ({best['connections']} connections; "
        f"acknowledged {best['acknowledged_events_per_second']:,.0f} events/s; "
        f"{best['events_per_server_cpu_second']:,.0f} events per server CPU-second); at half of it "
        f"({half:,.0f} events/s for {paced['seconds']:.0f} s, all stored): p50 {paced['p50_ms']:.1f} ms, "
        f"p99 {paced['p99_ms']:.1f} ms; load generator on the same 2 cores", load_before)


# MARK: End to end on PostgreSQL

class Postgres:
    """A throw-away PostgreSQL (Debian's) on 127.0.0.1 with its default durability, as the postgres user when root."""

    def __init__(self, work):
        binaries = max(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]))
        self.folder = tempfile.mkdtemp(prefix="quill-bench-postgres-", dir="/tmp")
        run_as = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(run_as + [f"{binaries}/initdb", "-D", f"{self.folder}/data", "-A", "trust", "-U", "quill", "-E", "UTF8"],
                       check=True, stdout=subprocess.DEVNULL)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            run_as + [f"{binaries}/postgres", "-D", f"{self.folder}/data", "-p", str(self.port), "-k", self.folder,
                      "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.binaries = binaries
        for _ in range(600):
            if subprocess.run([f"{binaries}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                              stdout=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise SystemExit("postgres did not start")

    def create_database(self, name):
        subprocess.run([f"{self.binaries}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "quill", name], check=True)
        return f"postgres://quill@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def count(self, url, sql):
        result = subprocess.run([f"{self.binaries}/psql", "-X", "-A", "-t", url, "-c", sql], check=True,
                                capture_output=True, text=True)
        return int(result.stdout.strip())

    def cpu_seconds(self):
        """The postmaster's CPU with its backends' (reaped when their connections close) and the live backends'."""
        total = cpu_seconds_of(self.process.pid, children=True)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.process.pid:
                        total += cpu_seconds_of(int(entry))
                except (FileNotFoundError, ProcessLookupError):
                    pass
        return total

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def end_to_end_postgres(args, work):
    """Stored events/s and server CPU per event on SQLite, PostgreSQL, and three instances sharing PostgreSQL."""
    load_before = os.getloadavg()[0]
    events = os.path.join(work, "events-without-uuid.jsonl")
    make_events(events, 20_000, without_uuid=True)
    postgres = Postgres(work)
    results = []
    try:
        for label, instances, backend in (("SQLite, 1 instance", 1, "sqlite"), ("PostgreSQL, 1 instance", 1, "postgres"),
                                          ("PostgreSQL, 3 instances", 3, "postgres")):
            url = postgres.create_database(f"bench_{len(results)}") if backend == "postgres" else None
            secret = base64.b64encode(os.urandom(32)).decode()
            environment = {"QUILL_DATABASE_URL": url, "QUILL_SECRET_KEY": secret} if url else {}
            servers = [Server(args.quill, os.path.join(work, f"e2e-{backend}-{len(results)}-{index}"), **environment)
                       for index in range(instances)]
            try:
                for order, name in enumerate(CHAIN):
                    install(servers[0], name, order)
                time.sleep(1)  # the other instances read the new configs (four times a second)

                def stored():
                    if url:
                        return postgres.count(url, "SELECT count(*) FROM event")
                    return servers[0].count("SELECT count(*) FROM event")

                def load(requests_count):
                    before = stored()
                    cpu_before = sum(server.cpu_seconds() for server in servers)
                    database_cpu_before = postgres.cpu_seconds() if url else 0
                    started = time.monotonic()
                    commands = [[args.quill_bench, "load", "--url", server.base, "--token", TOKEN, "--events", events,
                                 "--requests", str(requests_count // instances), "--connections", str(16 // instances)]
                                for server in servers]
                    generators = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for command in commands]
                    reports = [json.loads(generator.communicate()[0]) for generator in generators]
                    sent = sum(report["events"] for report in reports)
                    while stored() < before + sent:
                        time.sleep(0.05)
                    seconds = time.monotonic() - started
                    server_cpu = sum(server.cpu_seconds() for server in servers) - cpu_before
                    database_cpu = (postgres.cpu_seconds() - database_cpu_before) if url else 0
                    return sent / seconds, sent / server_cpu, database_cpu / sent * 1e6

                load(90)  # warm-up
                rate, per_cpu_second, database_us = load(args.e2e_requests)
                results.append(f"{label}: {rate:,.0f} events/s stored, {per_cpu_second:,.0f} events per Quill CPU-second"
                               + (f" (PostgreSQL {database_us:,.0f} µs CPU an event)" if url else ""))
            finally:
                for server in servers:
                    server.stop()
    finally:
        postgres.stop()
    append_row(f"end to end on SQLite and PostgreSQL, chain of three ({CHAIN_NAME}), /batch of 100 events",
               f"python3 bench/run.py --only e2e-pg --e2e-requests {args.e2e_requests}",
               "; ".join(results) + "; Quill, PostgreSQL and the load generators on the same 2 cores", load_before)


# MARK: Exports

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def export_throughput(args, work):
    """Events/s `quill plugin run` exports through exportEvents to PostgreSQL (pg) and to S3 (aws-sdk, on moto)."""
    load_before = os.getloadavg()[0]
    count = 50_000
    events = os.path.join(work, "export-events.jsonl")
    make_events(events, count)
    postgres = Postgres(work)
    moto_port = free_port()
    moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{moto_port}"
    results = []
    try:
        for _ in range(300):
            try:
                requests.put(f"{endpoint}/bench-events", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        database = postgres.create_database("bench_export")
        environment = dict(os.environ, QUILL_FETCH_ALLOW="127.0.0.1")
        plugins = os.path.join(BENCH, "export-plugins")
        for label, plugin, config in (
                ("PostgreSQL (pg)", "postgres-export", [f"databaseUrl={database}"]),
                ("S3 on moto (aws-sdk)", "s3-export", ["bucket=bench-events", f"endpoint={endpoint}"])):
            command = [args.quill, "plugin", "run", os.path.join(plugins, plugin), events, "--allow-network",
                       "--only", "exportEvents", "--export-batch-size", "1000"]
            command += [option for value in config for option in ("--config", value)]
            started = time.monotonic()
            with open(os.devnull, "wb") as devnull:
                process = subprocess.Popen(command, stdout=devnull, stderr=subprocess.PIPE, env=environment)
                _, status, usage = os.wait4(process.pid, 0)
                errors = process.stderr.read().decode(errors="replace")
                process.stderr.close()
            seconds = time.monotonic() - started
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{' '.join(command)} failed: {errors[-2000:]}")
            if plugin == "postgres-export":
                exported = postgres.count(database, "SELECT count(*) FROM posthog_event")
            else:
                listing = requests.get(f"{endpoint}/bench-events?list-type=2", timeout=30).text
                exported = listing.count("<Key>") * 1000
            if exported < count:
                raise SystemExit(f"{label}: {exported} of {count} events arrived")
            results.append(f"{label}: {count / seconds:,.0f} events/s ({seconds:.1f} s, "
                           f"{usage.ru_utime + usage.ru_stime:.1f} CPU-s of quill)")
    finally:
        moto.terminate()
        moto.wait()
        postgres.stop()
    append_row(f"exportEvents through `quill plugin run --allow-network`, {count:,} events in batches of 1,000",
               "python3 bench/run.py --only export", "; ".join(results) + "; destinations on the same 2 cores",
               load_before)


# MARK: Scale in plugin configs

def scale(args, work):
    load_before = os.getloadavg()[0]
    results = []
    for projects in (1, 100, 1000, 10_000):
        data_dir = os.path.join(work, f"scale-{projects}")
        populated = time.monotonic()
        subprocess.run([args.quill_bench, "populate", "--data-dir", data_dir, "--projects", str(projects),
                        "--plugin", os.path.join(ROOT, "examples", "url-normalizer"),
                        "--config", f"stripParameters={PLUGINS['url-normalizer']['stripParameters']}"],
                       check=True, env=dict(os.environ, QUILL_PROJECT_API_KEY=TOKEN, QUILL_PERSONAL_API_KEY=KEY))
        populated = time.monotonic() - populated
        server = Server(args.quill, data_dir)
        try:
            ready, readiness = wait_until_ready(server)
            rss, peak = server.memory_kib()
            first_event = first_event_of_idle_project(server)
            reload_seconds, patch_seconds = reload_while_events_flow(server)
        finally:
            server.stop()
        results.append(f"{projects:,} config{'s' if projects > 1 else ''}: ready ({readiness}) in {ready:.2f} s, RSS {rss / 1024:,.0f} MiB (peak {peak / 1024:,.0f} MiB), "
                       f"an idle project's first event stored after {first_event * 1000:,.0f} ms, "
                       f"changed config in stored events after {reload_seconds * 1000:,.0f} ms (PATCH answered in "
                       f"{patch_seconds * 1000:,.0f} ms); populating took {populated:.0f} s")
    append_row("scale in plugin configs (url-normalizer, one project each)", "python3 bench/run.py --only scale",
               "; ".join(results), load_before)


def wait_until_ready(server):
    """Seconds from launch until /_ready answers 200, and how that was seen; without /_ready, until the last project's
    first event is stored (the pipeline loads every enabled config before it processes any event)."""
    while True:
        try:
            status = requests.get(f"{server.base}/_ready").status_code
        except requests.ConnectionError:
            status = None
        if status == 200:
            return time.monotonic() - server.started, "/_ready"
        if status == 404:
            break
        time.sleep(0.01)
    last_token, last_team = last_project(server)
    requests.post(f"{server.base}/e/", json={"api_key": last_token, "event": "ready?", "distinct_id": "bench"}).raise_for_status()
    while server.count("SELECT count(*) FROM event WHERE team_id = ?", last_team) == 0:
        time.sleep(0.01)
    return time.monotonic() - server.started, "the last project's first event stored"


def last_project(server):
    """The token and team id of the project populated last."""
    with server.database() as db:
        return db.execute("SELECT api_token, id FROM team ORDER BY id DESC LIMIT 1").fetchone()


def first_event_of_idle_project(server):
    """Seconds from sending the last project (idle since start: its plugin has no VM yet) one event until it is
    stored."""
    last_token, last_team = last_project(server)
    started = time.monotonic()
    requests.post(f"{server.base}/e/", json={"api_key": last_token, "event": "first", "distinct_id": "bench"}).raise_for_status()
    while server.count("SELECT count(*) FROM event WHERE team_id = ? AND event = 'first'", last_team) == 0:
        time.sleep(0.002)
    return time.monotonic() - started


def reload_while_events_flow(server):
    """Sends project 1 a batch of 10 events every 10 ms, changes its config to strip `ref` from URLs, and
    returns the seconds until a stored event shows it, and the seconds the PATCH took to answer."""
    flowing = threading.Event()
    flowing.set()

    def send():
        session = requests.Session()
        while flowing.is_set():
            batch = [{"event": "$pageview", "distinct_id": f"user-{i}",
                      "properties": {"$current_url": "https://example.com/?ref=1&utm_source=x"}} for i in range(10)]
            session.post(f"{server.base}/batch/", json={"api_key": TOKEN, "batch": batch}).raise_for_status()
            time.sleep(0.01)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        time.sleep(1)
        config_id = server.count("SELECT id FROM plugin_config WHERE team_id = 1")
        started = time.monotonic()
        requests.patch(f"{server.base}/api/projects/@current/plugin_configs/{config_id}/", headers=HEADERS,
                       json={"config": {"stripParameters": "utm_*, ref"}}).raise_for_status()
        patched = time.monotonic() - started
        newest = ("SELECT json_extract(properties, '$.\"$current_url\"') FROM event WHERE team_id = 1 "
                  "ORDER BY id DESC LIMIT 1")
        while "ref=" in (server.count(newest) or "ref="):
            time.sleep(0.005)
        return time.monotonic() - started, patched
    finally:
        flowing.clear()
        sender.join()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quill", default=os.path.join(ROOT, ".build/release/quill"))
    parser.add_argument("--quill-bench", default=os.path.join(ROOT, ".build/release/quill-bench"))
    parser.add_argument("--only", default="vm,run,e2e,e2e-pg,export,scale")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--e2e-requests", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for name, benchmark in (("vm", vm_stage), ("run", plugin_run), ("e2e", end_to_end), ("e2e-pg", end_to_end_postgres),
                                ("export", export_throughput), ("scale", scale)):
            if name in args.only.split(","):
                benchmark(args, work)


if __name__ == "__main__":
    main()
