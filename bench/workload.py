"""The one workload every system in the bench runs: summarise a ctingress.on_complete
payload (counts of ok and failed DataSets, stream count) and return the text.

SOURCE is kept as text so each runner gets the very same function: hookhost pickles it
from a __main__ namespace with dill (so the pickle carries the code, not an import), the
Celery task and the webhook script exec it.
"""

import json
import os

SOURCE = '''
def summarise(DataSets, File, **_):
    ok = sum(1 for d in DataSets if d.get("Success") and not d.get("Error"))
    failed = len(DataSets) - ok
    streams = sum(len(d.get("Streams") or []) for d in DataSets)
    return f"{File}: {len(DataSets)} data sets, {ok} ok, {failed} failed, {streams} streams"


def handler(ctx, **payload):
    return summarise(**payload)
'''

EXPECTED = "comtrade_samples.zip: 2 data sets, 1 ok, 1 failed, 5 streams"

_namespace = {"__name__": "bench_workload"}
exec(SOURCE, _namespace)
summarise = _namespace["summarise"]

SAMPLE_EVENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conf", "examples",
                            "ctingress_sample_event.json")


def sample_payload():
    with open(SAMPLE_EVENT, encoding="utf-8") as f:
        return json.load(f)["payload"]


def pickled_handler(salt=""):
    """base64 of a dill pickle of handler(ctx, **payload); `salt` makes a distinct pickle
    (a new handler's code) without changing what it does."""
    import base64
    import dill

    namespace = {"__name__": "__main__"}
    exec(SOURCE + f"\nSALT = {salt!r}\n", namespace)
    return base64.b64encode(dill.dumps(namespace["handler"], recurse=True)).decode()
