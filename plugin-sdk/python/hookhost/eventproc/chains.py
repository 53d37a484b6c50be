"""Follow a multi-step flow by its root event: what ran, what each step emitted, and the
state of the whole chain."""


def tree(conn, event_id):
    """the chain of an event: GET /v1/events/{id}/tree

    Returns {"event_id", "hook", "state", "jobs": [{"job_id", "handler", "state", "result",
    "error", "emitted": [tree, ...]}]}. The chain's state is RUNNING while any job in it is
    not finished, FAILED when one failed or timed out, else SUCCEEDED. Jobs of handlers that
    are not yours show their state without result or error.

    Raises
    ------
    HookhostError
        When there is no such event (404) or its chain is not yours to see (403).
    """
    return conn.request("GET", "/v1/events/%d/tree" % int(event_id))
