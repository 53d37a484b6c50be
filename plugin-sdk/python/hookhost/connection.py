"""The connection to a hookhost server and the error its calls raise."""

import http.client
import json
import os
import urllib.parse

from hookhost.keepalive import KeptAliveConnections, LostAnswer

DEFAULT_TIMEOUT = 30.0


class HookhostError(Exception):
    """A call to the hookhost server failed.

    Attributes
    ----------
    status: int or None
        The HTTP status (None when the server could not be reached).
    code: str
        The server's machine-readable error code, e.g. "not_found" ("unreachable" when the
        server could not be reached, "bad_response" when it answered something that is not
        the JSON the API promises).
    message: str
        The server's human-readable message.
    index: int or None
        For a refused batch (fire_many), the position of the element it was refused for.
    """

    def __init__(self, status, code, message, index=None):
        super().__init__("%s (%s%s)" % (message, code, "" if status is None else ", HTTP %d" % status))
        self.status = status
        self.code = code
        self.message = message
        self.index = index


class Connection:
    """Where the hookhost server is and which API key to use.

    Parameters
    ----------
    endpoint: str, optional
        The server's address, "http://host:port" or just "host:port". Defaults to the
        HOOKHOST_ENDPOINT environment variable.
    apikey: str, optional
        The API key printed by `hookhost user add`. Defaults to the HOOKHOST_API_KEY
        environment variable. Handlers registered through this connection run as the key's
        user.
    timeout: float, optional
        Seconds to wait for each HTTP request (default 30).

    Each thread that calls through a Connection keeps one HTTP connection to the server open
    and reuses it (keep-alive); close() or leaving a `with` block closes them. The server
    lets one client address hold http.max_connections_per_client (32) connections, so call
    from at most that many threads at once; a thread's connection closes when the thread
    ends, and the server closes one idle for http.header_timeout_ms (5 s).

    Raises
    ------
    ValueError
        When no endpoint is given and HOOKHOST_ENDPOINT is not set.
    """

    def __init__(self, endpoint=None, apikey=None, timeout=DEFAULT_TIMEOUT):
        endpoint = endpoint or os.environ.get("HOOKHOST_ENDPOINT")
        if not endpoint:
            raise ValueError("no endpoint: pass one or set HOOKHOST_ENDPOINT")
        if "://" not in endpoint:
            endpoint = "http://" + endpoint
        self.endpoint = endpoint.rstrip("/")
        self.apikey = apikey if apikey is not None else os.environ.get("HOOKHOST_API_KEY")
        self.timeout = timeout
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("endpoint %r: expected http://host:port or https://host:port" % endpoint)
        self._base_path = parts.path
        self._connections = KeptAliveConnections(parts.scheme, parts.hostname, parts.port)
        # The same on every request: built once, copied per call.
        self._headers = {"Accept": "application/json"}
        if self.apikey:
            self._headers["Authorization"] = "Bearer " + self.apikey

    def __repr__(self):
        return "Connection(%r)" % self.endpoint

    def request(self, method, path, body=None, query=None, timeout=None, idempotent=False):
        """Sends one API request and returns the decoded JSON answer (None when empty).

        `query` is a list of (name, value) pairs or a dict; `timeout` replaces the
        connection's for this request (a ?wait= call needs longer than its wait);
        `idempotent` says that sending it twice does no harm (a fire whose events all carry
        keys), so it may be resent when a kept-alive connection drops before the answer
        (see hookhost.keepalive). Raises HookhostError with the server's status, code and
        message on any error answer.
        """
        target = self._base_path + path
        if query:
            target += "?" + urllib.parse.urlencode(query, doseq=True)
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            status, raw = self._connections.send(method, target, data, headers, timeout or self.timeout,
                                                 idempotent=idempotent)
        except LostAnswer as lost:
            raise HookhostError(None, "unreachable",
                                "the connection to %s closed before the answer to %s %s (%s); it was not "
                                "sent again because the server may have acted on it (give a fire a key "
                                "to make resending safe)" % (self.endpoint, method, path, lost.cause)) from None
        except (OSError, http.client.HTTPException) as error:
            raise HookhostError(None, "unreachable", "cannot reach %s: %s" % (self.endpoint, error)) from None
        if status >= 400:
            raise _error_from(status, raw)
        return _decode(status, raw)

    def close(self):
        """Closes the kept-alive connections (every thread's); a later call opens a new one.
        Also what leaving a `with Connection(...) as conn:` block does."""
        self._connections.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _decode(status, raw):
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        raise HookhostError(status, "bad_response",
                            "the server answered something that is not JSON") from None


def _error_from(status, raw):
    try:
        error = json.loads(raw.decode("utf-8"))["error"]
        index = error.get("index")
        return HookhostError(status, str(error.get("code", "error")), str(error.get("message", "")),
                             index if isinstance(index, int) else None)
    except (ValueError, KeyError, TypeError, AttributeError):
        text = raw.decode("utf-8", "replace").strip() if raw else ""
        return HookhostError(status, "http_%d" % status, text or "HTTP %d" % status)
