"""Why a job failed, and whether trying again can help.

Four kinds of failure call for four reactions:

``out_of_memory``
    The batch did not fit. Retried once with half the batch size (see :data:`BATCH_SIZE_VARIABLE`).
``transient``
    The machine, not the job, failed: a worker process died (``kill -9``, pre-emption), a
    connection dropped, a network file system hiccuped. Retried up to a cap.
``timeout``
    The job ran past its time limit. Not retried automatically (it would most likely run out of
    time again); ``--retry-failed`` runs it again, e.g. with a longer limit.
``deterministic``
    A bug or bad input: the same job would fail the same way. Never retried automatically.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from enum import Enum
from dynamic_vision.core.errors import JobTimeout, WorkerLost

__all__ = [
    "FailureKind",
    "JobTimeout",
    "WorkerLost",
    "classify",
    "RetryPolicy",
    "BATCH_SIZE_VARIABLE",
    "DEFAULT_BATCH_SIZE",
    "smaller_batch",
]

#: Environment variable the activation engine reads as a ceiling on its default batch size; a
#: job retried after running out of memory gets half the previous value.
BATCH_SIZE_VARIABLE = "DYNAMIC_VISION_BATCH_SIZE"
#: The batch size assumed when none was set and a job ran out of memory: the engine's largest
#: default for video models on a GPU, so the retry runs at most 8 clips per batch.
DEFAULT_BATCH_SIZE = 16


class FailureKind(str, Enum):
    OUT_OF_MEMORY = "out_of_memory"
    TRANSIENT = "transient"
    TIMEOUT = "timeout"
    DETERMINISTIC = "deterministic"


# Exception class names from engines we do not import here (dask, submitit, torch, requests).
_OOM_NAMES = {"OutOfMemoryError", "MemoryError"}
_TRANSIENT_NAMES = {
    "BrokenProcessPool", "BrokenExecutor", "KilledWorker", "CommClosedError", "WorkerLost",
    "ConnectionError", "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
    "StreamClosedError", "URLError", "HTTPError", "ChunkedEncodingError", "ReadTimeout",
    "ConnectTimeout", "IncompleteRead", "CancelledError", "FutureCancelledError",
}
_TIMEOUT_NAMES = {"JobTimeout"}
_OOM_MESSAGES = ("out of memory", "cublas_status_alloc_failed", "cudnn_status_alloc_failed",
                 "cannot allocate memory", "defaultcpuallocator: can't allocate memory")
_TRANSIENT_ERRNOS = {errno.EIO, errno.ESTALE, errno.EAGAIN, errno.ECONNRESET, errno.ETIMEDOUT,
                     errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNREFUSED}


def classify(error: BaseException) -> FailureKind:
    """The :class:`FailureKind` of an exception raised by a job or by the engine running it.

    Parameters
    ----------
    error
        The exception, as raised in the worker or by ``future.result()``.

    Returns
    -------
    FailureKind
    """
    names = {cls.__name__ for cls in type(error).__mro__}
    message = str(error).lower()
    submitit_timeout = "UncompletedJobError" in names and ("timed-out" in message
                                                           or "timed out" in message)
    if names & _TIMEOUT_NAMES or submitit_timeout:
        return FailureKind.TIMEOUT
    if names & _OOM_NAMES or any(text in message for text in _OOM_MESSAGES):
        return FailureKind.OUT_OF_MEMORY
    if names & _TRANSIENT_NAMES or "UncompletedJobError" in names:
        return FailureKind.TRANSIENT
    if isinstance(error, OSError) and error.errno in _TRANSIENT_ERRNOS:
        return FailureKind.TRANSIENT
    if isinstance(error, TimeoutError):  # a socket or lock timeout, not the job's own limit
        return FailureKind.TRANSIENT
    return FailureKind.DETERMINISTIC


@dataclass(frozen=True)
class RetryPolicy:
    """How often each kind of failure is tried again.

    Attributes
    ----------
    max_transient_retries
        Extra attempts after transient failures (worker deaths, network errors).
    max_oom_retries
        Extra attempts after running out of memory, each with half the batch size.
    """

    max_transient_retries: int = 2
    max_oom_retries: int = 1

    def should_retry(self, kind: FailureKind | str, transient_failures: int,
                     oom_failures: int) -> bool:
        """Whether a job that just failed with ``kind`` gets another attempt.

        ``transient_failures`` and ``oom_failures`` count the failures so far, this one
        included.
        """
        kind = FailureKind(kind)
        if kind is FailureKind.TRANSIENT:
            return transient_failures <= self.max_transient_retries
        if kind is FailureKind.OUT_OF_MEMORY:
            return oom_failures <= self.max_oom_retries
        return False


def smaller_batch(batch_size: int | None) -> int:
    """Half the batch size a job ran with (the environment's, or the default), at least 1."""
    if batch_size is None:
        batch_size = int(os.environ.get(BATCH_SIZE_VARIABLE) or DEFAULT_BATCH_SIZE)
    return max(1, batch_size // 2)
