"""The Python client's kept-alive connections against the real server.

What the client holds is read from the kernel (/proc/net/tcp: loopback IPv4 sockets whose
remote end is the server's port), not from the client's own bookkeeping. The module's
server ends idle connections after IDLE_MS (http.header_timeout_ms) so the tests can await
that instead of waiting 5 s.
"""

import threading
import time

import pytest

from hookhost import Connection, HookhostError
from hookhost.eventproc import fire, hooks, list_handlers, register, wait_all

import seed

HOOK = "ctingress.on_complete"

IDLE_MS = 1500
AWAIT_S = 15
TCP_ESTABLISHED, TCP_CLOSE_WAIT = "01", "08"


@pytest.fixture(scope="module")
def idle_server(server_with):
    return server_with({"HOOKHOST_HTTP_HEADER_TIMEOUT_MS": str(IDLE_MS)})


def client_sockets(server_port):
    """{local port: TCP state} of the sockets connected to 127.0.0.1:server_port."""
    sockets = {}
    with open("/proc/net/tcp") as table:
        next(table)
        for row in table:
            fields = row.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if remote == "0100007F:%04X" % server_port:
                sockets[int(local.split(":")[1], 16)] = state
    return sockets


def established(server_port):
    return sorted(port for port, state in client_sockets(server_port).items() if state == TCP_ESTABLISHED)


def port_of(server):
    return int(server.endpoint.rsplit(":", 1)[1])


def await_condition(condition, what):
    deadline = time.monotonic() + AWAIT_S
    while not condition():
        assert time.monotonic() < deadline, "not within %ss: %s" % (AWAIT_S, what)
        time.sleep(0.02)


def register_echo(server, name):
    with Connection(server.endpoint, server.keys["alice"]) as conn:
        @register(conn, name, HOOK, "success@example.com", "failure@example.com", tags=[name])
        def handler(ctx, **payload):
            return "ok"


def test_many_calls_go_over_one_connection(idle_server):
    port = port_of(idle_server)
    with Connection(idle_server.endpoint, idle_server.keys["admin"]) as conn:
        hooks(conn)
        first = established(port)
        assert len(first) == 1
        for _ in range(30):
            hooks(conn)
            list_handlers(conn)
        assert established(port) == first
    await_condition(lambda: not established(port), "close() closes the connection")


def test_a_connection_the_server_closed_while_idle_is_replaced(idle_server):
    register_echo(idle_server, "idle-closed")
    port = port_of(idle_server)
    with Connection(idle_server.endpoint, idle_server.keys["admin"]) as conn:
        fired = [fire(conn, HOOK, seed.PAYLOAD, tags=["idle-closed"])]
        (local,) = established(port)
        await_condition(lambda: client_sockets(port).get(local) == TCP_CLOSE_WAIT,
                        "the server ends the idle connection after %d ms" % IDLE_MS)
        # A POST without a key: resent only because the closed socket was seen before sending.
        fired.append(fire(conn, HOOK, seed.PAYLOAD, tags=["idle-closed"]))
        assert established(port) not in ([], [local])
        ids = [job["job_id"] for event in fired for job in event["jobs"]]
        assert len(ids) == 2
        assert [job["state"] for job in wait_all(conn, ids, timeout=60)] == ["SUCCEEDED"] * 2
        handler = next(h for h in list_handlers(conn) if h.name == "idle-closed")
        jobs = conn.request("GET", "/v1/jobs", query={"handler_id": handler.id, "limit": 100})["jobs"]
        assert len(jobs) == 2  # each fire recorded once: nothing was doubled

        # Again with a POST of another route, and without a body. A request goes out in one
        # write, which a closed socket still takes: only seeing the close before sending
        # keeps it from being lost. The server's answer (409: the job already finished), not
        # "unreachable", shows that it arrived.
        (local,) = established(port)
        await_condition(lambda: client_sockets(port).get(local) == TCP_CLOSE_WAIT, "the idle close")
        with pytest.raises(HookhostError) as refused:
            conn.request("POST", "/v1/jobs/%d/cancel" % ids[0])
        assert refused.value.status == 409


def test_each_thread_has_its_own_connection(idle_server):
    port = port_of(idle_server)
    threads_n, calls = 4, 15
    all_done = threading.Barrier(threads_n + 1, timeout=AWAIT_S)
    answers, errors = [], []

    def caller(conn):
        try:
            answers.append([len(hooks(conn)) for _ in range(calls)])
        except Exception as error:  # noqa: BLE001 (reported by the main thread)
            errors.append(error)
        all_done.wait()  # alive, so its connection stays open while counted
        all_done.wait()

    with Connection(idle_server.endpoint, idle_server.keys["admin"]) as conn:
        threads = [threading.Thread(target=caller, args=(conn,)) for _ in range(threads_n)]
        for thread in threads:
            thread.start()
        all_done.wait()
        try:
            assert not errors
            assert len(established(port)) == threads_n
            assert all(len(counts) == calls and counts[0] > 0 for counts in answers)
        finally:
            all_done.wait()
            for thread in threads:
                thread.join(AWAIT_S)
        # Still inside the with block: not close() but the threads' end closed them.
        await_condition(lambda: not established(port), "a finished thread's connection closes with it")
