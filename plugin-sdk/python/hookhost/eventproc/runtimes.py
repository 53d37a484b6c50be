"""Which Python the server runs handlers in, and which one this client pickles with.

A dill pickle loads only in the Python minor version that made it (code objects differ
between versions), so register() sends the versions it pickled with and the server refuses
(422 python_version_unsupported) a handler it has no matching interpreter for.
"""

import sys


def pickle_versions():
    """The registration fields naming this interpreter and dill:
    {"python_version": "3.11", "dill_version": "0.3.6"}."""
    versions = {"python_version": "%d.%d" % sys.version_info[:2]}
    try:
        import dill
        versions["dill_version"] = dill.__version__
    except ImportError:  # register() cannot pickle without it anyway
        pass
    return versions


def runtimes(conn):
    """list the interpreters the server runs Python handlers in

    Parameters
    ----------
    conn: Connection
        hookhost Connection object containing a valid address and api key.

    Returns
    -------
    list of dict
        One per interpreter: {"runtime": "python", "version": "3.11", "full_version",
        "path", "default", "dill_version", "distributions": [{"name", "version"}]} (and
        "problem" when the server cannot use it). What a handler may import is in
        "distributions", listed from inside the sandbox.
    """
    return conn.request("GET", "/v1/runtimes") or []
