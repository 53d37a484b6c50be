"""Live output against the real host: GET /v1/jobs/{id}/output (text and ?follow=1 Server-Sent
Events) and the client's follow(); the bound on what the host keeps of a job's output."""

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from hookhost import Connection, HookhostError
from hookhost.eventproc import fire, follow, job, register, wait

import seed

HOOK = "ctingress.on_complete"
SMALL_BOUND = 65536


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def ticker(ctx, **kwargs):
    import time
    for i in range(30):
        print("tick %d" % i)
        time.sleep(0.1)
    return "ticked"


def slow_ticker(ctx, **kwargs):
    import time
    for i in range(80):
        print("slow %d" % i)
        time.sleep(0.1)
    return "done"


def flood(ctx, **kwargs):
    line = "x" * 1023
    for _ in range(100 * 1024):  # 100 MiB with the newlines
        print(line)
    ctx.log.info("after the flood")
    print("last line")
    return "flooded"


def fire_one(server_or_connect, handler, tag):
    """Registers `handler` for alice with a fresh tag, fires it; returns (alice, job id)."""
    alice, publisher = server_or_connect("alice"), server_or_connect("publisher")
    name = unique(handler.__name__)
    register(alice, name, HOOK, "", "", tags=[tag])(handler)
    fired = fire(publisher, HOOK, seed.PAYLOAD, tags=[tag])
    [job_id] = [j["job_id"] for j in fired["jobs"] if j["handler"] == name]
    return alice, job_id


def connections_of(server):
    return lambda user: Connection(server.endpoint, server.keys[user])


def output_text(conn, job_id):
    request = urllib.request.Request("%s/v1/jobs/%d/output" % (conn.endpoint, job_id),
                                     headers={"Authorization": "Bearer " + conn.apikey})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        return response.read().decode("utf-8")


def raw_follower(conn, job_id):
    """An event-stream connection whose response headers were read."""
    endpoint = urllib.parse.urlparse(conn.endpoint)
    client = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=30)
    client.request("GET", "/v1/jobs/%d/output?follow=1" % job_id,
                   headers={"Authorization": "Bearer " + conn.apikey})
    return client, client.getresponse()


def read_first_output(response):
    for _ in range(1000):
        line = response.readline().decode("utf-8")
        assert line, "the stream ended before any output"
        if line.startswith("event: output"):
            return response.readline().decode("utf-8")
    raise AssertionError("no output event in 1000 lines")


def test_a_running_handler_is_followed_live(connect):
    alice, job_id = fire_one(connect, ticker, unique("live"))
    end = {}
    lines = follow(alice, job_id, end=end)
    first = next(lines)
    assert job(alice, job_id)["state"] == "RUNNING"  # the first line came before the end
    assert first == "tick 0"
    assert [first] + list(lines) == ["tick %d" % i for i in range(30)]
    assert end == {"state": "SUCCEEDED"}

    done = job(alice, job_id)
    assert done["output"] == "".join("tick %d\n" % i for i in range(30))
    assert output_text(alice, job_id) == done["output"]


def test_a_finished_job_is_followed_from_its_stored_output(connect):
    alice, job_id = fire_one(connect, ticker, unique("finished"))
    assert wait(alice, job_id, timeout=60)["state"] == "SUCCEEDED"
    end = {}
    assert list(follow(alice, job_id, end=end)) == ["tick %d" % i for i in range(30)]
    assert end == {"state": "SUCCEEDED"}


def test_only_who_may_see_the_job_follows_it(connect, server):
    alice, job_id = fire_one(connect, ticker, unique("private"))
    with pytest.raises(HookhostError) as refused:
        list(follow(connect("bob"), job_id))
    assert refused.value.status == 403 and refused.value.code == "forbidden"
    with pytest.raises(HookhostError) as missing:
        list(follow(alice, 987654321))
    assert missing.value.status == 404 and missing.value.code == "job_not_found"
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen("%s/v1/jobs/%d/output?follow=1" % (server.endpoint, job_id), timeout=30)
    assert anonymous.value.code == 401
    with pytest.raises(HookhostError) as bad:
        alice.request("GET", "/v1/jobs/%d/output" % job_id, query={"follow": "maybe"})
    assert bad.value.status == 400 and bad.value.code == "invalid_follow"
    # The admin and the publisher who fired the event may follow it.
    assert wait(alice, job_id, timeout=60)["state"] == "SUCCEEDED"
    assert len(list(follow(connect("admin"), job_id))) == 30
    assert len(list(follow(connect("publisher"), job_id))) == 30


def test_a_follower_that_leaves_frees_its_place_and_others_are_still_served(server_with):
    server = server_with({"HOOKHOST_HTTP_MAX_FOLLOWERS": "2"})
    alice, job_id = fire_one(connections_of(server), slow_ticker, unique("leaving"))
    leaving, leaving_response = raw_follower(alice, job_id)
    assert leaving_response.status == 200
    assert leaving_response.headers["Content-Type"] == "text/event-stream"
    assert read_first_output(leaving_response).startswith("data: slow ")

    end = {}
    staying = follow(alice, job_id, end=end)
    seen = [next(staying)]
    with pytest.raises(HookhostError) as full:
        next(follow(alice, job_id))
    assert full.value.status == 503 and full.value.code == "too_many_followers"

    leaving_response.close()  # the response holds the socket open too
    leaving.close()
    deadline = time.monotonic() + 10
    while True:  # the host notices the closed connection within about a second
        try:
            late = follow(alice, job_id)
            assert next(late).startswith("slow ")
            late.close()
            break
        except HookhostError as error:
            assert error.code == "too_many_followers"
            assert time.monotonic() < deadline, "the leaving follower's place was not freed"
            time.sleep(0.2)
    assert job(alice, job_id)["state"] == "RUNNING"

    seen += list(staying)
    assert seen == ["slow %d" % i for i in range(int(seen[0].split()[1]), 80)]
    assert end == {"state": "SUCCEEDED"}


def rss_kib(pid, field):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


def test_the_output_bound_holds_for_a_handler_printing_100_mib(server_with):
    server = server_with({"HOOKHOST_SANDBOX_OUTPUT_MAX_BYTES": str(SMALL_BOUND)})
    pid = server.process.pid
    before = rss_kib(pid, "VmRSS")
    alice, job_id = fire_one(connections_of(server), flood, unique("flood"))
    end = {}
    followed = list(follow(alice, job_id, end=end))
    assert end == {"state": "SUCCEEDED"}
    assert followed[-2:] == ["INFO after the flood", "last line"]

    done = wait(alice, job_id, timeout=120)
    assert done["state"] == "SUCCEEDED", done["error"]
    kept = done["output"]
    marker, _, rest = kept.partition("\n")
    assert marker.startswith("[output cut: the first ") and marker.endswith(" bytes were dropped]")
    assert len(rest.encode("utf-8")) <= SMALL_BOUND
    assert rest.endswith("x" * 1023 + "\nINFO after the flood\nlast line\n")
    assert output_text(alice, job_id) == kept
    # 100 MiB went through the host; its peak resident size grew by far less.
    grown_mib = (rss_kib(pid, "VmHWM") - before) / 1024
    assert grown_mib < 40, "the host grew by %.1f MiB" % grown_mib


def test_a_follower_is_served_until_the_follow_timeout(server_with):
    server = server_with({"HOOKHOST_HTTP_FOLLOW_TIMEOUT": "1s"})
    alice, job_id = fire_one(connections_of(server), slow_ticker, unique("timeout"))
    end = {}
    started = time.monotonic()
    lines = list(follow(alice, job_id, end=end))
    assert end == {"state": "RUNNING", "timed_out": True}
    assert time.monotonic() - started < 5
    # What came before the timeout (nothing, while the worker still starts) is in order.
    assert lines == ["slow %d" % i for i in range(len(lines))]
    assert job(alice, job_id)["state"] == "RUNNING"
