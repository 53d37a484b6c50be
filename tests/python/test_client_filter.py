"""register(..., filter=...) against the real hookhost server (issue 14, content filters)."""

import copy
import uuid

import pytest

from hookhost import HookhostError
from hookhost.eventproc import fire, list_handlers, register

import seed

HOOK = "ctingress.on_complete"
FAILED_FILE = {"DataSets": {"Success": [False]}}


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def fired_handlers(connect, payload, tag, name):
    """Whether the fire made a job for handler `name` (other tests' untagged handlers run too)."""
    answer = fire(connect("publisher"), HOOK, payload, tags=[tag])
    return [job["handler"] for job in answer["jobs"] if job["handler"] == name]


def test_a_filtered_handler_runs_only_for_matching_payloads(connect):
    conn = connect("alice")
    name, tag = unique("on-failed-file"), unique("tag")
    register(conn, name, HOOK, "a@example.com", "b@example.com", tags=[tag],
             filter=FAILED_FILE)(lambda ctx, **kw: "a file failed")
    [handler] = [h for h in list_handlers(conn, hooks=HOOK) if h.name == name]
    assert handler.filter == FAILED_FILE

    assert fired_handlers(connect, seed.PAYLOAD, tag, name) == [name]
    all_ok = copy.deepcopy(seed.PAYLOAD)
    for data_set in all_ok["DataSets"]:
        data_set["Success"] = True
    assert fired_handlers(connect, all_ok, tag, name) == []


def test_an_unfiltered_handler_lists_no_filter(connect):
    conn = connect("alice")
    name = unique("plain")
    register(conn, name, HOOK, "a@example.com", "b@example.com")(lambda ctx, **kw: "")
    [handler] = [h for h in list_handlers(conn, hooks=HOOK) if h.name == name]
    assert handler.filter is None


def test_a_malformed_filter_is_refused_naming_its_path(connect):
    with pytest.raises(HookhostError) as raised:
        register(connect("alice"), unique("bad"), HOOK, "a@example.com", "b@example.com",
                 filter={"DataSets": {"Success": False}})(lambda ctx, **kw: "")
    assert raised.value.status == 422
    assert raised.value.code == "invalid_filter"
    assert "/DataSets/Success" in raised.value.message
