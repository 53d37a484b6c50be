"""The Python client against the real hookhost server (see conftest.server)."""

import datetime
import uuid

import pytest

from hookhost import HookhostError
from hookhost.eventproc import deregister, fire, hooks, job, list_handlers, register, wait

import seed

HOOK = "ctingress.on_complete"
OTHER_HOOK = "staging.new_assembly"


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def mine(handlers, name):
    return [h for h in handlers if h.name == name]


def test_hooks_lists_the_catalog(connect):
    names = hooks(connect())
    assert HOOK in names
    assert all(isinstance(name, str) for name in names)


def test_register_returns_the_function_and_lists_it(connect):
    conn = connect("alice")
    name = unique("trivial-handler")

    @register(conn, name, HOOK, "success@example.com", "failure@example.com",
              tags=["demo", "anomaly-detection"])
    def trivial(btrdb, *args, **kwargs):
        print(args, kwargs)
        return "completed successfully"

    assert trivial(None) == "completed successfully"  # still the original function
    [handler] = mine(list_handlers(conn), name)
    assert handler.hook == HOOK
    assert handler.tags == ["demo", "anomaly-detection"]
    assert handler.notify_on_success == "success@example.com"
    assert handler.notify_on_failure == "failure@example.com"
    assert handler.created_by == "alice" and handler.updated_by == "alice"
    assert isinstance(handler.created_at, datetime.datetime)
    assert handler.created_at.utcoffset() == datetime.timedelta(0)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - handler.created_at).total_seconds()) < 300


def test_registering_again_replaces_and_bumps_the_version(connect):
    conn = connect("alice")
    name = unique("replaced")
    register(conn, name, HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "one")
    [first] = mine(list_handlers(conn), name)
    register(conn, name, HOOK, "a@example.com", "c@example.com", tags=["x"])(lambda ctx, **kw: "two")
    [second] = mine(list_handlers(conn), name)
    assert second.id == first.id
    assert second.version == first.version + 1
    assert second.notify_on_failure == "c@example.com"
    assert second.tags == ["x"]


def test_list_handlers_filters_by_hooks(connect):
    conn = connect("alice")
    on_complete, on_assembly = unique("on-complete"), unique("on-assembly")
    register(conn, on_complete, HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")
    register(conn, on_assembly, OTHER_HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")

    only_complete = list_handlers(conn, hooks=HOOK)
    assert mine(only_complete, on_complete) and not mine(only_complete, on_assembly)
    assert {h.hook for h in only_complete} == {HOOK}
    as_list = list_handlers(conn, hooks=[OTHER_HOOK])
    assert mine(as_list, on_assembly) and not mine(as_list, on_complete)
    old_spelling = list_handlers(conn, hook=OTHER_HOOK)
    assert [h.id for h in old_spelling] == [h.id for h in as_list]
    both = list_handlers(conn, hooks=[HOOK, OTHER_HOOK])
    assert mine(both, on_complete) and mine(both, on_assembly)


def test_deregister_returns_true_and_the_handler_is_gone(connect):
    conn = connect("alice")
    name = unique("short-lived")
    register(conn, name, HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")
    [handler] = mine(list_handlers(conn), name)
    assert deregister(conn, handler.id) is True
    assert not mine(list_handlers(conn), name)
    with pytest.raises(HookhostError) as raised:
        deregister(conn, handler.id)
    assert raised.value.status == 404


def test_server_errors_carry_status_code_and_message(connect, server):
    from hookhost import Connection
    with pytest.raises(HookhostError) as raised:
        hooks(Connection(server.endpoint, "not-a-key"))
    assert raised.value.status == 401
    assert raised.value.code and raised.value.message

    with pytest.raises(HookhostError) as raised:
        register(connect("alice"), unique("nowhere"), "no.such.hook", "a@example.com",
                 "b@example.com")(lambda ctx, **kw: "")
    assert raised.value.status in (404, 422)
    assert "no.such.hook" in raised.value.message


def test_only_the_owner_may_deregister(connect):
    name = unique("alices")
    register(connect("alice"), name, HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")
    [handler] = mine(list_handlers(connect("alice")), name)
    with pytest.raises(HookhostError) as raised:
        deregister(connect("bob"), handler.id)
    assert raised.value.status == 403
    assert deregister(connect("admin"), handler.id) is True


def fire_and_wait(connect, name, tags):
    answer = fire(connect("publisher"), HOOK, seed.PAYLOAD, tags=tags)
    assert answer["event_id"]
    jobs = [j for j in answer["jobs"] if j["handler"] == name]
    assert len(jobs) == 1, answer
    return wait(connect("alice"), jobs[0]["job_id"], timeout=60)


def test_seed_handler_fired_succeeds_with_its_text(connect):
    conn = connect("alice")
    name = unique("trivial-handler")
    tag = unique("tag")

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def trivial(btrdb, *args, **kwargs):
        print(args, kwargs)
        return "completed successfully"

    done = fire_and_wait(connect, name, [tag])
    assert done["state"] == "SUCCEEDED", done
    assert done["result"] == "completed successfully"
    assert job(conn, done["job_id"])["state"] == "SUCCEEDED"


def test_raising_handler_fails_with_its_traceback(connect):
    conn = connect("alice")
    name = unique("raising-handler")
    tag = unique("tag")

    def check(datasets):
        bad = [d["Name"] for d in datasets if not d["Success"]]
        if bad:
            raise ValueError("%d bad dataset(s)" % len(bad))

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def strict(ctx, DataSets, **kwargs):
        check(DataSets)
        return "all good"

    done = fire_and_wait(connect, name, [tag])
    assert done["state"] == "FAILED", done
    assert "Traceback (most recent call last)" in done["error"]
    assert "in check" in done["error"]
    assert "ValueError: 1 bad dataset(s)" in done["error"]


def test_closures_and_helpers_travel_and_run_as_the_user(connect):
    conn = connect("alice")
    name = unique("closure")
    tag = unique("tag")
    factor = 3
    describe = lambda n: "%d streams" % n  # noqa: E731

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def count(ctx, DataSets, **kwargs):
        streams = sum(len(d["Streams"] or []) for d in DataSets)
        return "%s x%d for %s" % (describe(streams), factor, ctx.user)

    done = fire_and_wait(connect, name, [tag])
    assert done["state"] == "SUCCEEDED", done
    assert done["result"] == "5 streams x3 for alice"


def test_register_with_a_url_returns_the_webhook_secret_once(connect):
    conn = connect("alice")
    name = unique("webhooked")

    @register(conn, name, HOOK, "", "https://hooks.example.com/failed")
    def hooked(ctx, **kwargs):
        return "ok"

    assert hooked.webhook_secret.startswith("whsec_")
    again = register(conn, name, HOOK, "", "https://hooks.example.com/other")(lambda ctx, **kw: "two")
    assert again.webhook_secret is None  # kept, not shown again
    [handler] = mine(list_handlers(conn), name)
    assert handler.notify_on_failure == "https://hooks.example.com/other"
    mailed = register(conn, unique("mailed"), HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")
    assert mailed.webhook_secret is None


def test_register_refuses_a_url_with_credentials(connect):
    conn = connect("alice")
    with pytest.raises(HookhostError) as refused:
        register(conn, unique("creds"), HOOK, "https://user:pw@hooks.example.com/", "")(lambda ctx, **kw: "")
    assert "user name or password" in str(refused.value)
