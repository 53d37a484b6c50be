"""Register, list and remove event handlers; fire hooks and follow jobs.

    >>> from hookhost import Connection
    >>> from hookhost.eventproc import hooks, register, list_handlers, deregister
    >>> conn = Connection()
    >>> hooks(conn)
    ['ctingress.on_complete']
"""

from hookhost.eventproc.eventproc import (
    Handler,
    deregister,
    fire,
    hooks,
    job,
    list_handlers,
    register,
    wait,
)

__all__ = ["Handler", "deregister", "fire", "hooks", "job", "list_handlers", "register", "wait"]
from hookhost.eventproc.batches import fire_many, wait_all  # noqa: E402  (issue 22: batches)
__all__ += ["fire_many", "wait_all"]
