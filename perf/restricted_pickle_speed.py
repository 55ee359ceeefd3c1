"""Cost of the restricted unpickler against ``pickle.load`` on a BOLD Moments-shaped file.

Writes ``(betas, video_ids)`` with ``betas`` of shape (``--videos``, ``--reps``, ``--vertices``)
float64 (the published layout; the real test files are 102 x 10 x 163,842), then reads it with

- ``restricted``: :func:`dynamic_vision.io.restricted_pickle.load`;
- ``pickle`` (the named peer): the standard library's unrestricted ``pickle.load``.

Usage::

    python perf/restricted_pickle_speed.py [--videos 102] [--reps 10] [--vertices 20000]

Prints the best of three wall times of each and the ratio restricted/pickle (file in the page
cache for both).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np

from dynamic_vision.io.restricted_pickle import load


def best_of(function, path: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        betas, _ = function(path)
        times.append(time.perf_counter() - start)
        del betas
    return min(times)


def plain(path: Path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=102)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--vertices", type=int, default=20000)
    args = parser.parse_args()
    betas = np.random.default_rng(0).normal(size=(args.videos, args.reps, args.vertices))
    ids = [f"vid{1001 + i:04d}" for i in range(args.videos)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "betas.pkl"
        with open(path, "wb") as handle:
            pickle.dump((betas, ids), handle, protocol=4)
        size = path.stat().st_size / 1e6
        restricted = best_of(load, path)
        peer = best_of(plain, path)
    print(f"file: {size:.0f} MB")
    print(f"restricted_pickle.load: {restricted:.3f} s ({size / restricted:.0f} MB/s)")
    print(f"pickle.load (peer):     {peer:.3f} s ({size / peer:.0f} MB/s)")
    print(f"ratio restricted/pickle: {restricted / peer:.2f}")


if __name__ == "__main__":
    main()
