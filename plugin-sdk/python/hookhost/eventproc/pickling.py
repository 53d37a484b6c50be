"""How handlers travel: dill pickles, by value wherever the sandbox could not import."""

import base64
import os
import sys
import sysconfig
import types


def _installed_roots():
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    for path in sys.path:
        if path.endswith(("site-packages", "dist-packages")):
            roots.add(os.path.realpath(path))
    return tuple(roots)


def _is_installed(module_name):
    """True for modules the sandbox's interpreter has too (stdlib and installed packages)."""
    module = sys.modules.get(module_name)
    if module is None:
        return False
    path = getattr(module, "__file__", None)
    if path is None:
        return True  # builtin modules
    path = os.path.realpath(path)
    return any(path.startswith(root + os.sep) for root in _installed_roots())


def _code_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _local_objects(fn, module_name):
    """Functions and classes of `module_name` that `fn` reaches through its globals."""
    found, todo = [], [fn]
    seen = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, types.FunctionType):
            names = _code_names(obj.__code__)
            candidates = [obj.__globals__.get(name) for name in names]
            candidates += [cell.cell_contents for cell in (obj.__closure__ or ())
                           if _has_contents(cell)]
        elif isinstance(obj, type):
            candidates = [value for value in vars(obj).values()
                          if isinstance(value, types.FunctionType)]
        else:
            candidates = []
        for candidate in candidates:
            if isinstance(candidate, (types.FunctionType, type)) and \
                    getattr(candidate, "__module__", None) == module_name:
                todo.append(candidate)
    return found


def _has_contents(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def pickle_handler(fn):
    """The dill pickle of `fn`, base64-encoded, as POST /v1/handlers expects it.

    Notebook code (__main__), closures and lambdas are pickled by value with the globals
    they use (dill recurse). Functions and classes of a module the sandbox cannot import
    (your own script or package, as opposed to the standard library or installed packages)
    are pickled by value too, for the duration of this call.
    """
    import dill

    module_name = getattr(fn, "__module__", None)
    relabeled = []
    if module_name not in (None, "__main__") and not _is_installed(module_name):
        for obj in _local_objects(fn, module_name):
            try:
                relabeled.append((obj, obj.__module__))
                obj.__module__ = "__main__"
            except (AttributeError, TypeError):
                pass
    try:
        return base64.b64encode(dill.dumps(fn, recurse=True)).decode("ascii")
    finally:
        for obj, original in relabeled:
            obj.__module__ = original
