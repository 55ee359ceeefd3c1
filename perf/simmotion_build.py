"""Time the SimMotion build, and the motion-energy front end against a dense-filter peer.

- ``build``: :func:`dynamic_vision.data.simmotion.build.build` of the full data set into a fresh
  temporary ``DYNAMIC_VISION_HOME`` (render, lossless encode, energy, simulation, save), run
  twice to check that every file's sha256 is the same;
- ``front end``: :meth:`MotionEnergyBank.energies` (truncated Gabors as sparse matrices) against
  the named peer, the same Gabors as one dense ``(pixels, filters)`` matrix multiplied with
  BLAS, on ``--clips`` random 30-frame clips; the script checks that both give the same energies.

Usage::

    python perf/simmotion_build.py [--clips 64] [--skip-build]

Prints wall and CPU times, the dense/sparse ratio, and whether the two builds are identical.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def file_hashes(root: Path) -> dict[str, str]:
    from dynamic_vision.core.storage import sha256_file

    return {p.relative_to(root).as_posix(): sha256_file(p)
            for p in sorted(root.rglob("*")) if p.is_file()}


def time_builds() -> None:
    from dynamic_vision.data.simmotion.build import build

    hashes = []
    for attempt in range(2):
        with tempfile.TemporaryDirectory(prefix="simmotion-bench-") as home:
            os.environ["DYNAMIC_VISION_HOME"] = home
            folder, wall, cpu = timed(lambda: build(progress=False))
            hashes.append(file_hashes(folder))
            print(f"build {attempt + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                  f"{len(hashes[-1])} files")
    print(f"builds byte-identical: {hashes[0] == hashes[1]}")


def dense_energies(bank, dense: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """The peer: the bank's energies with the spatial stage as one dense BLAS product."""
    flat = contrast.reshape(len(contrast), -1)
    spatial = (flat @ dense.real).astype(np.float64) - 1j * (flat @ dense.imag)
    return bank.energies_from_spatial(spatial)


def time_front_end(n_clips: int) -> None:
    from dynamic_vision.modeling.motion_energy import MotionEnergyBank

    bank = MotionEnergyBank()
    rng = np.random.default_rng(0)
    clips = rng.uniform(-1, 1, size=(n_clips, 30, bank.size, bank.size)).astype(np.float32)
    bank.energies(clips[0])  # build the sparse filters outside the timing
    dense = np.ascontiguousarray(bank.spatial_filters().toarray().T.astype(np.complex64))
    sparse_out, sparse_wall, _ = timed(lambda: [bank.energies(c) for c in clips])
    dense_out, dense_wall, _ = timed(lambda: [dense_energies(bank, dense, c) for c in clips])
    worst = max(float(np.max(np.abs(a - b))) for a, b in zip(sparse_out, dense_out))
    print(f"front end, {n_clips} clips of 30 x {bank.size}^2: sparse {sparse_wall:.2f} s, "
          f"dense BLAS peer {dense_wall:.2f} s, ratio dense/sparse "
          f"{dense_wall / sparse_wall:.2f}x, max |difference| {worst:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=64)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    time_front_end(args.clips)
    if not args.skip_build:
        time_builds()


if __name__ == "__main__":
    main()
