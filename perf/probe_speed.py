"""The task benchmarks' logistic probe: dynamic_vision's engine vs scikit-learn LogisticRegression.

The task: :func:`dynamic_vision.benchmark_kinds.task.cross_validated_probe` on ``n`` stimuli ×
``p`` features, ``k`` classes (5 stratified outer folds; in each, ``C`` chosen from
``PROBE_CS`` by stratified inner 3-fold accuracy, then a refit: 65 logistic fits per probe).
The peer runs the very same folds and selection rule with scikit-learn's
``LogisticRegression(C=c, max_iter=1000)`` (lbfgs, its default tolerance) — the engine the
probe used before — and, with ``--tight``, also with ``tol=1e-10`` (the optimum both engines
aim at).

Default problems have the main job's RandomDots shapes (72 held-out stimuli, 8 directions,
256 to 1000 features: pixels, motion-energy, r3d_18/resnet18 layers) with class signal in a
few directions; ``--features a.npz b.npz`` probes saved arrays instead (``features``,
``labels``). Prints CPU seconds of both, their ratio (peer / ours), and how many out-of-fold
predictions agree. Both run single-threaded BLAS in this process, on the same data.
Predictions that differ from the default-tolerance peer's are its lbfgs stopping short of the
optimum (``tol=1e-4`` on the gradient of the per-sample mean objective, often after a few
iterations at ``C=10`` on near-chance features); the ``tol=1e-10`` peer agrees with ours.

    python perf/probe_speed.py
    python perf/probe_speed.py --tight            # also scikit-learn at tol=1e-10
    python perf/probe_speed.py --features probe_*.npz
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from dynamic_vision.benchmark_kinds import task


def _scikit_learn_probe(tol: float):
    """The probe's classification fit with scikit-learn's LogisticRegression as the engine."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    max_iter = 1000 if tol >= 1e-4 else 100_000

    def fit_predict_fold(X_train, y_train, X_test, seed):
        if len(np.unique(y_train)) < 2:
            return np.full(len(X_test), y_train[0])
        n_inner = min(3, int(np.unique(y_train, return_counts=True)[1].min()))
        best_c = task.PROBE_CS[len(task.PROBE_CS) // 2]
        if n_inner >= 2:
            inner = list(StratifiedKFold(n_inner, shuffle=True, random_state=seed)
                         .split(X_train, y_train))
            accuracy = [np.mean([np.mean(LogisticRegression(C=c, max_iter=max_iter, tol=tol)
                                         .fit(X_train[fit], y_train[fit])
                                         .predict(X_train[check]) == y_train[check])
                                 for fit, check in inner]) for c in task.PROBE_CS]
            best_c = task.PROBE_CS[int(np.argmax(accuracy))]
        return (LogisticRegression(C=best_c, max_iter=max_iter, tol=tol)
                .fit(X_train, y_train).predict(X_test))

    def fit_predict(folds, seed):
        return [fit_predict_fold(X_train, y_train, X_test, seed)
                for X_train, y_train, X_test in folds]

    return fit_predict


def _problems(args) -> list[tuple[str, np.ndarray, np.ndarray]]:
    if args.features:
        loaded = []
        for path in args.features:
            with np.load(path) as data:
                loaded.append((os.path.basename(path), data["features"], data["labels"]))
        return loaded
    rng = np.random.default_rng(0)
    problems = []
    for p in args.p:
        labels = np.repeat(np.arange(args.k), args.n // args.k)
        rng.shuffle(labels)
        signal = rng.standard_normal((args.k, 4)) @ rng.standard_normal((4, p))
        mixing = rng.standard_normal((20, p))
        features = (rng.standard_normal((len(labels), 20)) @ mixing
                    + args.signal * signal[labels] + rng.standard_normal((len(labels), p)))
        problems.append((f"n={len(labels)} p={p} k={args.k}", features, labels))
    return problems


def _timed(function) -> tuple[float, object]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=72)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--p", type=int, nargs="+", default=[256, 432, 512, 1000])
    parser.add_argument("--signal", type=float, default=0.3)
    parser.add_argument("--features", nargs="+", help="saved probe inputs (.npz)")
    parser.add_argument("--tight", action="store_true", help="also scikit-learn at tol=1e-10")
    args = parser.parse_args()

    engines = {"ours": task._logistic_fit_predict,
               "scikit-learn": _scikit_learn_probe(1e-4)}
    if args.tight:
        engines["scikit-learn tol=1e-10"] = _scikit_learn_probe(1e-10)
    print(f"load average {os.getloadavg()[0]:.1f}; CPU seconds per probe (65 fits)")
    print(f"  {'problem':<28s}" + "".join(f"{name:>24s}" for name in engines)
          + "".join(f"   agree({peer.split()[-1]})" for peer in list(engines)[1:]))
    totals = dict.fromkeys(engines, 0.0)
    original = task._logistic_fit_predict
    warm_up = np.random.default_rng(1).standard_normal((40, 60)), np.arange(40) % 4
    try:
        for fit_predict in engines.values():  # imports and first calls outside the timings
            task._logistic_fit_predict = fit_predict
            task.cross_validated_probe(*warm_up)
        for name, features, labels in _problems(args):
            predictions, seconds = {}, {}
            for engine, fit_predict in engines.items():
                task._logistic_fit_predict = fit_predict
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # lbfgs convergence warnings of the peer
                    seconds[engine], predictions[engine] = _timed(
                        lambda: task.cross_validated_probe(features, labels))
                totals[engine] += seconds[engine]
            line = f"  {name:<28s}" + "".join(f"{seconds[e]:>24.2f}" for e in engines)
            agree = [int(np.sum(predictions["ours"] == predictions[peer]))
                     for peer in list(engines)[1:]]
            print(line + "".join(f"   {a:>3d}/{len(labels):<3d}" for a in agree), flush=True)
    finally:
        task._logistic_fit_predict = original
    print(f"  {'total':<28s}" + "".join(f"{totals[e]:>24.2f}" for e in engines))
    for peer in list(engines)[1:]:
        print(f"speed ratio {peer} / ours: {totals[peer] / totals['ours']:.1f}x")


if __name__ == "__main__":
    main()
