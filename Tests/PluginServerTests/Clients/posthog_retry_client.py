"""Sends events with PostHog's Python SDK, retrying what the server refuses, and prints their uuids as JSON.

Usage: python3 posthog_retry_client.py HOST PROJECT_API_KEY COUNT
"""
import json
import sys

from posthog import Posthog

host, api_key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []
client = Posthog(
    api_key, host=host, flush_at=50, max_retries=10, on_error=lambda error, items: errors.append(f"{error} ({len(items)})"))
uuids = [client.capture("backlog event", distinct_id=f"user-{i % 10}", properties={"index": i}) for i in range(count)]
client.flush()
client.shutdown()
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(json.dumps(uuids))
