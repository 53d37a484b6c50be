"""The connection to a hookhost server and the error its calls raise."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

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

    def __repr__(self):
        return "Connection(%r)" % self.endpoint

    def request(self, method, path, body=None, query=None, timeout=None):
        """Sends one API request and returns the decoded JSON answer (None when empty).

        `query` is a list of (name, value) pairs or a dict; `timeout` replaces the
        connection's for this request (a ?wait= call needs longer than its wait). Raises
        HookhostError with the server's status, code and message on any error answer.
        """
        url = self.endpoint + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.apikey:
            headers["Authorization"] = "Bearer " + self.apikey
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return _decode(response.status, response.read())
        except urllib.error.HTTPError as error:
            raise _error_from(error.code, error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise HookhostError(None, "unreachable",
                                "cannot reach %s: %s" % (self.endpoint, reason)) from None


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
