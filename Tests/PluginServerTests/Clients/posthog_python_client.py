"""Sends events to a Quill server with PostHog's own Python SDK and prints their uuids as JSON.

Usage: python3 posthog_python_client.py HOST PROJECT_API_KEY
"""
import json
import sys

import posthog
from posthog import Posthog

host, api_key = sys.argv[1], sys.argv[2]
errors = []


def on_error(error, items):
    errors.append(f"{error} ({len(items)} events)")


def client(**options):
    return Posthog(api_key, host=host, on_error=on_error, max_retries=0, **options)


plain = client()
captured = plain.capture("python signed up", distinct_id="python-user", properties={"plan": "free", "seats": 3})
# The SDK's identify() is gone since posthog-python 6; on the wire an identify is this $identify event.
identified = plain.capture(
    "$identify", distinct_id="python-user", properties={"$set": {"email": "ada@example.com"}, "$anon_distinct_id": "anon-1"}
)
plain.flush()

# A batch of 1,000, gzip-compressed as the SDK can send it, in /batch/ requests of 100.
batched = client(gzip=True, flush_at=100)
batch = [
    batched.capture("python batch event", distinct_id=f"python-batch-{i % 25}", properties={"index": i})
    for i in range(1000)
]
batched.flush()
plain.shutdown()
batched.shutdown()

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"sdk_version": posthog.VERSION, "capture": captured, "identify": identified, "batch": batch}))
