"""When the Python client resends a request on a new connection, and when it must not.

The real server closes idle connections only between requests, which cannot show a request
lost after it was sent; this raw loopback stub can: it answers the first request of each
connection and, told so, reads the next one whole and hangs up without answering (a host
that died after it acted). It counts connections and requests so a doubled POST shows.
It also stands in for an HTTP proxy, which the client uses as urllib did.
"""

import json
import socket
import threading

import pytest

from hookhost import Connection, HookhostError
from hookhost.eventproc import fire, hooks

READ_TIMEOUT_S = 10


class DroppingStub:
    def __init__(self, drop=2, close_header=False):
        self.drop = drop  # which request of each connection is read and not answered (None: none)
        self.close_header = close_header
        self.connections = 0
        self.requests = []  # (method, path, body, headers) in arrival order
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed at the end of the test
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with client, client.makefile("rb") as reader:
            client.settimeout(READ_TIMEOUT_S)
            for number in (1, 2):
                request = _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                if number == self.drop:
                    return  # read whole, never answered
                body = json.dumps([{"name": "h", "description": "", "payload_schema": {}}]
                                  if request[0] == "GET" else {"event_id": 1, "jobs": []}).encode()
                head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
                if self.close_header:
                    head += "Connection: close\r\n"
                client.sendall(head.encode() + b"\r\n" + body)
                if self.close_header:
                    return

    def close(self):
        self.listener.close()


def _read_request(reader):
    line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode().split(" ", 2)
    headers = {}
    while True:
        header = reader.readline().decode()
        if header in ("\r\n", "\n", ""):
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    return method, path, reader.read(length) if length else b"", headers


@pytest.fixture
def stub_with():
    stubs = []

    def make(**options):
        stubs.append(DroppingStub(**options))
        return stubs[-1]
    yield make
    for stub in stubs:
        stub.close()


def test_a_post_without_key_lost_after_sending_is_not_sent_again(stub_with):
    stub = stub_with()
    with Connection(stub.endpoint, "k") as conn:
        fire(conn, "h", {"n": 1})
        with pytest.raises(HookhostError) as raised:
            fire(conn, "h", {"n": 2})
    assert raised.value.code == "unreachable"
    assert "not sent again" in raised.value.message
    posts = [body for method, _, body, _ in stub.requests if method == "POST"]
    assert [json.loads(body)["payload"]["n"] for body in posts] == [1, 2]  # 2 reached it once
    assert stub.connections == 1


def test_a_keyed_post_lost_after_sending_is_sent_again_once(stub_with):
    stub = stub_with()
    with Connection(stub.endpoint, "k") as conn:
        fire(conn, "h", {"n": 1})
        assert fire(conn, "h", {"n": 2}, key="two") == {"event_id": 1, "jobs": []}
    keys = [json.loads(body).get("key") for method, _, body, _ in stub.requests if method == "POST"]
    assert keys == [None, "two", "two"]
    assert stub.connections == 2


def test_a_get_lost_after_sending_is_sent_again_once(stub_with):
    stub = stub_with()
    with Connection(stub.endpoint, "k") as conn:
        assert hooks(conn) == ["h"]
        assert hooks(conn) == ["h"]
    assert [method for method, _, _, _ in stub.requests] == ["GET", "GET", "GET"]
    assert stub.connections == 2


def test_a_request_lost_on_a_fresh_connection_is_not_sent_again(stub_with):
    stub = stub_with(drop=1)  # a fresh socket that fails says the server is in trouble
    with Connection(stub.endpoint, "k") as conn:
        with pytest.raises(HookhostError) as raised:
            hooks(conn)
    assert raised.value.code == "unreachable"
    assert len(stub.requests) == 1 and stub.connections == 1


def test_connection_close_from_the_server_is_respected(stub_with):
    stub = stub_with(drop=None, close_header=True)
    with Connection(stub.endpoint, "k") as conn:
        for _ in range(3):
            assert hooks(conn) == ["h"]
    assert stub.connections == 3
    assert len(stub.requests) == 3


def test_an_http_proxy_from_the_environment_carries_the_kept_alive_requests(stub_with, monkeypatch):
    proxy = stub_with(drop=None)
    monkeypatch.setenv("http_proxy", "http://user:secret@" + proxy.endpoint)
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with Connection("http://127.0.0.2:9", "k") as conn:  # never contacted: the proxy answers
        assert hooks(conn) == ["h"]
        assert hooks(conn) == ["h"]
    assert [path for _, path, _, _ in proxy.requests] == ["http://127.0.0.2:9/v1/hooks"] * 2
    assert {headers["proxy-authorization"] for _, _, _, headers in proxy.requests} == {"Basic dXNlcjpzZWNyZXQ="}
    assert {headers["host"] for _, _, _, headers in proxy.requests} == {"127.0.0.2:9"}
    assert proxy.connections == 1
