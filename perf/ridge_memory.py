"""Peak memory of ridge regression scoring at scale: 3,000 stimuli × 20,000 features × 500
neuroids (float32 activations), the default ``ridge`` metric (10 splits, 11 alphas).

Prints the wall time and the process's peak resident set size (the budget is 6 GB). The input
arrays alone take 0.25 GB; the solver works on one n × n Gram matrix and chunks over targets,
so peak memory does not grow with features × targets.

    python perf/ridge_memory.py
    python perf/ridge_memory.py --stimuli 1000 --features 5000 --neuroids 200  # quick
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import xarray as xr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stimuli", type=int, default=3000)
    parser.add_argument("--features", type=int, default=20000)
    parser.add_argument("--neuroids", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    from dynamic_vision.core.registry import metric_registry

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    n, p, t = args.stimuli, args.features, args.neuroids
    features = rng.standard_normal((n, p), dtype=np.float32)
    weights = rng.standard_normal((p, t), dtype=np.float32) / np.float32(np.sqrt(p))
    responses = features @ weights + rng.standard_normal((n, t), dtype=np.float32)
    ids = [f"stim{i:05d}" for i in range(n)]
    source = xr.DataArray(features, dims=("presentation", "neuroid"),
                          coords={"stimulus_id": ("presentation", ids)})
    target = xr.DataArray(responses, dims=("presentation", "neuroid"),
                          coords={"stimulus_id": ("presentation", ids)})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start = time.perf_counter()
    score = metric_registry.load("ridge", progress=True)(source, target)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    print(f"ridge metric, {n} stimuli × {p} features × {t} neuroids: raw {score.raw:.3f}, "
          f"{seconds:.1f} s on {args.threads} thread(s)")
    print(f"peak RSS {peak:.2f} GiB (after building inputs: {before:.2f} GiB); budget 6 GB: "
          f"{'OK' if peak * 2**30 < 6e9 else 'EXCEEDED'}")


if __name__ == "__main__":
    main()
