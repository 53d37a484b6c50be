"""hookhost: register Python event handlers with a hookhost server.

    >>> from hookhost import Connection
    >>> from hookhost.eventproc import register
    >>> conn = Connection("http://127.0.0.1:8080", "<api key>")
    >>> @register(conn, "trivial-handler", "ctingress.on_complete",
    ...           "success@example.com", "failure@example.com", tags=["demo"])
    ... def trivial(ctx, *args, **kwargs):
    ...     print(args, kwargs)
    ...     return "completed successfully"

See hookhost.eventproc for the calls (hooks, register, list_handlers, deregister, fire,
job, wait).
"""

from hookhost.connection import Connection, HookhostError

__all__ = ["Connection", "HookhostError"]
__version__ = "0.1.0"
