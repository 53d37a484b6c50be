"""rerun, replay, versions and rollback against the real hookhost server (issue 15)."""

import datetime
import uuid

import pytest

from hookhost import HookhostError
from hookhost.eventproc import fire, list_handlers, register, replay, rerun, rollback, versions, wait

import seed

HOOK = "ctingress.on_complete"


def registered(conn, answer, tag, name):
    """Registers (or replaces) a handler tagged `tag` that returns `answer`, or raises when
    `answer` is None; returns its id."""
    @register(conn, name, HOOK, "alice@example.com", "alice@example.com", tags=[tag])
    def handler(ctx, **payload):
        if answer is None:
            raise RuntimeError("the database is down")
        return answer
    return [h for h in list_handlers(conn, hook=HOOK) if h.name == name][0].id


def fire_one(connect, tag, name):
    """The job of handler `name` (handlers of other tests without tags run too)."""
    answer = fire(connect("publisher"), HOOK, seed.PAYLOAD, tags=[tag])
    jobs = [j for j in answer["jobs"] if j["handler"] == name]
    assert len(jobs) == 1, answer
    return jobs[0]["job_id"]


def test_rerun_after_a_fix_succeeds_and_a_pinned_version_runs_the_old_code(connect):
    conn = connect("alice")
    tag, name = uuid.uuid4().hex, "repair-" + uuid.uuid4().hex[:8]
    registered(conn, None, tag, name)
    failed = wait(conn, fire_one(connect, tag, name), timeout=60)
    assert failed["state"] == "FAILED", failed

    handler_id = registered(conn, "fixed", tag, name)
    again = rerun(conn, failed["job_id"])
    assert again["rerun_of"] == failed["job_id"]
    done = wait(conn, again["job_id"], timeout=60)
    assert (done["state"], done["result"]) == ("SUCCEEDED", "fixed")

    pinned = wait(conn, rerun(conn, failed["job_id"], version=1)["job_id"], timeout=60)
    assert pinned["state"] == "FAILED" and pinned["handler_version"] == 1, pinned

    with pytest.raises(HookhostError) as refused:
        rerun(conn, failed["job_id"], payload={"File": "no data sets"})
    assert refused.value.status == 422
    with pytest.raises(HookhostError) as other:
        rerun(connect("bob"), failed["job_id"])
    assert other.value.status == 403
    assert [v["version"] for v in versions(conn, handler_id)] == [2, 1]


def test_replay_dry_run_then_for_real_and_rollback(connect):
    conn = connect("alice")
    tag, name = uuid.uuid4().hex, "replay-" + uuid.uuid4().hex[:8]
    handler_id = registered(conn, None, tag, name)
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    ids = [fire_one(connect, tag, name) for _ in range(3)]
    for job_id in ids:
        assert wait(conn, job_id, timeout=60)["state"] == "FAILED"
    registered(conn, "replayed", tag, name)

    dry = replay(conn, handler_id=handler_id, since=since, dry_run=True)
    assert dry["count"] == 3 and sorted(j["rerun_of"] for j in dry["jobs"]) == sorted(ids)
    real = replay(conn, handler_id=handler_id, states=["FAILED"], since=since)
    assert real["count"] == 3
    for entry in real["jobs"]:
        assert wait(conn, entry["job_id"], timeout=60)["result"] == "replayed"

    with pytest.raises(HookhostError) as other:
        replay(connect("bob"), handler_id=handler_id)
    assert other.value.status == 403
    with pytest.raises(HookhostError) as hidden:
        versions(connect("bob"), handler_id)
    assert hidden.value.status == 403

    back = rollback(conn, handler_id, 1)
    assert back["version"] == 3
    listed = versions(conn, handler_id)
    assert listed[0]["code_sha256"] == listed[2]["code_sha256"] != listed[1]["code_sha256"]
    assert wait(conn, fire_one(connect, tag, name), timeout=60)["state"] == "FAILED"
    with pytest.raises(HookhostError) as unknown:
        rollback(conn, handler_id, 99)
    assert unknown.value.status == 404
