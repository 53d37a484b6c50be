"""The hookhost event processing calls. Each takes a hookhost.Connection first."""

import collections
import datetime
import time

from hookhost.connection import HookhostError
from hookhost.eventproc.pickling import pickle_handler
from hookhost.eventproc.runtimes import pickle_versions

Handler = collections.namedtuple(
    "Handler",
    ["id", "name", "hook", "version", "notify_on_success", "notify_on_failure", "tags",
     "created_at", "created_by", "updated_at", "updated_by", "filter"], defaults=(None,))
Handler.__doc__ = """A registered event handler, as list_handlers returns it (a plain namedtuple).

created_at and updated_at are timezone-aware UTC datetimes; filter is the handler's content
filter (a dict) or None."""

TERMINAL_STATES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")


def hooks(conn):
    """list the names of the hooks handlers can be registered for

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.

    Returns
    -------
    list of str
        e.g. ['ctingress.on_complete']
    """
    return [hook["name"] for hook in conn.request("GET", "/v1/hooks") or []]


def register(conn, name, hook, notify_on_success, notify_on_failure, tags=None, *,
             timeout_s=None, max_attempts=None, max_concurrency=None, filter=None,
             coalesce=None):
    """decorator to submit (register) an event handler function

    The function is pickled with dill (closures, lambdas and the notebook helpers it uses
    travel with it) and runs on the server, in a sandbox, as the connection's user, each time
    the hook fires: handler(ctx, **payload). Its return value, as text, is the job's result
    and the body of the success email; an exception fails the job and its traceback goes to
    notify_on_failure. Registering the same hook and name again replaces the handler
    (its version goes up by one). The decorator returns the function.

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.
    name: str
        Friendly name of this event handler for display purposes.
    hook: str
        Name of the hook that this event handler responds to.
    notify_on_success: str
        Email address of user to notify when event handler completes successfully, or an
        http(s):// URL to POST a signed webhook to.
    notify_on_failure: str
        Email address of user to notify when event handler does not complete
        successfully, or an http(s):// URL. When this registration gives the handler its
        first URL, the returned function carries the webhook signing secret as
        ``fn.webhook_secret`` (shown this once; ``None`` otherwise).
    tags: list of str
        Filtering tags that users can choose when identifying handlers to
        execute. An empty list will match all tags.
    timeout_s, max_attempts, max_concurrency: int, optional
        Per-handler limits; the server's defaults when omitted.
    filter: dict, optional
        A content filter (an Amazon EventBridge-style pattern on the payload): the handler
        runs only for events whose payload matches, e.g.
        {"DataSets": {"Success": [False]}} for archives with a failed file. When omitted, a
        replaced handler keeps its filter; see the README's "Content filters".
    coalesce: dict, optional
        Gather events instead of running once per event:
        {"key": ["/genome"], "quiet_s": 30, "max_wait_s": 600, "after_chain": False}.
        Events whose payload values at the key's JSON Pointers are equal join one job, which
        runs once after quiet_s without a new event (at the latest max_wait_s after the
        first; with after_chain, once the other jobs of the events' chains ended), with
        the last payload as arguments and all of them in ctx.events.

    Raises
    ------
    HookhostError
        When the server refuses the registration (unknown hook, bad address, not allowed).
    """
    def decorator(fn):
        body = {
            "name": name,
            "hook": hook,
            "notify_on_success": notify_on_success,
            "notify_on_failure": notify_on_failure,
            "tags": list(tags or []),
            "runtime": "python",
            "code": pickle_handler(fn),
        }
        body.update(pickle_versions())  # the server checks it has this Python
        for key, value in (("timeout_s", timeout_s), ("max_attempts", max_attempts),
                           ("max_concurrency", max_concurrency), ("coalesce", coalesce)):
            if value is not None:
                body[key] = value
        if filter is not None:
            body["filter"] = filter
        answer = conn.request("POST", "/v1/handlers", body) or {}
        # Shown once, when the handler first gets a URL; None otherwise (see README, Webhooks).
        fn.webhook_secret = answer.get("webhook_secret")
        return fn
    return decorator


def list_handlers(conn, hooks=None, hook=None):
    """list registered event handlers, optionally only those of some hooks

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.
    hooks: str or list of str, optional
        Only handlers of these hooks.
    hook: str or list of str, optional
        Same as hooks (the spelling of earlier clients).

    Returns
    -------
    list of Handler
    """
    wanted = []
    for selection in (hooks, hook):
        if isinstance(selection, str):
            wanted.append(selection)
        elif selection:
            wanted.extend(selection)
    answer = conn.request("GET", "/v1/handlers", query=[("hook", h) for h in wanted])
    return [_handler_from(item) for item in answer or []]


def deregister(conn, id):
    """remove a registered event handler

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.
    id: int
        The handler's id (see list_handlers).

    Returns
    -------
    bool
        True once the handler is gone. Raises HookhostError otherwise (404 unknown id,
        403 not yours).
    """
    answer = conn.request("DELETE", "/v1/handlers/%d" % int(id))
    return bool((answer or {}).get("deleted", True))


def fire(conn, hook, payload, tags=None, key=None, wait=None):
    """fire a hook: every matching handler runs as a job

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key (a publisher,
        user or admin).
    hook: str
        The hook's name, e.g. 'ctingress.on_complete'.
    payload: dict
        The event's payload; it must satisfy the hook's schema.
    tags: list of str, optional
        Run only handlers sharing a tag with these (and handlers without tags).
    key: str, optional
        Idempotency key: firing twice with the same key creates the jobs once.
    wait: float, optional
        Seconds the server may hold the answer until every job is finished (?wait=).

    Returns
    -------
    dict
        The server's answer: {"event_id": ..., "jobs": [{"job_id", "handler_id", "handler"}]};
        with `wait`, each job as job() returns it (without history) and "done": whether all
        finished in time.
    """
    body = {"hook": hook, "payload": payload, "tags": list(tags or [])}
    if key is not None:
        body["key"] = key
    # With a key a resent fire is the same event, so a dropped kept-alive connection may resend it.
    if wait is None:
        return conn.request("POST", "/v1/events", body, idempotent=key is not None)
    return conn.request("POST", "/v1/events", body, query={"wait": "%.3f" % wait},
                        timeout=max(conn.timeout, wait + 10.0), idempotent=key is not None)


def job(conn, job_id):
    """one job: its state, result or error, and its history

    Returns
    -------
    dict
        {"job_id", "event_id", "handler_id", "handler_version", "state", "attempt",
        "result", "error", "history", "created_at", "started_at", "finished_at"}
    """
    return conn.request("GET", "/v1/jobs/%d" % int(job_id))


def wait(conn, job_id, timeout=60.0):
    """wait until a job is finished (SUCCEEDED, FAILED, TIMED_OUT or CANCELLED)

    Polls the job with a growing interval (50 ms up to 1 s).

    Parameters
    ----------
    conn: Connection
    job_id: int
    timeout: float
        Seconds to wait at most.

    Returns
    -------
    dict
        The job, as job() returns it, once it is in a final state.

    Raises
    ------
    TimeoutError
        When the job is still running after `timeout` seconds (a WAITING job stays so until
        its callback arrives).
    """
    deadline = time.monotonic() + timeout
    interval = 0.05
    while True:
        current = job(conn, job_id)
        if current.get("state") in TERMINAL_STATES:
            return current
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("job %s is still %s after %ss" % (job_id, current.get("state"), timeout))
        time.sleep(min(interval, left))
        interval = min(interval * 2, 1.0)


def _parse_time(text):
    """RFC 3339 text ('2020-10-21T21:35:20.365664Z') to an aware UTC datetime."""
    if text is None or isinstance(text, datetime.datetime):
        return text
    value = str(text).strip().replace("z", "Z")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    # Trim fractions finer than microseconds, which fromisoformat refuses.
    if "." in value:
        head, rest = value.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = head + "." + (digits + "000000")[:6] + rest
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def _handler_from(item):
    try:
        return Handler(
            id=item["id"], name=item["name"], hook=item["hook"], version=item.get("version"),
            notify_on_success=item.get("notify_on_success"),
            notify_on_failure=item.get("notify_on_failure"), tags=list(item.get("tags") or []),
            created_at=_parse_time(item.get("created_at")), created_by=item.get("created_by"),
            updated_at=_parse_time(item.get("updated_at")), updated_by=item.get("updated_by"),
            filter=item.get("filter"))
    except (KeyError, TypeError, ValueError) as error:
        raise HookhostError(None, "bad_response", "unexpected handler in the answer: %s" % error) from None
