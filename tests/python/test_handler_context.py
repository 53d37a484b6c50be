"""Python handlers run by the real host: what `ctx` gives a handler (update, log, emit,
identity) and a handler registered the way a notebook does it (code in __main__)."""

import os
import subprocess
import sys
import textwrap
import uuid

from hookhost.eventproc import fire, job, register, wait

import seed

HOOK = "ctingress.on_complete"
OTHER_HOOK = "staging.new_assembly"
HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.join(HERE, "..", "..", "plugin-sdk", "python")


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def only_job_of(answer, name):
    jobs = [j for j in answer["jobs"] if j["handler"] == name]
    assert len(jobs) == 1, answer
    return jobs[0]["job_id"]


def entries(done, kind):
    return [entry["data"] for entry in done["history"] if entry["kind"] == kind]


def test_context_updates_logs_and_emits_land_in_the_job(connect):
    conn = connect("alice")
    name, follower_name, tag = unique("chatty"), unique("follower"), unique("tag")

    @register(conn, name, HOOK, "", "", tags=[tag])
    def chatty(ctx, File, DataSets, **kwargs):
        ctx.update({"step": "start", "file": File})
        ctx.log.info("looking at %s with %d data sets", File, len(DataSets))
        print("plain stdout from the handler")
        ctx.emit(OTHER_HOOK, {"genome": "homo_sapiens", "database": "hs_core_110"}, tags=[tag])
        ctx.update(step="done")
        return "job %s of event %s on %s as %s" % (ctx.job_id, ctx.event_id, ctx.hook, ctx.user)

    @register(conn, follower_name, OTHER_HOOK, "", "", tags=[tag])
    def follower(ctx, genome, database, **kwargs):
        return "%s in %s, fired by %s" % (genome, database, ctx.hook)

    fired = fire(connect("publisher"), HOOK, seed.PAYLOAD, tags=[tag])
    job_id = only_job_of(fired, name)
    done = wait(conn, job_id, timeout=60)
    assert done["state"] == "SUCCEEDED", done
    assert done["result"] == "job %d of event %d on %s as alice" % (job_id, fired["event_id"], HOOK)
    progress = [update["progress"] for update in entries(done, "UPDATE")]
    assert progress == [{"step": "start", "file": "comtrade_samples.zip"}, {"step": "done"}]
    assert "INFO looking at comtrade_samples.zip with 2 data sets" in done["output"]
    assert "plain stdout from the handler" in done["output"]

    [finish] = entries(done, "FINISH")
    [emitted] = finish["emitted"]
    assert emitted["hook"] == OTHER_HOOK
    event = conn.request("GET", "/v1/events/%d" % emitted["event_id"])
    followed = wait(conn, only_job_of(event, follower_name), timeout=60)
    assert followed["state"] == "SUCCEEDED", followed
    assert followed["result"] == "homo_sapiens in hs_core_110, fired by %s" % OTHER_HOOK


def test_the_trivial_handler_prints_its_payload_into_the_job_output(connect):
    conn = connect("alice")
    name, tag = unique("trivial-handler"), unique("tag")

    @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[tag])
    def trivial(btrdb, *args, **kwargs):
        print(args, kwargs)
        return "completed successfully"

    done = wait(conn, only_job_of(fire(connect("publisher"), HOOK, seed.PAYLOAD, tags=[tag]), name), timeout=60)
    assert done["state"] == "SUCCEEDED", done
    assert "'File': 'comtrade_samples.zip'" in done["output"]
    assert "'RequestID': '0bbcacdb-e7aa-4e01-af88-9ba865ea32bd'" in done["output"]


NOTEBOOK = textwrap.dedent("""
    import sys
    from hookhost import Connection
    from hookhost.eventproc import register

    conn = Connection()  # HOOKHOST_ENDPOINT and HOOKHOST_API_KEY
    THRESHOLD = 1

    def failed_names(datasets):
        return [d["Name"] for d in datasets if not d["Success"]]

    verdict = lambda names: "alert" if len(names) >= THRESHOLD else "fine"

    @register(conn, sys.argv[1], "ctingress.on_complete", "a@example.com", "b@example.com",
              tags=[sys.argv[2]])
    def notebook_handler(ctx, DataSets, File, **kwargs):
        names = failed_names(DataSets)
        return "%s: %d failed, %s" % (File, len(names), verdict(names))

    print("registered", notebook_handler.__name__)
""")


def test_a_notebook_handler_travels_with_its_helpers(server, connect):
    """The code lives in __main__ (a notebook cell, here `python3 -`): the helper function,
    the lambda and the global it reads must all reach the sandbox."""
    name, tag = unique("notebook"), unique("tag")
    env = dict(os.environ, HOOKHOST_ENDPOINT=server.endpoint, HOOKHOST_API_KEY=server.keys["alice"],
               PYTHONPATH=CLIENT_DIR)
    done = subprocess.run([sys.executable, "-", name, tag], input=NOTEBOOK, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "registered notebook_handler"

    fired = fire(connect("publisher"), HOOK, seed.PAYLOAD, tags=[tag])
    finished = wait(connect("alice"), only_job_of(fired, name), timeout=60)
    assert finished["state"] == "SUCCEEDED", finished
    assert finished["result"] == "comtrade_samples.zip: 1 failed, alert"
    assert job(connect("alice"), finished["job_id"])["handler_version"] == 1


def test_a_coalescing_handler_gets_every_gathered_event_in_ctx_events(connect):
    conn = connect("alice")
    name, single = unique("dump"), unique("single")
    genome = unique("genome")

    @register(conn, name, "staging.genome_updated", "", "",
              coalesce={"key": ["/genome"], "quiet_s": 3, "max_wait_s": 60})
    def dump(ctx, genome, step, **kwargs):
        return ",".join(event["payload"]["step"] for event in ctx.events) + " last=" + step

    @register(conn, single, "staging.new_xrefs", "", "")
    def one(ctx, genome, **kwargs):
        (event,) = ctx.events
        return "%s %s %s" % (event["event_id"] == ctx.event_id, event["hook"], event["payload"]["genome"])

    publisher = connect("publisher")
    first = fire(publisher, "staging.genome_updated", {"genome": genome, "database": "d", "step": "genebuild"})
    second = fire(publisher, "staging.genome_updated", {"genome": genome, "database": "d", "step": "xrefs"})
    job_id = only_job_of(first, name)
    assert only_job_of(second, name) == job_id
    done = wait(conn, job_id, timeout=60)
    assert done["state"] == "SUCCEEDED", done
    assert done["result"] == "genebuild,xrefs last=xrefs"

    alone = fire(publisher, "staging.new_xrefs", {"genome": genome, "database": "d"})
    done = wait(conn, only_job_of(alone, single), timeout=60)
    assert done["result"] == "True staging.new_xrefs " + genome, done
