"""Leases on work in progress, between real processes: exclusive, shared fairly, reclaimed when
their holder is killed, and never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynamic_vision.core.lease import Lease, claim_each

ROOT = Path(__file__).resolve().parents[1]

# A child that takes a lease, says so, and holds it (until killed, or for `hold` seconds).
_HOLDER = """
import sys, time
from dynamic_vision.core.lease import Lease
lease = Lease(sys.argv[1])
lease.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
lease.release()
"""

# A child that works through shared items, logging each item it works on.
_SHARER = """
import sys, time
from pathlib import Path
from dynamic_vision.core.lease import Lease, claim_each
folder, log = Path(sys.argv[1]), sys.argv[2]
items = [f"item{i:02d}" for i in range(12)]

def work(item):
    with open(log, "a") as handle:
        handle.write(f"start {item}\\n")
    time.sleep(0.05)
    (folder / item).write_text("done")  # a rename would be atomic; the test checks overlap
    with open(log, "a") as handle:
        handle.write(f"end {item}\\n")

claim_each(items, lambda item: Lease(folder / f"{item}.lease"),
           lambda item: (folder / item).exists(), work)
"""


def _python(script: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env,
                            stdout=subprocess.PIPE, text=True)


def test_a_lease_is_exclusive_and_leaves_no_file(tmp_path):
    path = tmp_path / "sub" / "work.lease"
    first, second = Lease(path), Lease(path)
    assert first.acquire(blocking=False)
    assert path.exists() and first.holder()["pid"] == os.getpid()
    assert not second.acquire(blocking=False)  # a second claim, even in the same process
    start = time.monotonic()
    assert not second.acquire(timeout_s=0.3)
    assert time.monotonic() - start >= 0.3
    first.release()
    assert not path.exists()
    with second:
        assert second.held and path.exists()
    assert not path.exists() and not second.held


def test_another_process_waits_for_the_holder(tmp_path):
    path = tmp_path / "work.lease"
    holder = _python(_HOLDER, str(path), "1.0")
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    with Lease(path, poll_s=0.05):
        waited = time.monotonic() - start
    assert 0.5 < waited < 10
    assert holder.wait(10) == 0


def test_the_lease_of_a_killed_holder_is_reclaimed_at_once(tmp_path):
    path = tmp_path / "work.lease"
    holder = _python(_HOLDER, str(path), "600")
    assert holder.stdout.readline().strip() == "held"
    assert not Lease(path).acquire(blocking=False)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    lease = Lease(path)
    assert lease.acquire(timeout_s=5)  # no stale-lock timeout to sit out
    lease.release()


@pytest.mark.slow
def test_processes_sharing_items_do_each_exactly_once_and_never_at_once(tmp_path):
    log = tmp_path / "log"
    children = [_python(_SHARER, str(tmp_path), str(log)) for _ in range(3)]
    assert [child.wait(60) for child in children] == [0, 0, 0]
    events = [line.split() for line in log.read_text().splitlines()]
    started = [item for kind, item in events if kind == "start"]
    assert sorted(started) == [f"item{i:02d}" for i in range(12)]  # each exactly once
    running: set[str] = set()
    for kind, item in events:  # no item is worked on by two processes at the same time
        assert (item not in running) if kind == "start" else (item in running)
        running.symmetric_difference_update({item})
    assert not list(tmp_path.glob("*.lease"))


def test_claim_each_skips_done_items_and_reports_them(tmp_path):
    done = {"b"}
    worked, settled = [], []

    def work(item):
        worked.append(item)
        done.add(item)

    count = claim_each(["a", "b", "c"], lambda item: Lease(tmp_path / f"{item}.lease"),
                       lambda item: item in done, work, progress=settled.append)
    assert (count, worked, sorted(settled)) == (2, ["a", "c"], ["a", "b", "c"])


def test_claim_each_waits_for_items_held_elsewhere_then_takes_over_dead_holders(tmp_path):
    held = Lease(tmp_path / "x.lease")
    held.acquire()
    order = []

    def work(item):
        order.append(item)

    def release_soon(item):  # once "y" is done, the holder of "x" dies without finishing
        if item == "y":
            held.release()

    claim_each(["x", "y"], lambda item: Lease(tmp_path / f"{item}.lease", poll_s=0.01),
               lambda item: item in order, work, progress=release_soon)
    assert order == ["y", "x"]  # free items first, then the one that was held
