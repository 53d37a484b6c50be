"""Persistent HTTP connections for hookhost.Connection: one per thread, reused call after call.

A new TCP (and TLS) connection per call costs a connect, a server thread hand-off and, over
TLS, a handshake: more than a small fire itself. So each thread keeps one
http.client.HTTPConnection open (threads never share one: http.client is not thread-safe
and a request/answer pair must not interleave with another's).

When is a request sent again on a fresh connection? Only when it was sent on a kept-alive
socket (one that served an earlier answer; a fresh connection that fails means the server
is down or refused us, and resending would not help) and either
  1. it provably never left: the socket was found closed before sending (the server ended
     an idle connection: http.header_timeout_ms), or sending it failed (the server needs the
     whole request, up to its last body byte, before it acts on it); or
  2. it was sent whole but the socket closed before the first byte of an answer
     (RemoteDisconnected, a reset while waiting), AND sending it twice is harmless: a GET or
     HEAD, or a request the caller marks idempotent (a fire carrying idempotency keys). A
     POST without a key may have been carried out before the connection dropped (a host
     that committed the event and then died), so it is never resent: the caller gets a
     HookhostError that says so. Once any answer byte arrived, nothing is resent.
Each request is tried at most twice.
"""

import http.client
import select
import socket
import ssl
import threading
import weakref

from hookhost.proxies import proxy_for

_SAFE_METHODS = ("GET", "HEAD")
# Failures while waiting for the status line of a request that was sent whole.
_LOST_BEFORE_ANSWER = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


class LostAnswer(Exception):
    """The request was sent whole, the connection closed before any answer, and it is not
    safe to send again. `cause` is the socket error."""

    def __init__(self, cause):
        super().__init__(str(cause))
        self.cause = cause


class KeptAliveConnections:
    """HTTP(S) connections to one server, one per calling thread."""

    def __init__(self, scheme, host, port, ssl_context=None):
        self._scheme = scheme
        self._host = host
        self._port = port
        self._ssl_context = ssl_context if ssl_context is not None or scheme != "https" else ssl.create_default_context()
        self._proxy = proxy_for(scheme, host)
        # Through a proxy, plain HTTP names the whole URL in the request line (and HTTPS
        # tunnels through it with CONNECT, so its requests stay as they are).
        self._target_prefix = ""
        if self._proxy is not None and scheme == "http":
            self._target_prefix = "http://%s" % _host_port(host, port)
        self._local = threading.local()
        # Every thread's connection, so that close() reaches them all; weak, so a finished
        # thread's connection is dropped (and its socket closed) with the thread.
        self._all = weakref.WeakSet()
        self._lock = threading.Lock()

    def send(self, method, target, body, headers, timeout, idempotent=False):
        """Sends one request; returns (status, body bytes). Raises LostAnswer (see the module
        doc) or OSError / http.client.HTTPException when the server cannot be reached."""
        target = self._target_prefix + target
        if self._target_prefix and self._proxy.authorization:
            headers = dict(headers, **{"Proxy-Authorization": self._proxy.authorization})
        for attempt in (1, 2):
            connection = self._connection(timeout)
            reused = connection.sock is not None
            try:
                connection.request(method, target, body=body, headers=headers)
            except (OSError, http.client.HTTPException):
                connection.close()
                if reused and attempt == 1:
                    continue  # rule 1: it did not leave whole, so it was not acted on
                raise
            try:
                response = connection.getresponse()
            except _LOST_BEFORE_ANSWER as error:
                connection.close()
                if reused and attempt == 1 and (idempotent or method in _SAFE_METHODS):
                    continue  # rule 2
                if reused:
                    raise LostAnswer(error) from None
                raise
            except BaseException:
                connection.close()
                raise
            return self._read(connection, response)
        raise AssertionError("unreachable: the second attempt returns or raises")

    def close(self):
        """Closes every thread's connection; the next call opens a new one."""
        with self._lock:
            connections = list(self._all)
        for connection in connections:
            connection.close()

    def _connection(self, timeout):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._new_connection()
            self._local.connection = connection
        if connection.sock is not None and _closed_or_stray(connection.sock):
            connection.close()  # the server ended it while idle (or sent what we never asked for)
        connection.timeout = timeout  # for a connect to come
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _new_connection(self):
        host, port = (self._host, self._port) if self._proxy is None else (self._proxy.host, self._proxy.port)
        if self._scheme == "https":
            connection = _OneWriteHTTPSConnection(host, port, context=self._ssl_context)
            if self._proxy is not None:
                tunnel_headers = {"Proxy-Authorization": self._proxy.authorization} if self._proxy.authorization else None
                connection.set_tunnel(self._host, self._port, headers=tunnel_headers)
        else:
            connection = _OneWriteHTTPConnection(host, port)
        with self._lock:
            self._all.add(connection)
        return connection

    @staticmethod
    def _read(connection, response):
        try:
            data = response.read()
        except BaseException:
            connection.close()
            raise
        # http.client already closed the socket when the server said Connection: close (or
        # answered as HTTP/1.0); the next call then connects anew.
        return response.status, data


def _host_port(host, port):
    host = "[%s]" % host if ":" in host else host  # an IPv6 address
    return host if port is None else "%s:%d" % (host, port)


def _closed_or_stray(sock):
    """True when an idle kept-alive socket is readable: between requests that means the
    server closed it (EOF) or sent something unasked (a 408 on idle); either way it cannot
    carry the next request. select with a zero timeout costs one system call."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _OneWrite:
    """http.client writes a request's header and its body with two send calls: two wake-ups
    of the server thread and two segments for a small fire. This sends them in one.

    It leans on http.client's request buffer (_buffer, what _send_output joins); should that
    change, the stock two-write path runs instead. Sending it whole in one write does not
    weaken the resend rule: an idle socket the server closed is found before sending."""

    def connect(self):
        # A method, not a wrapper stored on the instance: that would be a reference cycle,
        # and a finished thread's connection would stay open until the cycle collector ran.
        super().connect()
        # Should a write still be split (a large body), Nagle's algorithm would hold its
        # tail until the server ACKs the head (delayed ACK: up to 40 ms).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send_output(self, message_body=None, encode_chunked=False):
        buffered = getattr(self, "_buffer", None)
        if not isinstance(message_body, bytes) or encode_chunked or not isinstance(buffered, list):
            return super()._send_output(message_body, encode_chunked)
        buffered.extend((b"", b""))
        request = b"\r\n".join(buffered) + message_body
        del buffered[:]
        self.send(request)
        return None


class _OneWriteHTTPConnection(_OneWrite, http.client.HTTPConnection):
    pass


class _OneWriteHTTPSConnection(_OneWrite, http.client.HTTPSConnection):
    pass
