"""Pure client behaviour against a tiny stub HTTP server on loopback (no hookhost needed)."""

import base64
import http.server
import json
import os
import pydoc
import subprocess
import sys
import textwrap
import threading

import dill
import pytest

import hookhost
from hookhost import Connection, HookhostError
from hookhost.eventproc import (Handler, deregister, fire, hooks, list_handlers, register,
                                wait)


class Stub:
    """Answers each request with the next queued (status, body) and records the requests."""

    def __init__(self):
        self.requests = []
        self.answers = []
        stub = self

        class Handler_(http.server.BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers),
                                      "body": json.loads(body) if body else None})
                status, answer = stub.answers.pop(0) if stub.answers else (200, {})
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler_)
        self.endpoint = "127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub():
    server = Stub()
    yield server
    server.close()


HANDLER_JSON = {
    "id": 3, "name": "sample-73", "hook": "ctingress.on_complete", "version": 0,
    "runtime": "python", "notify_on_success": "success@example.com",
    "notify_on_failure": "failure@example.com", "tags": ["red", "blue"],
    "created_at": "2020-10-21T21:35:20.365664Z", "created_by": "allen",
    "updated_at": "2020-10-21T21:35:20.365664789Z", "updated_by": "allen",
}


def test_connection_falls_back_to_the_environment(stub, monkeypatch):
    monkeypatch.setenv("HOOKHOST_ENDPOINT", stub.endpoint)
    monkeypatch.setenv("HOOKHOST_API_KEY", "C27489F2BFACE794A3")
    conn = Connection()
    assert conn.endpoint == "http://" + stub.endpoint
    stub.answers.append((200, [{"name": "ctingress.on_complete", "description": "",
                                "payload_schema": {}}]))
    assert hooks(conn) == ["ctingress.on_complete"]
    request = stub.requests[0]
    assert request["method"] == "GET" and request["path"] == "/v1/hooks"
    assert request["headers"]["Authorization"] == "Bearer C27489F2BFACE794A3"


def test_explicit_arguments_win_over_the_environment(stub, monkeypatch):
    monkeypatch.setenv("HOOKHOST_ENDPOINT", "http://127.0.0.1:1")
    monkeypatch.setenv("HOOKHOST_API_KEY", "from-env")
    conn = Connection("http://" + stub.endpoint + "/", "explicit")
    assert conn.endpoint == "http://" + stub.endpoint
    hooks(conn)
    assert stub.requests[0]["headers"]["Authorization"] == "Bearer explicit"


def test_connection_without_endpoint_is_an_error(monkeypatch):
    monkeypatch.delenv("HOOKHOST_ENDPOINT", raising=False)
    with pytest.raises(ValueError, match="HOOKHOST_ENDPOINT"):
        Connection()


def test_register_posts_a_dill_pickle_and_returns_the_function(stub):
    conn = Connection(stub.endpoint, "key")
    offset = 10
    square = lambda v: v * v  # noqa: E731

    def make_handler():
        def handler(ctx, n, **kw):
            return square(n) + offset
        return handler

    original = make_handler()
    returned = register(conn, "trivial-handler", "ctingress.on_complete", "s@example.com",
                        "f@example.com", tags=["demo"], timeout_s=30)(original)
    assert returned is original
    body = stub.requests[0]["body"]
    assert stub.requests[0]["method"] == "POST" and stub.requests[0]["path"] == "/v1/handlers"
    assert {k: v for k, v in body.items() if k != "code"} == {
        "name": "trivial-handler", "hook": "ctingress.on_complete",
        "notify_on_success": "s@example.com", "notify_on_failure": "f@example.com",
        "tags": ["demo"], "runtime": "python", "timeout_s": 30,
        "python_version": "%d.%d" % sys.version_info[:2], "dill_version": dill.__version__}
    restored = dill.loads(base64.b64decode(body["code"]))
    assert restored(None, n=4) == 26


def test_helpers_of_an_unimportable_module_travel_by_value(tmp_path):
    # A handler in the author's own module, using a helper and a constant from it: the
    # sandbox cannot import that module, so both must be inside the pickle.
    module_dir = tmp_path / "authors_code"
    module_dir.mkdir()
    (module_dir / "my_handlers.py").write_text(textwrap.dedent("""
        LIMIT = 2
        def helper(items):
            return [i for i in items if i < LIMIT]
        def handler(ctx, items, **kw):
            return helper(items)
    """))
    sys.path.insert(0, str(module_dir))
    try:
        import my_handlers
        from hookhost.eventproc.pickling import pickle_handler
        code = pickle_handler(my_handlers.handler)
        assert my_handlers.handler.__module__ == "my_handlers"  # restored after pickling
    finally:
        sys.path.remove(str(module_dir))
    check = ("import base64, dill, sys\n"
             "fn = dill.loads(base64.b64decode(sys.stdin.read()))\n"
             "print(fn(None, items=[0, 1, 2, 3]))\n")
    done = subprocess.run([sys.executable, "-c", check], input=code, capture_output=True,
                          text=True, timeout=60, cwd=str(tmp_path), env={"PATH": os.defpath})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0, 1]"


def test_list_handlers_parses_handlers_and_filters(stub):
    conn = Connection(stub.endpoint, "key")
    stub.answers.append((200, [HANDLER_JSON]))
    [handler] = list_handlers(conn, hooks=["ctingress.on_complete", "other.hook"])
    assert isinstance(handler, Handler)
    assert handler.id == 3 and handler.name == "sample-73" and handler.tags == ["red", "blue"]
    assert handler.created_at.isoformat() == "2020-10-21T21:35:20.365664+00:00"
    assert handler.updated_at.microsecond == 365664
    assert stub.requests[0]["path"] == "/v1/handlers?hook=ctingress.on_complete&hook=other.hook"
    list_handlers(conn, hook="ctingress.on_complete")
    assert stub.requests[1]["path"] == "/v1/handlers?hook=ctingress.on_complete"
    list_handlers(conn)
    assert stub.requests[2]["path"] == "/v1/handlers"


def test_server_errors_become_hookhost_errors(stub):
    conn = Connection(stub.endpoint, "key")
    stub.answers.append((404, {"error": {"code": "not_found", "message": "no handler 5"}}))
    with pytest.raises(HookhostError) as raised:
        deregister(conn, 5)
    assert (raised.value.status, raised.value.code, raised.value.message) == \
        (404, "not_found", "no handler 5")
    assert "no handler 5" in str(raised.value)
    stub.answers.append((502, b"<html>bad gateway</html>"))
    with pytest.raises(HookhostError) as raised:
        hooks(conn)
    assert (raised.value.status, raised.value.code) == (502, "http_502")


def test_unreachable_server_is_a_hookhost_error():
    with pytest.raises(HookhostError) as raised:
        hooks(Connection("127.0.0.1:1", "key", timeout=5))
    assert raised.value.status is None and raised.value.code == "unreachable"


def test_deregister_and_fire_send_the_contract(stub):
    conn = Connection(stub.endpoint, "key")
    stub.answers.append((200, {"deleted": True}))
    assert deregister(conn, 5) is True
    assert stub.requests[0]["method"] == "DELETE" and stub.requests[0]["path"] == "/v1/handlers/5"
    accepted = {"event_id": 1, "jobs": [{"job_id": 2, "handler_id": 5, "handler": "h"}]}
    stub.answers.append((202, accepted))
    assert fire(conn, "ctingress.on_complete", {"File": "a.zip"}, tags=["demo"], key="k") == accepted
    assert stub.requests[1]["body"] == {"hook": "ctingress.on_complete",
                                        "payload": {"File": "a.zip"}, "tags": ["demo"],
                                        "key": "k"}


def test_wait_polls_until_terminal_and_times_out(stub):
    conn = Connection(stub.endpoint, "key")
    stub.answers.extend([(200, {"job_id": 2, "state": "QUEUED"}),
                         (200, {"job_id": 2, "state": "RUNNING"}),
                         (200, {"job_id": 2, "state": "SUCCEEDED", "result": "ok"})])
    assert wait(conn, 2, timeout=10)["result"] == "ok"
    assert [r["path"] for r in stub.requests] == ["/v1/jobs/2"] * 3
    stub.answers.extend([(200, {"job_id": 2, "state": "RUNNING"})] * 100)
    with pytest.raises(TimeoutError, match="still RUNNING"):
        wait(conn, 2, timeout=0.3)


def test_help_shows_real_docstrings():
    assert "decorator to submit (register) an event handler function" in pydoc.render_doc(register)
    for fn in (hooks, list_handlers, deregister, fire, wait):
        assert fn.__doc__ and "conn" in pydoc.render_doc(fn)
    assert "HOOKHOST_ENDPOINT" in pydoc.render_doc(Connection)
    assert hookhost.__doc__
