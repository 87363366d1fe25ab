"""tox's in-tree plugin: one level of parallelism.

``tox p`` runs several environments at once, and each one's ``pytest -n auto`` would start a
worker per core on top: on 2 cores, 2 environments x 2 workers x ~550 MB of TensorFlow each,
all competing for the same cores.  Under ``tox p`` this sets ``PYTEST_XDIST_AUTO_NUM_WORKERS``
(what ``-n auto`` means to pytest-xdist) to the cores left per environment, at least 1.  A value
you set yourself, or an explicit ``-n`` after ``--``, wins.
"""

import os

from tox.plugin import impl


def workers_per_env(cores, parallel):
    """Cores per concurrently running environment; ``parallel`` is tox's limit (None: "all",
    which on this project's matrix means at least as many environments as cores)."""
    return max(1, cores // (parallel or cores))


@impl
def tox_before_run_commands(tox_env):
    parallel = getattr(tox_env.options, "parallel", 0)  # present only for `tox p` / `tox -p`
    if parallel == 0 or "PYTEST_XDIST_AUTO_NUM_WORKERS" in os.environ:
        return
    workers = workers_per_env(os.cpu_count() or 1, parallel)
    tox_env.environment_variables["PYTEST_XDIST_AUTO_NUM_WORKERS"] = str(workers)
