"""fire_many, wait_all and fire(wait=) against the real hookhost server (issue 22)."""

import time
import uuid

import pytest

from hookhost import HookhostError
from hookhost.eventproc import fire, fire_many, register, wait_all

import seed

HOOK = "ctingress.on_complete"


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def seed_handler(conn, result="ok"):
    """A sandboxed handler with a tag of its own, so that only the test's events reach it."""
    name, tag = unique("batch-handler"), unique("tag")

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def handler(ctx, **payload):
        return "%s %s" % (result, payload["File"])
    return name, tag


def payload_for(i):
    return dict(seed.PAYLOAD, File="archive-%d.zip" % i)


def job_ids(fired):
    return [j["job_id"] for event in fired for j in event["jobs"]]


def test_fire_many_then_wait_all_runs_every_event(connect):
    name, tag = seed_handler(connect("alice"))
    payloads = [payload_for(i) for i in range(1205)]  # more than one request of 1,000
    fired = fire_many(connect("publisher"), HOOK, payloads, tags=[tag])
    assert len(fired) == len(payloads)
    assert all(len(event["jobs"]) == 1 and event["jobs"][0]["handler"] == name for event in fired)
    ids = job_ids(fired)
    assert len(set(ids)) == len(payloads)

    jobs = wait_all(connect("publisher"), ids, timeout=120)
    assert [j["job_id"] for j in jobs] == ids, "in the order asked for"
    assert all(j["state"] == "SUCCEEDED" for j in jobs), [j for j in jobs if j["state"] != "SUCCEEDED"][:1]
    assert jobs[7]["result"] == "ok archive-7.zip"
    assert jobs[1204]["result"] == "ok archive-1204.zip"


def test_fire_many_refuses_a_bad_payload_by_its_index_and_fires_nothing(connect):
    name, tag = seed_handler(connect("alice"))
    payloads = [payload_for(i) for i in range(5)]
    payloads[3] = {"File": 12}  # fails the hook's schema
    with pytest.raises(HookhostError) as refused:
        fire_many(connect("publisher"), HOOK, payloads, tags=[tag])
    assert refused.value.status == 422
    assert refused.value.index == 3
    from hookhost.eventproc import list_handlers
    handler = [h for h in list_handlers(connect("alice"), HOOK) if h.name == name][0]
    jobs = connect("alice").request("GET", "/v1/jobs", query={"handler_id": handler.id})
    assert jobs["jobs"] == [], "nothing of the refused batch was recorded"

    # The index counts from the first payload, also past the first request of 1,000.
    payloads = [payload_for(i) for i in range(1003)]
    payloads[1001] = {"File": 12}
    with pytest.raises(HookhostError) as later:
        fire_many(connect("publisher"), HOOK, payloads, tags=[tag])
    assert later.value.index == 1001

    with pytest.raises(ValueError):
        fire_many(connect("publisher"), HOOK, [payload_for(0)], keys=["a", "b"])


def test_fire_many_keys_make_one_event_per_key(connect):
    _, tag = seed_handler(connect("alice"))
    key = unique("key")
    fired = fire_many(connect("publisher"), HOOK, [payload_for(0), payload_for(1), payload_for(2)], tags=[tag],
                      keys=[key, None, key])
    assert fired[2]["event_id"] == fired[0]["event_id"]
    assert fired[2].get("duplicate") is True
    assert fired[1]["event_id"] != fired[0]["event_id"]
    again = fire_many(connect("publisher"), HOOK, [payload_for(9)], tags=[tag], keys=[key])
    assert again[0]["event_id"] == fired[0]["event_id"]


def test_wait_all_times_out_and_refuses_ids_it_may_not_read(connect):
    conn = connect("alice")
    name, tag = unique("slow"), unique("tag")

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def slow(ctx, **payload):
        import time as clock
        clock.sleep(3)
        return "slept"

    ids = job_ids(fire_many(connect("publisher"), HOOK, [payload_for(0)], tags=[tag]))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wait_all(conn, ids, timeout=0.5)
    assert time.monotonic() - started < 2.5, "the timeout bounds the wait"
    with pytest.raises(HookhostError) as refused:
        wait_all(connect("bob"), ids, timeout=1)
    assert refused.value.status == 404
    assert wait_all(conn, ids, timeout=30)[0]["result"] == "slept"


def test_fire_with_wait_answers_with_the_finished_jobs(connect):
    name, tag = seed_handler(connect("alice"), result="waited")
    started = time.monotonic()
    answer = fire(connect("publisher"), HOOK, payload_for(5), tags=[tag], wait=30)
    assert time.monotonic() - started < 25
    assert answer["done"] is True, answer
    assert [j["handler"] for j in answer["jobs"]] == [name]
    assert answer["jobs"][0]["state"] == "SUCCEEDED"
    assert answer["jobs"][0]["result"] == "waited archive-5.zip"
