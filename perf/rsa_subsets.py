"""RSA on stimulus subsets: all subsets at once vs one call per subset (the plain loop).

The ``rsa`` metric compares model and recorded RDMs on 10 random 90 % subsets of the stimuli
for every time bin. ``RSASimilarity.on_subsets`` computes the two RDMs of all stimuli once and
ranks each subset's pairs by counting in one sort of each RDM; the plain loop calls
``rsa_similarity`` on each subset's rows (two RDMs and two sorts per subset). Prints the CPU
seconds of both on the same data, their ratio and the largest difference of the values.

    python perf/rsa_subsets.py                    # 192 stimuli, 20 time bins, 10 subsets
    python perf/rsa_subsets.py --stimuli 500
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dynamic_vision.statistics.rsa import RSASimilarity, rsa_similarity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stimuli", type=int, default=192)
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--neuroids", type=int, default=100)
    parser.add_argument("--bins", type=int, default=20)
    parser.add_argument("--subsets", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.stimuli
    bins = [(rng.standard_normal((n, args.features)), rng.standard_normal((n, args.neuroids)))
            for _ in range(args.bins)]
    subsets = [np.sort(rng.choice(n, int(0.9 * n), replace=False)) for _ in range(args.subsets)]
    similarity = RSASimilarity()

    start = time.process_time()
    loop = [[rsa_similarity(X[rows], Y[rows]) for rows in subsets] for X, Y in bins]
    loop_s = time.process_time() - start
    start = time.process_time()
    ours = [similarity.on_subsets(X, Y, subsets) for X, Y in bins]
    ours_s = time.process_time() - start
    print(f"{n} stimuli, {args.bins} time bins x {args.subsets} subsets of 90 %, "
          f"{args.features} model features, {args.neuroids} neuroids")
    print(f"  plain loop (rsa_similarity per subset)   {loop_s:7.2f} CPU-s")
    print(f"  RSASimilarity.on_subsets                 {ours_s:7.2f} CPU-s")
    print(f"  ratio (loop / ours)                      {loop_s / ours_s:7.1f}x")
    print(f"  largest difference of the values         {np.abs(np.subtract(loop, ours)).max():.1e}")


if __name__ == "__main__":
    main()
