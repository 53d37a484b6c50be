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
from hookhost.eventproc.chains import tree
from hookhost.eventproc.runtimes import runtimes

__all__ = ["Handler", "deregister", "fire", "hooks", "job", "list_handlers", "register", "runtimes", "tree", "wait"]

from hookhost.eventproc.output import follow  # noqa: E402  (live output; its own module)

__all__ += ["follow"]
from hookhost.eventproc.repair import replay, rerun, rollback, versions  # noqa: E402,F401
__all__ += ["rerun", "replay", "versions", "rollback"]
from hookhost.eventproc.batches import fire_many, wait_all  # noqa: E402  (issue 22: batches)
__all__ += ["fire_many", "wait_all"]
