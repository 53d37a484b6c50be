"""Repairing after a failure: re-run a job, replay many, list and roll back handler versions.

    >>> from hookhost.eventproc import rerun, replay, versions, rollback
    >>> rerun(conn, 42)                       # the handler's current version, same payload
    {'job_id': 57, 'rerun_of': 42, ...}
    >>> replay(conn, hook="ctingress.on_complete", since="2026-12-01T00:00:00Z", dry_run=True)
    {'count': 12, 'dry_run': True, 'jobs': [...]}

Only the handler's owner or an admin may do any of these (HookhostError 403 otherwise).
"""

import datetime


def _time(value):
    """RFC 3339 text for a datetime (naive ones are taken as UTC); text passes as is."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def rerun(conn, job_id, version=None, payload=None):
    """run a finished job again: a new job of the same event and handler

    Parameters
    ----------
    conn: Connection
    job_id: int
        The job to run again (it must have ended).
    version: int, optional
        The handler version to run (see versions()); the current one when omitted. Needed
        when the handler was deregistered since.
    payload: dict, optional
        An edited payload, checked against the hook's schema; the job's own when omitted.

    Returns
    -------
    dict
        {"job_id": the new job, "rerun_of": job_id, "handler_id", "handler_version"}
    """
    body = {}
    if version is not None:
        body["version"] = int(version)
    if payload is not None:
        body["payload"] = payload
    return conn.request("POST", "/v1/jobs/%d/rerun" % int(job_id), body)


def replay(conn, hook=None, handler_id=None, states=None, since=None, until=None, limit=None,
           dry_run=False):
    """re-run every finished job that matches, in one transaction

    Parameters
    ----------
    conn: Connection
    hook, handler_id: str, int
        Which jobs: those of a hook and/or of one handler (one of them is required). A user
        replays only jobs of their own handlers.
    states: list of str, optional
        Default ["FAILED", "TIMED_OUT"].
    since, until: datetime or RFC 3339 str, optional
        Jobs created at or after `since` and before `until`.
    limit: int, optional
        At most this many (1..10,000; default 1,000), oldest first.
    dry_run: bool
        List the jobs that would be re-run and create nothing.

    Returns
    -------
    dict
        {"count", "dry_run", "jobs": [{"job_id", "rerun_of", ...}]}
    """
    body = {"dry_run": bool(dry_run)}
    for key, value in (("hook", hook), ("handler_id", handler_id), ("states", states),
                       ("since", _time(since)), ("until", _time(until)), ("limit", limit)):
        if value is not None:
            body[key] = list(value) if key == "states" else value
    return conn.request("POST", "/v1/replay", body)


def versions(conn, handler_id):
    """list a handler's versions, newest first (also after it was deregistered)

    Returns
    -------
    list of dict
        [{"version", "runtime", "code_sha256", "settings", "updated_at", "updated_by"}]; the
        code itself is never returned: compare code_sha256 with
        hashlib.sha256(dill.dumps(fn, recurse=True)).hexdigest().
    """
    return conn.request("GET", "/v1/handlers/%d/versions" % int(handler_id))


def rollback(conn, handler_id, version):
    """make an earlier version's code and settings current again, as a new version

    Returns
    -------
    dict
        The handler as GET /v1/handlers/{id} shows it, at its new version.
    """
    return conn.request("POST", "/v1/handlers/%d/rollback" % int(handler_id),
                        {"version": int(version)})
