"""Asks a Quill server for feature flags with PostHog's own Python SDK (/flags/?v=4) and prints the answer as JSON.

Usage: python3 posthog_python_flags.py HOST PROJECT_API_KEY
"""
import json
import sys

from posthog import request
from posthog.types import normalize_flags_response, to_flags_and_payloads

host, api_key = sys.argv[1], sys.argv[2]
# Raises the SDK's APIError on any answer but a 200.
answer = request.flags(api_key, host, distinct_id="python-user", groups={}, person_properties={}, max_retries=0)
flags = to_flags_and_payloads(normalize_flags_response(dict(answer)))
print(json.dumps({"answer": answer, "flags": flags}))
