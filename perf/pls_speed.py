"""Cross-validated PLS: dynamic_vision's kernel PLS vs scikit-learn's NIPALS PLSRegression.

The task is Brain-Score's neural predictivity readout at scale: ``n`` stimuli × ``p`` features
→ ``t`` targets, PLS with 25 components and ``scale=False``, 10 shuffle splits with 90 %
training stimuli. The peer is scikit-learn ``PLSRegression(n_components=25, scale=False)`` at
its defaults (NIPALS power iteration, ``tol=1e-6``, ``max_iter=500`` — what Brain-Score runs),
fitted and applied on each split. Ours is ``PLSRegression(25)`` (float64, the metrics'
default, and float32) through ``cross_predict``, which forms the Gram matrix of all stimuli once
and fits every split on it at once.

Prints wall times (ours also with the time of its Gram matrix alone, the floor of the kernel
approach), the speed ratios (peer / ours) over the same splits, the largest prediction
difference relative to the largest prediction magnitude, and the largest difference in
per-target held-out Pearson r (what the metric reports). scikit-learn's NIPALS stops at its
``tol=1e-6``, short of the exact PLS limit that ours computes; that gap, about 1e-3 of the
predictions here, is the tolerance the comparison documents (``tests/test_pls.py`` runs
scikit-learn to convergence and agrees to 1e-6). Everything runs in this process on
the same data and threads, after one tiny warm-up fit of each; ``--peer-splits`` times the
peer on fewer splits (its time is then scaled to all of them, and the line says so).

    python perf/pls_speed.py                       # n=2000, p=10000, t=500, 10 splits
    python perf/pls_speed.py --n 500 --p 2000 --t 100   # quick
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _data(n: int, p: int, t: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features with a decaying spectrum and targets that read a few directions of them."""
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((n, 50)) * np.geomspace(10.0, 0.5, 50)
    X = latent @ rng.standard_normal((50, p)) / np.sqrt(50) + rng.standard_normal((n, p))
    Y = latent @ rng.standard_normal((50, t)) / np.sqrt(50) + 2.0 * rng.standard_normal((n, t))
    return X + 1.0, Y


def _pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a - a.mean(0), b - b.mean(0)
    return (a * b).sum(0) / np.sqrt((a * a).sum(0) * (b * b).sum(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--p", type=int, default=10000)
    parser.add_argument("--t", type=int, default=500)
    parser.add_argument("--components", type=int, default=25)
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--peer-splits", type=int, default=None,
                        help="time scikit-learn on this many of the splits only (default: all)")
    parser.add_argument("--device", default="cpu", help="torch device for dynamic_vision")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for both libraries (BLAS and torch)")
    args = parser.parse_args()

    import torch
    from sklearn.cross_decomposition import PLSRegression as SklearnPLS
    from sklearn.model_selection import ShuffleSplit
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    from dynamic_vision.statistics.linear_models import cross_predict
    from dynamic_vision.statistics.linear_models.kernel import (
        centered_gram,
        resolve_device,
        resolve_dtype,
    )
    from dynamic_vision.statistics.linear_models.pls import PLSRegression

    X, Y = _data(args.n, args.p, args.t)
    splits = list(ShuffleSplit(args.splits, train_size=0.9, random_state=1).split(X))
    peer_splits = splits[: args.peer_splits or len(splits)]
    print(f"PLS, n={args.n} p={args.p} t={args.t}, {args.components} components, "
          f"{len(splits)} splits (90 % train); CPU threads {torch.get_num_threads()}; "
          f"dynamic_vision on {args.device}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs", flush=True)

    # One tiny fit of each first, so that neither timing holds one-time start-up costs (imports,
    # thread-pool discovery, first allocations).
    small = [(train[train < 200], test[test < 200]) for train, test in splits[:2]]
    cross_predict(PLSRegression(5, device=args.device), X[:200, :400], Y[:200], small)
    SklearnPLS(n_components=5, scale=False).fit(X[:200, :400], Y[:200])

    ours, ours_s = {}, {}
    for dtype in ("float64", "float32"):
        start = time.perf_counter()
        ours[dtype], _ = cross_predict(PLSRegression(args.components, dtype=dtype,
                                                     device=args.device), X, Y, splits)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        ours_s[dtype] = time.perf_counter() - start
        start = time.perf_counter()  # the floor: the Gram matrix that every split reads
        centered_gram(X, resolve_dtype(dtype), resolve_device(args.device))
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        gram_s = time.perf_counter() - start
        print(f"  dynamic_vision PLSRegression (kernel, {dtype})   {ours_s[dtype]:8.2f} s "
              f"(its Gram matrix alone {gram_s:.2f} s)", flush=True)

    theirs = []
    start = time.perf_counter()
    for train, test in peer_splits:
        model = SklearnPLS(n_components=args.components, scale=False).fit(X[train], Y[train])
        theirs.append(model.predict(X[test]))
    peer_s = time.perf_counter() - start
    scaled = peer_s * len(splits) / len(peer_splits)
    note = "" if len(peer_splits) == len(splits) else \
        f" (timed on {len(peer_splits)} splits, scaled to {len(splits)})"
    print(f"  scikit-learn PLSRegression (NIPALS, float64)    {scaled:8.2f} s{note}",
          flush=True)
    for dtype in ("float64", "float32"):
        compared = ours[dtype][: len(peer_splits)]
        a, b = np.concatenate(compared), np.concatenate(theirs)
        r_ours = [_pearson(p, Y[test]) for p, (_, test) in zip(compared, peer_splits)]
        r_theirs = [_pearson(p, Y[test]) for p, (_, test) in zip(theirs, peer_splits)]
        print(f"  ours {dtype}: speed-up vs scikit-learn NIPALS {scaled / ours_s[dtype]:.1f}x; "
              f"max relative prediction difference "
              f"{np.abs(a - b).max() / np.abs(b).max():.2e}; max |difference| of per-target "
              f"held-out Pearson r "
              f"{np.abs(np.concatenate(r_ours) - np.concatenate(r_theirs)).max():.2e}")
    a, b = np.concatenate(ours["float32"]), np.concatenate(ours["float64"])
    print(f"  ours float32 vs float64: max relative prediction difference "
          f"{np.abs(a - b).max() / np.abs(b).max():.2e}")

if __name__ == "__main__":
    main()
