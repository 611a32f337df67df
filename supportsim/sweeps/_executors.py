"""Resolve the ``executor`` argument of :func:`supportsim.sweep` into something to submit to.

=========================  ==================================================================
``None``                   a process pool over the CPUs this process may use
``int`` n                  n processes; 1 runs in this process, without a pool
``concurrent.futures``     any ``Executor``, used as is and left running (yours to shut
``.Executor``              down), e.g. ``dask.distributed.Client(...).get_executor()``
``"dask://host:port"``     a Dask scheduler (``tcp://``, ``tls://`` also accepted); the
                           client is opened here and closed when the sweep ends
=========================  ==================================================================

Process pools use the platform's default start method; the task function is module-level
so fork, forkserver and spawn all work (with spawn, scripts need the usual
``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import numbers
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Backend", "SweepError", "open_executor"]

_SCHEMES = ("dask://", "tcp://", "tls://", "inproc://", "ucx://")


class SweepError(ValueError):
    """A sweep cannot start: bad executor, unreachable scheduler, or a store of another sweep."""


class _InlineExecutor(Executor):
    """Runs each task at submission, in this process (``executor=1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@dataclass
class Backend:
    """An executor to submit tasks to and how many can usefully be in flight."""

    executor: Executor
    label: str
    _workers: Callable[[], int]
    _checked_at: float = 0.0
    _count: int = 1

    def workers(self) -> int:
        """Workers available now (a Dask cluster may grow or shrink; refreshed each second)."""
        now = time.monotonic()
        if now - self._checked_at > 1.0:
            self._count = max(int(self._workers()), 1)
            self._checked_at = now
        return self._count


def local_cpus() -> int:
    """CPUs this process may run on (affinity and cgroup masks respected where known)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def _executor_workers(executor: Executor) -> int:
    client = getattr(executor, "_client", None)  # dask's ClientExecutor
    if client is not None and hasattr(client, "nthreads"):
        try:
            return sum(client.nthreads().values())
        except Exception:  # a scheduler hiccup must not stop the sweep; guess instead
            return local_cpus()
    return int(getattr(executor, "_max_workers", 0) or local_cpus())


def _exit_with_parent(parent: int) -> None:
    """Pool worker initializer: exit once the parent is gone.

    A pool worker forked from its parent inherits both ends of the task pipe, so it never
    sees end-of-file when the parent is killed (``kill -9``); without this it would wait
    forever as an orphan.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="supportsim-parent-watch", daemon=True).start()


@contextmanager
def _processes(count: int) -> Iterator[Backend]:
    pool = ProcessPoolExecutor(max_workers=count, initializer=_exit_with_parent,
                               initargs=(os.getpid(),))
    try:
        yield Backend(pool, f"{count} processes", lambda: count)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


_TLS_HOW = (
    "set distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
    "distributed.comm.tls.client.key in dask's configuration (a YAML file in "
    "~/.config/dask/, or DASK_DISTRIBUTED__COMM__TLS__CA_FILE and the like), or pass "
    "distributed.Client(address, security=Security(...)).get_executor() as the executor; "
    "see 'With TLS' in docs/sweeps.md")


def _check_tls(address: str) -> None:
    """Refuse a ``tls://`` address at once when dask has no usable client TLS configuration.

    Without one, ``Client`` keeps retrying a connection it cannot make and fails only after
    its timeout (about a minute) with a traceback about ``ssl_context``.
    """
    from distributed.security import Security

    try:
        context = Security().get_connection_args("client")["ssl_context"]
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise SweepError(f"executor {address!r}: dask's TLS configuration cannot be used: "
                         f"{' '.join(str(exc).split())}; {_TLS_HOW}") from exc
    if context is None:
        raise SweepError(f"executor {address!r} needs a TLS configuration (a CA file and a "
                         f"client certificate and key), and dask has none: {_TLS_HOW}")


@contextmanager
def _dask(address: str) -> Iterator[Backend]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(
            f"executor={address!r} needs Dask's distributed scheduler: "
            "pip install 'supportsim[distributed]'") from exc
    if address.startswith("dask://"):
        address = "tcp://" + address.removeprefix("dask://")
    if address.startswith("tls://"):
        _check_tls(address)
    try:
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SweepError(f"cannot connect to the Dask scheduler at {address}: "
                         f"{' '.join(str(exc).split())}") from exc
    try:
        yield Backend(client.get_executor(), f"Dask at {address}",
                      lambda: sum(client.nthreads().values()))
    finally:
        client.close()


@contextmanager
def open_executor(executor: Any, tasks: int) -> Iterator[Backend]:
    """The backend for `executor` (see the module notes), closed on exit if opened here.

    Parameters
    ----------
    executor : None, int, concurrent.futures.Executor or str
    tasks : int
        Tasks still to run: a local pool never starts more processes than that.

    Raises
    ------
    SweepError
        `executor` is none of the accepted kinds, or the scheduler cannot be reached.
    ImportError
        A Dask address was given but ``distributed`` is not installed.
    """
    if executor is None or (isinstance(executor, numbers.Integral)
                            and not isinstance(executor, bool)):
        count = local_cpus() if executor is None else int(executor)
        if count < 1:
            raise SweepError(f"executor must be an integer >= 1 (processes), got {executor}")
        count = max(min(count, tasks), 1)
        if count == 1:
            yield Backend(_InlineExecutor(), "1 process (in this one)", lambda: 1)
        else:
            with _processes(count) as backend:
                yield backend
    elif isinstance(executor, Executor):
        yield Backend(executor, type(executor).__name__, lambda: _executor_workers(executor))
    elif isinstance(executor, str) and executor.startswith(_SCHEMES):
        with _dask(executor) as backend:
            yield backend
    else:
        raise SweepError(
            "executor must be None (all local cores), an integer >= 1 (processes), a "
            "concurrent.futures.Executor or a scheduler address 'dask://host:port', "
            f"got {executor!r}")
