"""Describes this interpreter to the host: run by the host in the sandbox, as a worker, so
that what it lists is what a handler can import there (GET /v1/runtimes).

Speaks the worker protocol (hookhost_worker.py): answers the load with "loaded" and each
run with a result whose text is a JSON object {"version", "full_version", "dill_version",
"executable", "prefix", "distributions": [{"name", "version"}]}. Standard library only.
"""

import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hookhost_worker import Channel  # noqa: E402


def distributions():
    try:
        from importlib import metadata
    except ImportError:  # before 3.8
        return []
    found = {}
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
        except Exception:
            continue
        if name and name.lower() not in found:
            found[name.lower()] = {"name": name, "version": dist.version}
    return sorted(found.values(), key=lambda item: item["name"].lower())


def describe():
    try:
        import dill
        dill_version = dill.__version__
    except Exception:
        dill_version = None
    return {"version": "%d.%d" % sys.version_info[:2], "full_version": platform.python_version(),
            "dill_version": dill_version, "executable": sys.executable, "prefix": sys.prefix,
            "distributions": distributions()}


def main():
    channel = Channel(0, 1)
    message = channel.receive()
    if message is None:
        return 0
    channel.send({"type": "loaded"})
    while channel.receive() is not None:
        channel.send({"type": "result", "status": "succeeded", "result": json.dumps(describe())})
    return 0


if __name__ == "__main__":
    sys.exit(main())
