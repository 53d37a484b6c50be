"""The sandbox's pool settings in the host's config, as a Python handler sees them."""

from hookhost import Connection
from hookhost.eventproc import fire, register, wait

import seed

HOOK = "ctingress.on_complete"


def which_worker(ctx, **kwargs):
    # builtins lives as long as the worker's interpreter: one token per worker process.
    import builtins
    import os
    if not hasattr(builtins, "_hookhost_test_worker"):
        builtins._hookhost_test_worker = os.urandom(8).hex()
    return builtins._hookhost_test_worker


def test_a_worker_is_replaced_after_recycle_after_runs(server_with):
    server = server_with({"HOOKHOST_SANDBOX_RECYCLE_AFTER_RUNS": "2"})
    alice = Connection(server.endpoint, server.keys["alice"])
    publisher = Connection(server.endpoint, server.keys["publisher"])
    register(alice, "which-worker", HOOK, "ok@example.com", "fail@example.com", tags=["recycle"])(which_worker)

    workers = []
    for _ in range(5):  # one at a time, so each run finds the previous run's worker idle
        answer = fire(publisher, HOOK, seed.PAYLOAD, tags=["recycle"])
        done = wait(alice, answer["jobs"][0]["job_id"], timeout=60)
        assert done["state"] == "SUCCEEDED", done
        workers.append(done["result"])

    first, second, third = workers[0], workers[2], workers[4]
    assert workers == [first, first, second, second, third], workers
    assert len({first, second, third}) == 3, workers
