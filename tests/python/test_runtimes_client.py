"""The client's side of interpreter matching (issue 20): register() sends the versions it
pickled with, runtimes() lists what the server offers; against the real server."""

import sys
import uuid

import dill
import pytest

from hookhost import HookhostError
from hookhost.eventproc import register, runtimes
from hookhost.eventproc.runtimes import pickle_versions

HOOK = "ctingress.on_complete"
THIS_PYTHON = "%d.%d" % sys.version_info[:2]


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def test_pickle_versions_name_this_interpreter_and_dill():
    assert pickle_versions() == {"python_version": THIS_PYTHON, "dill_version": dill.__version__}


def test_runtimes_lists_the_sandbox_python_with_its_distributions(connect):
    listed = runtimes(connect("alice"))
    assert [item["version"] for item in listed if item["default"]] == ["3.11"], listed
    default = [item for item in listed if item["default"]][0]
    names = {dist["name"].lower() for dist in default["distributions"]}
    assert "dill" in names, names
    assert default["dill_version"] == dill.__version__


def test_a_handler_registered_with_this_python_runs(connect, server):
    if THIS_PYTHON != "3.11":
        pytest.skip("the server's sandbox python is 3.11; this client runs %s" % THIS_PYTHON)
    conn = connect("alice")
    name = unique("versioned")
    register(conn, name, HOOK, "", "")(lambda ctx, **kw: "fine")
    listed = [h for h in conn.request("GET", "/v1/handlers") if h["name"] == name]
    assert listed and listed[0]["python_version"] == "3.11", listed


def test_a_pickle_of_another_python_is_refused_naming_what_the_server_has(connect):
    conn = connect("alice")
    body = {"name": unique("future"), "hook": HOOK, "runtime": "python",
            "notify_on_success": "", "notify_on_failure": "", "python_version": "3.99",
            "dill_version": dill.__version__, "code": "Y2J1aWx0aW5zCnByaW50Ci4="}
    with pytest.raises(HookhostError) as refused:
        conn.request("POST", "/v1/handlers", body)
    assert refused.value.status == 422
    assert refused.value.code == "python_version_unsupported"
    assert "3.99" in str(refused.value) and "3.11" in str(refused.value)
