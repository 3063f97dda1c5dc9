"""Run one function over many tasks: in this process, a local process pool, or on Dask.

``forecast_all(..., n_jobs=)`` and ``forecast_all(..., client=)`` (and through it
``sopcourse cycle --scheduler``) share this. Without a client, Dask is never imported.
On a Dask cluster the tasks go in chunks (about four per worker thread, so a slow chunk
does not hold the others up) and come back in the order given; a worker that dies has
its chunks run again on another worker by the scheduler, so no result is lost.
"""

from __future__ import annotations

import platform
import sys
from concurrent.futures import ProcessPoolExecutor

INSTALL_HINT = "pip install 'sopcourse[dask]'"
CONNECT_SECONDS = 30.0  # how long to wait for a scheduler to answer


def distributed_module():
    """``dask.distributed``, or a ValueError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ValueError(
            "a Dask scheduler was given, but Dask's distributed scheduler is not installed: "
            f"run {INSTALL_HINT} here and on every worker, or leave the scheduler out to "
            "use this machine's cores"
        ) from exc
    return distributed


def connect(scheduler, timeout: float | None = None):
    """A ``distributed.Client`` for ``scheduler`` (an address or a client): (client, owned).

    ``owned`` is True when the client was opened here (and must be closed here).
    """
    distributed = distributed_module()
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    timeout = CONNECT_SECONDS if timeout is None else timeout
    address = str(scheduler).strip()
    if not address:
        raise ValueError("the scheduler address is empty: give one such as tcp://host:8786")
    try:
        return distributed.Client(address, timeout=timeout), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(
            f"no Dask scheduler answered at {address!r} within {timeout:g} s ({exc}): start "
            "one with `dask scheduler` (it prints its address, e.g. tcp://10.0.0.5:8786) and "
            "workers with `dask worker tcp://10.0.0.5:8786`, or leave the scheduler out"
        ) from exc


def course_versions() -> dict:
    """What a machine runs: Python and the course (a worker's, compared with the client's)."""
    course = sys.modules[__package__]  # the package, imported before any of its modules
    return {"python": platform.python_version(), "sopcourse": course.__version__}


def check_workers(client, versions=course_versions, timeout: float = 60) -> dict:
    """Wait for a worker, then check every worker reports the ``versions()`` of this one."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        raise ValueError(
            f"the Dask scheduler has no workers after {timeout:g} s: start at least one with "
            "`dask worker SCHEDULER_ADDRESS` on a machine with the course installed"
        ) from exc
    try:
        found = client.run(versions)
    except Exception as exc:  # noqa: BLE001 - e.g. a worker without sopcourse cannot unpickle
        raise ValueError(
            f"the Dask workers could not report their course version ({type(exc).__name__}: "
            f"{exc}): install the course on every worker ({INSTALL_HINT})"
        ) from exc
    here = versions()
    other = {w: v for w, v in found.items() if {**v, "python": ""} != {**here, "python": ""}}
    if other:
        listed = ", ".join(f"{w}: sopcourse {v['sopcourse']}" for w, v in sorted(other.items()))
        raise ValueError(
            f"these workers run another version of the course than this machine "
            f"(sopcourse {here['sopcourse']}): {listed}; install the same version everywhere "
            "so that every submission is graded by the same grader"
        )
    return found


def _one_blas_thread() -> None:
    """In a pool's process: numpy's BLAS on one thread, so that ``n_jobs`` processes use
    ``n_jobs`` cores rather than ``n_jobs`` x cores threads (2 processes on 2 cores ran
    400 series 2.1 x slower with BLAS's own threads; Dask's workers do the same)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _run_chunk(func, chunk):
    return [func(t) for t in chunk]


def chunks_for(n_tasks: int, n_threads: int, per_thread: int = 4) -> list[range]:
    """Split ``range(n_tasks)`` into contiguous chunks, about ``per_thread`` per thread.

    Examples
    --------
    >>> [list(c) for c in chunks_for(5, 1, per_thread=2)]
    [[0, 1, 2], [3, 4]]
    >>> len(chunks_for(10_000, 8))
    32
    """
    count = max(1, min(n_tasks, max(1, n_threads) * per_thread))
    size = -(-n_tasks // count)
    return [range(i, min(i + size, n_tasks)) for i in range(0, n_tasks, size)]


def map_tasks(func, tasks: list, *, n_jobs: int = 1, client=None) -> list:
    """``[func(t) for t in tasks]``, here, in ``n_jobs`` processes or on a Dask ``client``.

    ``client`` is a ``distributed.Client`` or a scheduler address (``tcp://host:8786``);
    ``func`` must be importable on the workers (a module-level function of the course).
    """
    if client is not None:
        return _on_dask(func, tasks, client)
    if n_jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=n_jobs, initializer=_one_blas_thread) as pool:
            return list(pool.map(func, tasks, chunksize=max(1, len(tasks) // 50)))
    return [func(t) for t in tasks]


def _on_dask(func, tasks: list, client) -> list:
    client, owned = connect(client)
    try:
        if not tasks:
            return []
        check_workers(client)
        threads = sum(client.nthreads().values())
        parts = [tasks[r.start : r.stop] for r in chunks_for(len(tasks), threads)]
        futures = client.map(_run_chunk, [func] * len(parts), parts, pure=False)
        return [r for part in client.gather(futures) for r in part]
    finally:
        if owned:
            client.close()
