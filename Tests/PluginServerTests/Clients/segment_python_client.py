"""Sends one of each Segment call to a Quill server with Segment's own Python library, and prints what it sent as JSON.

Usage: python3 segment_python_client.py HOST WRITE_KEY
"""
import json
import sys
import uuid

from segment.analytics import Client
from segment.analytics.version import VERSION

host, write_key = sys.argv[1], sys.argv[2]
errors = []


def on_error(error, items):
    errors.append(f"{error} ({len(items)} messages)")


# The library queues the calls and sends them as /v1/batch requests; max_retries=0 makes a refusal an error here.
client = Client(write_key, host=host, on_error=on_error, max_retries=0)
web = {
    "ip": "203.0.113.9",
    "page": {"url": "https://shop.example.com/cart?step=2", "path": "/cart", "title": "Cart", "referrer": "https://example.org/"},
    "os": {"name": "Mac OS X", "version": "14.1"},
    "browser": {"name": "Firefox", "version": "120"},
    "device": {"type": "desktop"},
    "screen": {"width": 1920, "height": 1080},
    "timezone": "Europe/Paris",
    "locale": "fr-FR",
}
ids = {name: str(uuid.uuid4()) for name in ["track", "identify", "page", "screen", "group", "alias"]}
client.track("seg-user", "Order Completed", {"revenue": 42.5, "currency": "EUR"}, context=web, message_id=ids["track"])
client.identify("seg-user", {"email": "grace@example.com", "plan": "pro"}, anonymous_id="anon-7", message_id=ids["identify"])
client.page("seg-user", "Shop", "Cart", {"url": "https://shop.example.com/cart?step=2", "path": "/cart", "title": "Cart"}, context=web, message_id=ids["page"])
client.screen("seg-user", "Onboarding", "Welcome", {"step": 1}, context={"os": {"name": "iOS", "version": "17.2"}, "device": {"type": "ios"}}, message_id=ids["screen"])
client.group("seg-user", "acme-inc", {"name": "Acme", "employees": 50}, message_id=ids["group"])
client.alias("anon-7", "seg-user", message_id=ids["alias"])
# A message id that is no UUID is kept as a property.
client.track(anonymous_id="anon-8", event="Anonymous Visit", message_id="not-a-uuid")
client.flush()
client.shutdown()

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"library_version": VERSION, "ids": ids}))
