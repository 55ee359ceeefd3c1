"""The shared cache: concurrent writers never produce a torn read; locks only save work."""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import socket
import time
from pathlib import Path

import pytest

from dynamic_vision.core import storage
from dynamic_vision.scale.shared_cache import SharedCache

KEYS = ["k0", "k1"]


@contextlib.contextmanager
def _shared_temp_name_write(path, mode="wb"):
    """The classic mistake: one temporary name per target, shared by every writer."""
    tmp = Path(f"{path}.tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, mode) as handle:
        yield handle
    os.replace(tmp, path)


def _hammer(root: str, writer: int, seconds: float, broken: bool, barrier, results) -> None:
    """Write and read overlapping keys for ``seconds``; count reads of incomplete documents."""
    if broken:
        storage.atomic_write = _shared_temp_name_write
    cache = SharedCache(root)
    choose = random.Random(writer).choice  # writers collide on keys often, not in lockstep
    torn = reads = writes = 0
    barrier.wait()  # every writer starts together, whatever its start-up time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        key = choose(KEYS)
        payload = f"{writer}-{writes}-" * (20000 + 997 * writer)  # ~0.2-0.3 MB, varied
        with contextlib.suppress(FileNotFoundError):  # the broken writer races on its tmp
            cache.write(key, {"payload": payload,
                              "sha": hashlib.sha256(payload.encode()).hexdigest()})
        writes += 1
        for other in KEYS:
            reads += 1
            try:
                document = cache.read(other)
            except json.JSONDecodeError:
                torn += 1
                continue
            if document is not None and hashlib.sha256(
                    document["payload"].encode()).hexdigest() != document["sha"]:
                torn += 1
    results.put((torn, reads, writes))


def _run_writers(root: Path, broken: bool, writers: int = 3, seconds: float = 2.0):
    # fork: the writers need nothing but this module, and spawning three interpreters that
    # import the library costs seconds on a busy machine
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(writers), context.Queue()
    processes = [context.Process(target=_hammer, args=(str(root), w, seconds, broken, barrier,
                                                       results)) for w in range(writers)]
    for process in processes:
        process.start()
    counts = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    return sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts)


def test_concurrent_writers_never_tear_a_read(tmp_path):
    torn, reads, writes = _run_writers(tmp_path / "cache", broken=False)
    assert writes >= 3 * len(KEYS) and reads == writes * len(KEYS)
    assert torn == 0
    assert sorted(SharedCache(tmp_path / "cache").keys()) == KEYS
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]


def test_the_torn_read_check_catches_a_shared_temp_name(tmp_path):
    # The same harness against a writer with one shared temporary name must see torn reads,
    # otherwise the test above would prove nothing.
    torn, _, _ = _run_writers(tmp_path / "cache", broken=True)
    assert torn > 0


def test_keys_are_content_hashes_and_names_are_checked(tmp_path):
    cache = SharedCache(tmp_path)
    assert SharedCache.key("model", 1, {"a": 2}) == SharedCache.key("model", 1, {"a": 2})
    assert SharedCache.key("model", 1) != SharedCache.key("model", 2)
    with pytest.raises(ValueError, match="key"):
        cache.path("../escape")
    assert cache.read("absent") is None and cache.keys() == []


def test_claim_is_exclusive_and_released(tmp_path):
    cache = SharedCache(tmp_path)
    with cache.claim("job") as first:
        with cache.claim("job") as second:
            assert first and not second
    with cache.claim("job") as again:
        assert again


def test_stale_lock_of_a_dead_process_is_broken(tmp_path):
    cache = SharedCache(tmp_path)
    process = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    process.start()
    process.join()
    (tmp_path / "job.lock").write_text(json.dumps(
        {"host": socket.gethostname(), "pid": process.pid, "time": time.time()}))
    with cache.claim("job") as acquired:
        assert acquired


def test_claim_waits_for_the_holder_then_sees_its_result(tmp_path):
    cache = SharedCache(tmp_path)
    (tmp_path / "job.lock").write_text(json.dumps(
        {"host": socket.gethostname(), "pid": os.getpid(), "time": time.time()}))
    cache.write("job", {"value": 1})
    started = time.monotonic()
    with cache.claim("job", wait_s=5) as acquired:
        assert not acquired and cache.read("job") == {"value": 1}
    assert time.monotonic() - started < 1  # the result was there: no waiting out the clock
    (tmp_path / "job.lock").unlink()
