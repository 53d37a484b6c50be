"""The console's files and its aggregate over plain HTTP: the headers that make the page safe,
no way out of its folder, and GET /v1/stats's answers and refusals."""

import http.client
import json
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

from hookhost import Connection, HookhostError
from hookhost.eventproc import fire, register, wait

import pytest

HOOK = "staging.new_assembly"


def get(server, path, key=None):
    endpoint = urllib.parse.urlparse(server.endpoint)
    client = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=30)
    headers = {"Authorization": "Bearer " + key} if key else {}
    client.request("GET", path, headers=headers)  # sent as written: no client-side normalising
    response = client.getresponse()
    body = response.read()
    client.close()
    return response, body


def test_the_console_loads_without_a_key_with_strict_headers(server):
    for path, kind in [("/ui", "text/html"), ("/ui/", "text/html"), ("/ui/index.html", "text/html"),
                       ("/ui/app.js", "text/javascript"), ("/ui/console.css", "text/css"),
                       ("/ui/favicon.svg", "image/svg+xml")]:
        response, body = get(server, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith(kind), path
        policy = response.getheader("Content-Security-Policy")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        assert body, path
    _, page = get(server, "/ui")
    assert b"<script type=\"module\" src=\"/ui/app.js\">" in page
    assert b"<style" not in page and b" style=" not in page and b"onclick" not in page


@pytest.mark.parametrize("path", [
    "/ui/..", "/ui/../", "/ui/../hookhost.json", "/ui/%2e%2e", "/ui/%2e%2e/", "/ui/%2E%2E%2Fhookhost.json",
    "/ui/..%2fhookhost.json", "/ui/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/ui/....//etc/passwd", "/ui/..%5chookhost.json",
    "/ui/.hidden.js", "/ui/missing.js", "/ui/app.JS", "/ui/sub/app.js", "/ui//etc/passwd"])
def test_no_path_leaves_the_console_folder(server, path):
    response, body = get(server, path)
    assert response.status == 404, path
    assert json.loads(body)["error"]["code"] == "not_found"


def ended_job(conn, publisher, name, tag, handler):
    register(conn, name, HOOK, "", "", tags=[tag])(handler)
    fired = fire(publisher, HOOK, {"genome": "g", "database": "d"}, tags=[tag])
    [job_id] = [j["job_id"] for j in fired["jobs"] if j["handler"] == name]
    return wait(conn, job_id, timeout=60)


def succeeds(ctx, **payload):
    return "ok"


def fails(ctx, **payload):
    raise RuntimeError("no")


def totals(answer):
    return {key: sum(b[key] for b in answer["buckets"]) for key in ("succeeded", "failed", "timed_out")}


def test_stats_count_what_the_caller_may_list(server):
    alice, bob = (Connection(server.endpoint, server.keys[u]) for u in ("alice", "bob"))
    admin, publisher = (Connection(server.endpoint, server.keys[u]) for u in ("admin", "publisher"))
    tag = "stats-" + uuid.uuid4().hex[:8]
    ok = ended_job(alice, publisher, "stats-ok-" + tag, tag + "-ok", succeeds)
    bad = ended_job(bob, publisher, "stats-bad-" + tag, tag + "-bad", fails)
    assert (ok["state"], bad["state"]) == ("SUCCEEDED", "FAILED")

    mine = alice.request("GET", "/v1/stats", query={"handler_id": str(ok["handler_id"])})
    assert len(mine["buckets"]) in (60, 61)  # the last hour by minute, from a whole minute
    assert totals(mine) == {"succeeded": 1, "failed": 0, "timed_out": 0}
    [filled] = [b for b in mine["buckets"] if b["succeeded"]]
    assert filled["p50_ms"] is not None and 0 <= filled["p50_ms"] <= filled["p95_ms"]
    assert all(b["p50_ms"] is None for b in mine["buckets"] if b is not filled)
    assert set(mine["unfinished"]) >= {"QUEUED", "RUNNING"}
    # Bob's handler is not alice's to read: as in GET /v1/jobs, it is left out, not an error.
    assert totals(alice.request("GET", "/v1/stats", query={"handler_id": str(bad["handler_id"])}))["failed"] == 0
    assert totals(bob.request("GET", "/v1/stats", query={"handler_id": str(bad["handler_id"])}))["failed"] == 1
    everything = totals(admin.request("GET", "/v1/stats", query={"hook": HOOK, "bucket_s": "600"}))
    assert everything["succeeded"] >= 1 and everything["failed"] >= 1


@pytest.mark.parametrize("params, status, code", [
    ({"bucket_s": "0"}, 400, "invalid_bucket_s"), ({"bucket_s": "x"}, 400, "invalid_bucket_s"),
    ({"bucket_s": "86401"}, 400, "invalid_bucket_s"), ({"handler_id": "-3"}, 400, "invalid_handler_id"),
    ({"since": "yesterday"}, 400, "invalid_since"), ({"hook": "no.such.hook"}, 404, "unknown_hook"),
    ({"since": "2999-01-01T00:00:00Z"}, 422, "invalid_since"),
    ({"since": "2020-01-01T00:00:00Z", "bucket_s": "60"}, 422, "invalid_range")])
def test_stats_refuse_bad_parameters(server, params, status, code):
    alice = Connection(server.endpoint, server.keys["alice"])
    with pytest.raises(HookhostError) as refused:
        alice.request("GET", "/v1/stats", query=params)
    assert (refused.value.status, refused.value.code) == (status, code)


def test_stats_need_a_key_and_take_a_range(server):
    response, body = get(server, "/v1/stats")
    assert response.status == 401 and json.loads(body)["error"]["code"]
    since = (datetime.now(timezone.utc) - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    alice = Connection(server.endpoint, server.keys["alice"])
    answer = alice.request("GET", "/v1/stats", query={"since": since, "bucket_s": "3600"})
    assert len(answer["buckets"]) in (5, 6)
    assert alice.request("GET", "/v1/me")["role"] == "user"
