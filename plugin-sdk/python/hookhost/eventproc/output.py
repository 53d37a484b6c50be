"""Follow a job's output live (GET /v1/jobs/{id}/output?follow=1, Server-Sent Events).

    >>> from hookhost.eventproc import follow
    >>> for line in follow(conn, job_id):
    ...     print(line)
"""

import json
import urllib.error
import urllib.request

from hookhost.connection import HookhostError, _error_from


def follow(conn, job_id, end=None):
    """Yields the lines a job's handler writes, as it writes them: first what the host kept
    of the running attempt (or the stored output of a finished job), then new lines, until
    the job is no longer queued or running.

    `end`, when given, is a dict that receives the final event's fields: {"state": ...},
    plus "timed_out": True when the host's follow timeout ended the stream first.

    Each read waits at most conn.timeout seconds; the host sends a keep-alive comment every
    second or so. Raises HookhostError (not_found, forbidden, too_many_followers, ...).
    """
    url = "%s/v1/jobs/%d/output?follow=1" % (conn.endpoint, int(job_id))
    headers = {"Accept": "text/event-stream"}
    if conn.apikey:
        headers["Authorization"] = "Bearer " + conn.apikey
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        response = urllib.request.urlopen(request, timeout=conn.timeout)
    except urllib.error.HTTPError as error:
        raise _error_from(error.code, error.read()) from None
    except (urllib.error.URLError, OSError) as error:
        raise HookhostError(None, "unreachable", "cannot reach %s: %s"
                            % (conn.endpoint, getattr(error, "reason", error))) from None
    with response:
        for event, data in _events(response):
            if event == "output":
                yield data
            elif event == "end":
                if end is not None:
                    end.update(json.loads(data))
                return


def _events(stream):
    """(event, data) pairs of a text/event-stream body; comments are skipped."""
    event, data = "message", []
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
