"""Cross-validated ridge: dynamic_vision vs scikit-learn RidgeCV and himalaya KernelRidgeCV.

The task: ``n`` stimuli × ``p`` features → ``t`` targets, ``n_alphas`` log-spaced alphas, one
alpha per target, predictions on ``folds`` outer K folds. Each peer runs with the same alpha
selection criterion as ours:

- scikit-learn ``RidgeCV(alpha_per_target=True)`` (efficient leave-one-out) vs ours with
  ``cv="loo"``;
- himalaya ``KernelRidgeCV(cv=KFold(5))`` (its fastest solver when p > n: eigendecomposition
  of the kernel), on its numpy and torch backends, vs ours with ``cv=5``.

Prints wall times, speed ratios (peer / ours), the share of targets on which ours (float32 and
float64) chose the same alpha as the peer, and the largest prediction difference, relative to
the largest prediction magnitude, between ours and each peer. All run in this process on the
same data and threads; on a shared machine, timings vary with the load (the load average is
printed), the ratios much less.

    python perf/ridge_speed.py                 # n=2000, p=10000, t=1000
    python perf/ridge_speed.py --n 400 --p 2000 --t 200   # quick
    python perf/ridge_speed.py --threads 8     # all libraries on 8 threads
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from sklearn.model_selection import KFold


def _data(n: int, p: int, t: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    weights = rng.standard_normal((p, t)) / np.sqrt(p)
    noise = np.geomspace(0.1, 10.0, t)
    return X, X @ weights + rng.standard_normal((n, t)) * noise


def _timed(label: str, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"  {label:<44s} {seconds:8.2f} s", flush=True)
    return seconds, result


def _relative_difference(ours: list[np.ndarray], theirs: list[np.ndarray]) -> float:
    a, b = np.concatenate(ours), np.concatenate(theirs)
    return float(np.abs(a - b).max() / np.abs(b).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--p", type=int, default=10000)
    parser.add_argument("--t", type=int, default=1000)
    parser.add_argument("--alphas", type=int, default=10)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip", default="", help="comma-separated: sklearn,himalaya")
    parser.add_argument("--himalaya-backends", default="numpy,torch",
                        help="comma-separated himalaya backends to time (torch_cuda on a GPU)")
    parser.add_argument("--device", default="cpu",
                        help="torch device for dynamic_vision (peers always run on the CPU)")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for every library (BLAS and torch); 1 by default so "
                             "that a shared machine's load distorts all peers alike")
    args = parser.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    from sklearn.linear_model import RidgeCV

    from dynamic_vision.statistics.linear_models import RidgeCVRegression, cross_predict

    X, Y = _data(args.n, args.p, args.t)
    alphas = np.logspace(-1, 5, args.alphas)
    splits = list(KFold(args.folds, shuffle=True, random_state=0).split(X))
    skip = set(filter(None, args.skip.split(",")))
    print(f"ridge, n={args.n} p={args.p} t={args.t}, {args.alphas} alphas, {args.folds} outer "
          f"folds; CPU threads {torch.get_num_threads()}; dynamic_vision on {args.device}",
          flush=True)

    def ours(dtype: str, cv):
        estimator = RidgeCVRegression(alphas, cv=cv, dtype=dtype, device=args.device)
        predictions, fitted = cross_predict(estimator, X, Y, splits)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        return predictions, [model.alphas_ for model in fitted]

    def same(ours_alphas, their_alphas) -> float:
        return 100 * float(np.mean(np.isclose(np.concatenate(ours_alphas),
                                              np.concatenate(their_alphas), rtol=1e-5)))

    if args.device.startswith("cuda"):  # start-up of CUDA libraries is not part of a fit
        ours_small = RidgeCVRegression(alphas, device=args.device)
        cross_predict(ours_small, X[:100, :300], Y[:100, :10],
                      [(np.arange(80), np.arange(80, 100))])
        torch.cuda.synchronize()

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("leave-one-out alpha selection")
    t32, (ours32, alphas32) = _timed("dynamic_vision float32 (default)",
                                     lambda: ours("float32", "loo"))
    t64, (ours64, alphas64) = _timed("dynamic_vision float64", lambda: ours("float64", "loo"))
    print(f"  float32 vs float64 max relative prediction difference "
          f"{_relative_difference(ours32, ours64):.2e}")
    if "sklearn" not in skip:
        def sklearn_run():
            out, chosen = [], []
            for train, test in splits:
                model = RidgeCV(alphas=alphas, alpha_per_target=True).fit(X[train], Y[train])
                out.append(model.predict(X[test]))
                chosen.append(model.alpha_)
            return out, chosen

        ts, (theirs, their_alphas) = _timed("scikit-learn RidgeCV float64", sklearn_run)
        print(f"  speed-up vs scikit-learn: float32 {ts / t32:.2f}x, float64 {ts / t64:.2f}x")
        print(f"  same alphas as scikit-learn: float32 {same(alphas32, their_alphas):.2f}%, "
              f"float64 {same(alphas64, their_alphas):.2f}% of targets")
        print(f"  max relative prediction difference vs scikit-learn: float32 "
              f"{_relative_difference(ours32, theirs):.2e}, float64 "
              f"{_relative_difference(ours64, theirs):.2e}")

    if "himalaya" not in skip:
        from himalaya.backend import set_backend
        from himalaya.kernel_ridge import KernelRidgeCV

        print("5-fold alpha selection")
        inner = 5
        k32, (kfold32, kalphas32) = _timed("dynamic_vision float32 (default)",
                                           lambda: ours("float32", inner))
        k64, (kfold64, kalphas64) = _timed("dynamic_vision float64", lambda: ours("float64",
                                                                                    inner))
        print(f"  float32 vs float64 max relative prediction difference "
              f"{_relative_difference(kfold32, kfold64):.2e}")
        for backend in args.himalaya_backends.split(","):
            to_numpy = set_backend(backend).to_numpy
            for dtype, ours_time in (("float64", k64), ("float32", k32)):
                X_h, Y_h = X.astype(dtype), Y.astype(dtype)

                def himalaya_run():
                    out, chosen = [], []
                    for train, test in splits:
                        model = KernelRidgeCV(alphas=alphas, kernel="linear",
                                              fit_intercept=True, cv=KFold(inner))
                        model.fit(X_h[train], Y_h[train])
                        out.append(np.asarray(to_numpy(model.predict(X_h[test])),
                                              dtype=np.float64))
                        chosen.append(np.asarray(to_numpy(model.best_alphas_)))
                    return out, chosen

                th, (theirs, their_alphas) = _timed(
                    f"himalaya KernelRidgeCV ({backend}, {dtype})", himalaya_run)
                mine = kalphas32 if dtype == "float32" else kalphas64
                predictions = kfold32 if dtype == "float32" else kfold64
                print(f"  speed-up vs himalaya ({backend}, {dtype}): ours {dtype} "
                      f"{th / ours_time:.2f}x; same alphas {same(mine, their_alphas):.2f}% of "
                      f"targets; max relative prediction difference "
                      f"{_relative_difference(predictions, theirs):.2e}")

if __name__ == "__main__":
    main()
