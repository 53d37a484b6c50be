"""Entry point of hookhost's sandboxed Python worker (see hookhost_worker.py).

Kept apart from the worker's code so that this file, not the worker, is __main__: a pickle
that binds its functions to __main__'s globals then cannot overwrite the worker's names.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hookhost_worker  # noqa: E402

sys.exit(hookhost_worker.main())
