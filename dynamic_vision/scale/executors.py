"""Adapters that let :func:`~dynamic_vision.scale.score_many` drive any distributed engine.

Anything with ``submit(fn, *args)`` returning a future with ``result()`` and ``done()`` works:
a :mod:`concurrent.futures` executor, a dask.distributed ``Client``, a submitit executor. Where
their semantics differ an adapter smooths it over:

- **inline** (``None``): runs each job at once in this process (debugging, notebooks); it
  uses whatever devices this process sees.
- **process pool**: a worker killed mid-job breaks the whole pool, so it is rebuilt and the
  lost jobs come back as transient failures and are retried. GPUs: one coordinator per node,
  devices chosen with ``CUDA_VISIBLE_DEVICES``.
- **dask.distributed**: jobs are submitted with ``pure=False`` so that a resubmitted job really
  runs again; a timed-out job is cancelled. GPUs: ``gpus=1`` submits with
  ``resources={"GPU": 1}``; start the workers with ``--resources GPU=1``.
- **submitit**: jobs are not futures and are wrapped; the time limit becomes ``timeout_min``
  and a timed-out job is cancelled. GPUs: ``gpus=1`` sets ``gpus_per_node=1`` (SLURM
  ``--gres=gpu:1``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

__all__ = [
    "ExecutorAdapter",
    "InlineExecutor",
    "ProcessPoolAdapter",
    "DaskAdapter",
    "SubmititAdapter",
    "GenericAdapter",
    "adapt",
    "make_executor",
    "EXECUTOR_NAMES",
]

#: Names accepted by :func:`make_executor` and ``dynamic-vision run --executor``.
EXECUTOR_NAMES = ("local", "process", "dask", "submitit")


class ExecutorAdapter:
    """The few operations the coordinator needs from an engine.

    Attributes
    ----------
    name
        Shown in logs and provenance.
    max_in_flight
        Default cap on jobs submitted and not yet answered.
    """

    name = "executor"
    max_in_flight = 1
    #: True where the engine stops over-long jobs itself (the coordinator then does not).
    enforces_time_limit = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Start ``fn(*args)``; returns an object with ``done()`` and ``result()``."""
        raise NotImplementedError

    def configure(self, *, time_limit_s: float) -> None:
        """Tell the engine the time limit of each job (engines that enforce their own)."""

    def abandon(self, future: Any) -> None:
        """Stop a job that ran past its time limit, as far as the engine allows."""
        with contextlib.suppress(Exception):
            future.cancel()

    def recover(self) -> None:
        """Repair the engine after a transient failure (e.g. rebuild a broken pool)."""

    def shutdown(self) -> None:
        """Release what this adapter created (not what the caller passed in)."""


class InlineExecutor(ExecutorAdapter):
    """Runs each job immediately in the calling process."""

    name = "local"

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except Exception as error:
            future.set_exception(error)
        return future


class ProcessPoolAdapter(ExecutorAdapter):
    """A :class:`concurrent.futures.ProcessPoolExecutor` that is rebuilt when a worker dies.

    Parameters
    ----------
    max_workers
        Worker processes (default: CPU count).
    start_method
        ``"spawn"`` (default; safe with CUDA) or ``"fork"``/``"forkserver"``.
    pool
        An existing pool to adopt; it is replaced by a fresh one of the same size if it breaks.
    """

    name = "process"

    def __init__(self, max_workers: int | None = None, start_method: str = "spawn",
                 pool: cf.ProcessPoolExecutor | None = None):
        self.max_workers = max_workers or getattr(pool, "_max_workers", None) or os.cpu_count() or 1
        self.start_method = start_method
        self.max_in_flight = self.max_workers
        self._owns_pool = pool is None
        self._pool = pool or self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(self.max_workers,
                                      mp_context=multiprocessing.get_context(self.start_method))

    def _rebuild(self) -> None:
        old, self._pool = self._pool, self._new_pool()
        self._owns_pool = True
        old.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            self._rebuild()
            return self._pool.submit(fn, *args)

    def abandon(self, future: Any) -> None:
        # A running task cannot be cancelled; kill the pool's workers and start afresh. The
        # other jobs of the pool fail as transient and are retried.
        if future.cancel():
            return
        for process in list(getattr(self._pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        self._rebuild()

    def recover(self) -> None:
        if getattr(self._pool, "_broken", False):
            self._rebuild()

    def shutdown(self) -> None:
        if self._owns_pool:
            self._pool.shutdown(wait=True, cancel_futures=True)


class DaskAdapter(ExecutorAdapter):
    """A dask.distributed ``Client``; jobs are submitted impure so retries run again.

    Parameters
    ----------
    client
        The client (``distributed.Client(address)``).
    resources
        Worker resources each job needs, e.g. ``{"GPU": 1}``.
    owned
        Objects (cluster, client) to close on :meth:`shutdown`.
    """

    name = "dask"

    def __init__(self, client: Any, resources: dict[str, float] | None = None,
                 owned: tuple[Any, ...] = ()):
        self.client = client
        self.resources = resources
        self._owned = owned

    @property
    def max_in_flight(self) -> int:  # type: ignore[override]
        """The cluster's worker threads now (8 while no worker has joined yet)."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(w.get("nthreads", 1) for w in workers.values())) if workers else 8

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, resources=self.resources)

    def abandon(self, future: Any) -> None:
        with contextlib.suppress(Exception):
            self.client.cancel(future)

    def shutdown(self) -> None:
        for thing in self._owned:
            with contextlib.suppress(Exception):
                thing.close()


class _SubmititFuture:
    """A submitit job seen as a future."""

    def __init__(self, job: Any):
        self.job = job

    def done(self) -> bool:
        return bool(self.job.done())

    def result(self, timeout: float | None = None) -> Any:
        return self.job.result()

    def cancel(self) -> bool:
        with contextlib.suppress(Exception):
            self.job.cancel(check=False)
        return True


class SubmititAdapter(ExecutorAdapter):
    """A submitit executor (SLURM, or its local executor), jobs wrapped as futures.

    Parameters
    ----------
    executor
        ``submitit.AutoExecutor(folder=...)``, ``submitit.LocalExecutor(...)``, ...
    gpus
        GPUs per job (``gpus_per_node``).
    max_in_flight
        Jobs queued at once.
    """

    name = "submitit"
    enforces_time_limit = True  # SLURM counts timeout_min from the job's start, not its queuing

    def __init__(self, executor: Any, gpus: int = 0, max_in_flight: int = 64):
        self.executor = executor
        self.gpus = gpus
        self.max_in_flight = max_in_flight

    def configure(self, *, time_limit_s: float) -> None:
        parameters: dict[str, Any] = {"timeout_min": max(1, math.ceil(time_limit_s / 60))}
        if self.gpus:
            parameters["gpus_per_node"] = self.gpus
        self.executor.update_parameters(**parameters)

    def submit(self, fn: Callable[..., Any], *args: Any) -> _SubmititFuture:
        return _SubmititFuture(self.executor.submit(fn, *args))


class GenericAdapter(ExecutorAdapter):
    """Any object with ``submit(fn, *args)`` returning a future with ``result()``/``done()``."""

    def __init__(self, executor: Any, max_in_flight: int | None = None):
        self.executor = executor
        self.name = type(executor).__name__
        self.max_in_flight = max_in_flight or getattr(executor, "_max_workers", None) or 4

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.executor.submit(fn, *args)


def adapt(executor: Any) -> ExecutorAdapter:
    """An :class:`ExecutorAdapter` for ``executor`` (None, a name, or an engine object)."""
    if executor is None:
        return InlineExecutor()
    if isinstance(executor, ExecutorAdapter):
        return executor
    if isinstance(executor, str):
        return make_executor(executor)
    if isinstance(executor, cf.ProcessPoolExecutor):
        return ProcessPoolAdapter(pool=executor)
    module = type(executor).__module__.split(".")[0]
    if module == "distributed" and hasattr(executor, "scheduler_info"):
        return DaskAdapter(executor)
    if module == "submitit":
        return SubmititAdapter(executor)
    if hasattr(executor, "submit"):
        return GenericAdapter(executor)
    raise TypeError(f"Cannot run jobs on {type(executor).__name__}: pass None, one of "
                    f"{EXECUTOR_NAMES}, or an object with submit() returning a future.")


def make_executor(name: str, *, max_workers: int | None = None, scheduler: str | None = None,
                  folder: str | os.PathLike[str] | None = None, gpus: int = 0) -> ExecutorAdapter:
    """Build an engine by name, as ``dynamic-vision run --executor NAME`` does.

    Parameters
    ----------
    name
        ``"local"`` (inline), ``"process"``, ``"dask"`` or ``"submitit"``.
    max_workers
        Processes of a pool, workers of a local dask cluster, jobs in flight for submitit.
    scheduler
        Address of a running dask scheduler (``tcp://host:8786``); without it a
        ``LocalCluster`` on 127.0.0.1 is started (and closed at the end).
    folder
        Where submitit keeps its job logs and pickles.
    gpus
        GPUs per job (dask worker resource ``GPU``, submitit ``gpus_per_node``).
    """
    if name == "local":
        return InlineExecutor()
    if name == "process":
        return ProcessPoolAdapter(max_workers)
    if name == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise ImportError("The dask executor needs: pip install \"dask[distributed]\"") \
                from error
        resources = {"GPU": gpus} if gpus else None
        if scheduler:
            client = Client(scheduler)
            return DaskAdapter(client, resources, owned=(client,))
        cluster = LocalCluster(n_workers=max_workers or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               resources=resources)
        client = Client(cluster)
        return DaskAdapter(client, resources, owned=(client, cluster))
    if name == "submitit":
        try:
            import submitit
        except ImportError as error:
            raise ImportError("The submitit executor needs: pip install submitit") from error
        from dynamic_vision.core import storage

        folder = Path(folder) if folder else storage.home("scale", "submitit")
        return SubmititAdapter(submitit.AutoExecutor(folder=str(folder)), gpus=gpus,
                               max_in_flight=max_workers or 64)
    raise ValueError(f"Unknown executor {name!r}; use one of {EXECUTOR_NAMES}, or pass an "
                     f"executor object to score_many().")
