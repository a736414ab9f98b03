"""Writes realistic PostHog events, one JSON object a line, the same for the same --count and --seed.

About a kilobyte each: web events from posthog-js ($current_url with utm_* and click ids, $browser, $os,
$set person properties, nested objects) and server-side events that carry only a $useragent, some of them
orders with an amount and a currency. Used by the VM-stage and end-to-end benchmarks.
"""
import argparse
import json
import random

BROWSERS = [
    ("Chrome", "124.0.6367.91", "Mac OS X",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36"),
    ("Firefox", "125.0", "Windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    ("Mobile Safari", "17.4", "iOS",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
    ("Chrome", "123.0.6312.118", "Android",
     "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.118 Mobile Safari/537.36"),
]
PATHS = ["/", "/pricing/", "/docs/getting-started", "/blog/2024/05/launch-week/", "/Signup", "/app/projects/42/insights"]
WEB_EVENTS = ["$pageview", "$autocapture", "$pageleave", "clicked signup button", "Viewed Pricing Page"]
SERVER_EVENTS = ["order completed", "subscription renewed", "user signed up", "invoice.paid", "APIKeyCreated"]
CURRENCIES = ["USD", "eur", "GBP", "jpy", "CHF"]


def event(rng, n, with_uuid=True):
    user = f"user-{rng.randrange(5000)}"
    timestamp = f"2024-05-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}.{n % 1000:03d}Z"
    browser, version, os_name, agent = rng.choice(BROWSERS)
    path = rng.choice(PATHS)
    host = rng.choice(["https://Www.Example.com", "https://app.example.com:443", "http://example.org"])
    query = f"?utm_source=newsletter&utm_medium=email&utm_campaign=spring-{n % 9}&ref={rng.randrange(100)}&gclid=Cj0KCQjw{n:08x}"
    properties = {
        "$lib": "web", "$lib_version": "1.130.2", "$useragent": agent,
        "$current_url": host + path + query, "$pathname": path, "$host": host.split("//")[1],
        "$referrer": rng.choice(["$direct", "https://www.google.com/", "https://news.ycombinator.com/item?id=40"]),
        "$screen_height": 1080, "$screen_width": 1920, "$viewport_height": 960, "$viewport_width": 1800,
        "$session_id": f"018f{n:012x}", "$window_id": f"018f{n + 1:012x}", "$device_id": f"018e{rng.randrange(1 << 40):012x}",
        "utm_source": "newsletter", "utm_campaign": f"spring-{n % 9}", "email": f"{user}@example.com",
        "plan": {"name": rng.choice(["free", "team", "enterprise"]), "seats": rng.randrange(1, 50), "trial": n % 3 == 0},
        "experiments": [{"key": "new-onboarding", "variant": rng.choice(["control", "test"])}],
        "$set": {"email": f"{user}@example.com", "company": {"name": "Acme", "size": "51-200"}},
        "$set_once": {"$initial_referrer": "$direct", "$initial_current_url": host + "/"},
    }
    if rng.random() < 0.5:
        name = rng.choice(WEB_EVENTS)
        properties.update({"$browser": browser, "$browser_version": version, "$os": os_name, "$device_type": "Desktop"})
    else:
        name = rng.choice(SERVER_EVENTS)
        properties["$lib"] = "posthog-python"
        if name == "order completed":
            properties.update({"amount": round(rng.uniform(5, 500), 2), "currency": rng.choice(CURRENCIES)})
    result = {"event": name, "distinct_id": user, "timestamp": timestamp, "ip": f"203.0.113.{n % 250}", "properties": properties}
    if with_uuid:
        result["uuid"] = f"018f0000-0000-7000-8000-{n:012x}"
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    parser.add_argument("--without-uuid", action="store_true", help="for sending the same events more than once")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w") as file:
        for n in range(args.count):
            file.write(json.dumps(event(rng, n, not args.without_uuid), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
