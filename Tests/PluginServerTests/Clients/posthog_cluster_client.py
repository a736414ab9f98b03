"""Sends events with PostHog's Python SDK spread over several Quill instances, each distinct_id always to the same
instance and in order, and prints what was sent and what the SDK gave up on, as JSON.

Usage: python3 posthog_cluster_client.py HOST[,HOST…] PROJECT_API_KEY COUNT
"""
import json
import sys

from posthog import Posthog

hosts, api_key, count = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])
failed = []


def gave_up(error, items):
    failed.extend(item.get("uuid") for item in items)


clients = [Posthog(api_key, host=host, flush_at=100, max_retries=10, on_error=gave_up) for host in hosts]
sent = []
for i in range(count):
    instance = i % len(hosts)
    distinct_id = f"user-{instance}-{(i // len(hosts)) % 10}"
    uuid = clients[instance].capture("cluster", distinct_id=distinct_id, properties={"n": i})
    sent.append([uuid, distinct_id, i])
for client in clients:
    client.flush()
    client.shutdown()
print(json.dumps({"sent": sent, "failed": failed}))
