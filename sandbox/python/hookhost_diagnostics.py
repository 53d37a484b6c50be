"""Messages of hookhost's sandboxed worker that tell a handler's author what to do."""

import traceback


def load_failure(error):
    """The load error's text: what was raised, and where, for the registration's 422."""
    text = "cannot unpickle the handler: %s: %s" % (type(error).__name__, error)
    if isinstance(error, ImportError):
        text += "\n" + missing_module_hint(error)
    return text + "\n" + "".join(traceback.format_exception(type(error), error, error.__traceback__))


def missing_module_hint(error):
    """One line naming the module the sandbox's interpreter lacks; empty for other errors."""
    if not isinstance(error, ImportError):
        return ""
    name = getattr(error, "name", None) or "a module"
    return ("The sandbox's Python cannot import %s: it is not installed there, or it is a local "
            "module that was pickled by reference. GET /v1/runtimes lists what the sandbox offers; "
            "a notebook helper travels with the handler when it is defined in the notebook." % name)
