"""Many events in one request and many jobs in one wait (issue 22).

    >>> from hookhost.eventproc import fire_many, wait_all
    >>> fired = fire_many(conn, "ctingress.on_complete", payloads)
    >>> jobs = wait_all(conn, [j["job_id"] for event in fired for j in event["jobs"]], timeout=60)
"""

import time

from hookhost.connection import HookhostError

MAX_BATCH = 1000  # what one POST /v1/events and one GET /v1/jobs?ids= take at most
TERMINAL_STATES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")
# Added to a wait's own length for the HTTP timeout of its request, so that the server
# answers (with what is finished) before the client gives up on it.
_ANSWER_MARGIN_S = 10.0


def fire_many(conn, hook, payloads, tags=None, keys=None):
    """fire a hook once per payload, up to 1,000 events per request

    Each request is one transaction on the server: all of its events are recorded, or (one
    invalid payload, a full queue) none of them.

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.
    hook: str
        The hook's name, e.g. 'ctingress.on_complete'.
    payloads: iterable of dict
        One payload per event; each must satisfy the hook's schema.
    tags: list of str, optional
        The tags of every event (see fire()).
    keys: list of str or None, optional
        One idempotency key per payload (None for an element without one); an event whose
        key was fired before, in this call or earlier, is not created again.

    Returns
    -------
    list of dict
        One answer per payload, in order: {"event_id", "jobs": [{"job_id", "handler_id",
        "handler"}]}, plus "duplicate": True for a key fired before.

    Raises
    ------
    HookhostError
        When the server refuses a request. Its `index` is the position in `payloads` of the
        element it refused, when it refused one; the events of earlier requests (of 1,000
        each) stay fired.
    ValueError
        When `keys` is not as long as `payloads`.
    """
    payloads = list(payloads)
    keys = None if keys is None else list(keys)
    if keys is not None and len(keys) != len(payloads):
        raise ValueError("keys: %d given for %d payloads" % (len(keys), len(payloads)))
    tags = list(tags or [])
    fired = []
    for start in range(0, len(payloads), MAX_BATCH):
        batch = []
        for i in range(start, min(start + MAX_BATCH, len(payloads))):
            element = {"hook": hook, "payload": payloads[i], "tags": tags}
            if keys is not None and keys[i] is not None:
                element["key"] = keys[i]
            batch.append(element)
        try:
            # Resending a batch is harmless only when every element is keyed (see fire()).
            answer = conn.request("POST", "/v1/events", batch, idempotent=all("key" in e for e in batch))
        except HookhostError as error:
            if error.index is None:
                raise
            raise HookhostError(error.status, error.code, error.message, start + error.index) from None
        fired.extend(answer["events"])
    return fired


def wait_all(conn, job_ids, timeout=60.0):
    """wait until every job is finished (SUCCEEDED, FAILED, TIMED_OUT or CANCELLED)

    The server answers each call of up to 1,000 jobs once all of them are finished, so
    there is no polling.

    Parameters
    ----------
    conn: Connection
    job_ids: iterable of int
    timeout: float
        Seconds to wait at most, for all of them together.

    Returns
    -------
    list of dict
        The jobs in the order of `job_ids`, each {"job_id", "event_id", "handler_id",
        "handler", "state", "attempt", "result", "error", "created_at", "started_at",
        "finished_at", …} (no history; see job()).

    Raises
    ------
    TimeoutError
        When some are still not finished after `timeout` seconds.
    HookhostError
        404 for ids the server did not answer: no such job, or one the key may not read.
    """
    order = [int(job_id) for job_id in job_ids]
    deadline = time.monotonic() + timeout
    jobs = {}
    pending = list(dict.fromkeys(order))
    unseen = set(pending)
    while pending:
        for start in range(0, len(pending), MAX_BATCH):
            chunk = pending[start:start + MAX_BATCH]
            left = max(0.0, deadline - time.monotonic())
            answer = conn.request("GET", "/v1/jobs",
                                  query={"ids": ",".join(str(i) for i in chunk), "wait": "%.3f" % left},
                                  timeout=left + _ANSWER_MARGIN_S)
            for job in answer["jobs"]:
                jobs[job["job_id"]] = job
                unseen.discard(job["job_id"])
        if unseen:
            raise HookhostError(404, "not_found", "no such job or not yours: %s" % _some(unseen))
        pending = [i for i in pending if jobs[i]["state"] not in TERMINAL_STATES]
        if pending and time.monotonic() >= deadline:
            raise TimeoutError("%d of %d jobs are not finished after %ss, e.g. job %s is %s"
                               % (len(pending), len(jobs), timeout, pending[0], jobs[pending[0]]["state"]))
    return [jobs[i] for i in order]


def _some(ids, shown=10):
    ids = sorted(ids)
    return ", ".join(str(i) for i in ids[:shown]) + (" …" if len(ids) > shown else "")
