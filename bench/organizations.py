"""What the benchmarks share to set up a running `quill serve`: organizations and source plugins."""
import json
import subprocess

import requests


def create_organization(quill, data_dir, name):
    """Creates an organization with `quill organization create`; returns its project token and personal key."""
    created = subprocess.run([quill, "organization", "create", name, "--data-dir", data_dir],
                             capture_output=True, text=True, check=True).stdout
    token = next(line.split()[-1] for line in created.splitlines() if "Project API key" in line)
    key = next(line.split()[-1] for line in created.splitlines() if "Personal API key" in line)
    return token, key


def install(base, key, name, source, enabled=True):
    """Installs a source plugin in the key's project and returns its config's id."""
    headers = {"Authorization": f"Bearer {key}"}
    plugin = requests.post(f"{base}/api/organizations/@current/plugins/", headers=headers, json={
        "plugin_type": "source", "source": {"plugin.json": json.dumps({"name": name}), "index.js": source}})
    plugin.raise_for_status()
    config = requests.post(f"{base}/api/projects/@current/plugin_configs/", headers=headers,
                           json={"plugin": plugin.json()["id"], "enabled": enabled})
    config.raise_for_status()
    return config.json()["id"]
