"""L2-penalised logistic regression solved exactly in the smaller of feature and sample space.

The objective is scikit-learn's ``LogisticRegression(C=C)`` (lbfgs) objective::

    C * sum_i log_loss(x_i @ W + b, y_i) + 1/2 * ||W||^2        (intercept b unpenalised)

multinomial (softmax) for three or more classes, binomial (one weight vector, the first class
as reference) for two, as scikit-learn fits them.

Why it is cheap, and still exact
--------------------------------
- **Sample space when features outnumber samples.** The optimal ``W`` lies in the row space
  of the training features ``X`` (the penalty only grows outside it), so with the Gram matrix
  ``X X^T = U S U^T`` the problem is the same problem on ``r <= n`` coordinates
  ``Z = U S^(1/2)``: ``X W = Z Theta`` and ``||W||^2 = ||Theta||^2`` for ``W = X^T U S^(-1/2)
  Theta``. Eigen-directions with eigenvalues below ``1e-12`` of the largest are dropped (at
  double precision they are rounding noise, e.g. the direction removed by centring). Other
  samples enter only through their inner products with the training samples, so one matrix
  ``[X_train; X_test] X_train^T`` per outer fold serves every inner fold (a sub-block) and
  every penalty. With fewer features than samples the coordinates are ``Z = X V`` (``V``: the
  eigenvectors of ``X^T X``). Either way the columns of ``Z`` are orthogonal.
- **Sum-to-zero classes.** At the optimum the class weight vectors sum to zero (the loss
  gradient sums to zero over classes), so ``W = Theta B^T`` with ``B`` an orthonormal basis of
  the sum-zero class space: ``K - 1`` columns instead of ``K``, penalty unchanged. (Two
  classes: scikit-learn's binomial form, ``B = [0, 1]^T``.)
- **Newton's method** with a backtracking (Armijo) line search converges quadratically; each
  fit stops once the Newton decrement bounds the objective's distance to its minimum by
  ``tol`` (relative, default ``1e-12``). Newton steps are solved by conjugate gradients on
  exact Hessian-vector products, preconditioned by the Hessian's diagonal ``(K-1) x (K-1)``
  blocks at the starting point (exact if every sample had the same class probabilities,
  because the columns of ``Z`` are orthogonal).
- **Many small problems at once.** :func:`cross_validated_logistic_many` stacks every inner
  fold of every outer fold (padding rows get weight 0, padding coordinates stay 0) and walks
  the penalties from small to large ``C``, each fit starting from the previous optimum; the
  refit at the chosen ``C`` starts from the inner folds' mean solution.

``tests/test_logistic_newton.py`` compares decision functions, probabilities and predictions
with scikit-learn's ``LogisticRegression(tol=1e-10)``; ``perf/probe_speed.py`` times both.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["LogisticNewton", "cross_validated_logistic", "cross_validated_logistic_many",
           "fit_logistic", "class_basis"]

# Eigenvalues of the Gram matrix below this fraction of the largest are rounding noise.
_RANK_TOLERANCE = 1e-12


def class_basis(n_classes: int) -> np.ndarray:
    """``(n_classes, m)`` map from free parameters to class logits.

    Two classes: ``[[0], [1]]`` (scikit-learn's binomial form: one weight vector for the second
    class, penalised as such). More: an orthonormal basis of the vectors summing to zero.
    """
    if n_classes < 2:
        raise ValueError(f"Logistic regression needs at least 2 classes; got {n_classes}.")
    if n_classes == 2:
        return np.array([[0.0], [1.0]])
    # Orthonormal complement of the all-ones vector (Helmert-like, via QR).
    ones = np.ones((n_classes, 1)) / np.sqrt(n_classes)
    q = np.linalg.qr(np.hstack([ones, np.eye(n_classes)[:, :-1]]))[0]
    return q[:, 1:]


def _eigenbasis(gram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvectors and eigenvalues of a Gram matrix, rounding-noise directions dropped."""
    values, vectors = np.linalg.eigh(gram)
    keep = values > _RANK_TOLERANCE * max(values[-1], 0.0)
    if not keep.any():  # all-zero features: one zero coordinate keeps the shapes valid
        return np.zeros((len(gram), 1)), np.ones(1)
    return vectors[:, keep], values[keep]


class LogisticNewton:
    """scikit-learn-style L2 logistic regression, solved exactly by :func:`fit_logistic`.

    Parameters
    ----------
    C
        Inverse penalty (as scikit-learn's ``LogisticRegression``).
    tol
        Relative objective tolerance of the Newton iterations.

    Attributes
    ----------
    classes_, coef_, intercept_
        As scikit-learn's: ``coef_`` is ``(1, p)`` for two classes, ``(n_classes, p)`` else.
    """

    def __init__(self, C: float = 1.0, tol: float = 1e-12):
        self.C = C
        self.tol = tol

    def fit(self, X: np.ndarray, y: Sequence) -> LogisticNewton:
        """Fit on ``(n, p)`` features and one label per sample."""
        X = _checked(X, "the features")
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        n_classes = len(self.classes_)
        n = len(X)
        subsets = _Subsets(X, X[:0])
        everything = np.arange(n)
        Z, _, basis = subsets.coordinates(everything, everything[:0])
        omega = fit_logistic(Z[None], codes[None], np.ones((1, n)), n_classes,
                             np.array([self.C]), tol=self.tol)[0]
        weights = subsets.weights(everything, basis, omega[:-1])
        full = np.vstack([weights, omega[-1:]]) @ class_basis(n_classes).T
        if n_classes == 2:
            self.coef_, self.intercept_ = full[:-1, 1][None, :], full[-1:, 1]
        else:
            self.coef_, self.intercept_ = full[:-1].T, full[-1]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Logits (two classes: the second class's logit, one column dropped)."""
        scores = np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, columns ordered as ``classes_``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([np.zeros_like(scores), scores])
        scores = scores - scores.max(axis=1, keepdims=True)
        expd = np.exp(scores)
        return expd / expd.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Most probable class (the first on ties, as scikit-learn)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


def _checked(X: np.ndarray, what: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"Logistic regression needs {what} as a 2-d samples x features array; "
                         f"got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError(f"Logistic regression: {what} contain NaN or infinite values "
                         f"({int((~np.isfinite(X)).any(axis=1).sum())} of {len(X)} samples); "
                         f"drop or impute them first.")
    return X


class _Subsets:
    """Coordinates, with orthogonal columns, of subsets of the training samples.

    Primal (``p <= n``): ``Z = X V`` with ``V`` the eigenvectors of ``X^T X`` (``W = V
    Theta``). Sample space (``p > n``): ``Z = U S^(1/2)`` from the Gram matrix ``X X^T = U S
    U^T`` (``W = X^T U S^(-1/2) Theta``); one matrix of inner products ``[X_train; X_test]
    @ X_train.T`` serves every subset. Either way ``X W = Z Theta`` and ``||W|| = ||Theta||``.
    """

    def __init__(self, X_train: np.ndarray, X_test: np.ndarray):
        self.X_train = X_train
        self.dual = X_train.shape[1] > len(X_train)
        self.features = np.vstack([X_train, X_test])
        if self.dual:
            self.gram = self.features @ X_train.T

    def coordinates(self, rows: np.ndarray, others: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``Z`` of ``rows``, ``Z`` of ``others`` (indices into ``[train; test]``), and the
        coordinate basis (``V``, or ``U S^(-1/2)`` in sample space)."""
        if not self.dual:
            vectors, _ = _eigenbasis(self.features[rows].T @ self.features[rows])
            return self.features[rows] @ vectors, self.features[others] @ vectors, vectors
        vectors, values = _eigenbasis(self.gram[np.ix_(rows, rows)])
        basis = vectors / np.sqrt(values)
        return vectors * np.sqrt(values), self.gram[np.ix_(others, rows)] @ basis, basis

    def weights(self, rows: np.ndarray, basis: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Feature weights ``W`` (``p x m``) of coordinate weights ``theta`` fitted on ``rows``."""
        return basis @ theta if not self.dual else self.X_train[rows].T @ (basis @ theta)

    def start(self, rows: np.ndarray, basis: np.ndarray,
              solutions: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """Mean of solutions fitted on other subsets, in the coordinates of ``rows``."""
        starts = []
        for fitted_rows, omega, fitted_basis in solutions:
            if self.dual:  # Theta = basis^T X_rows W, with W = X_fitted^T fitted_basis Theta'
                theta = basis.T @ (self.gram[np.ix_(rows, fitted_rows)]
                                   @ (fitted_basis @ omega[:-1]))
            else:
                theta = basis.T @ (fitted_basis @ omega[:-1])
            starts.append(np.vstack([theta, omega[-1:]]))
        return np.mean(starts, axis=0)


def _predict_codes(Z: np.ndarray, omega: np.ndarray, basis: np.ndarray) -> np.ndarray:
    logits = (Z @ omega[:-1] + omega[-1]) @ basis.T
    # First maximum wins, as scikit-learn's argmax (binomial: class 1 only when its logit > 0).
    return logits.argmax(axis=1)


def _stack(fits: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Pad ``(Z, local codes, start)`` of several fits to common sizes (weights 0 for padding
    rows; zero columns for padding coordinates) and stack them."""
    size = max(len(Z) for Z, _, _ in fits)
    rank = max(Z.shape[1] for Z, _, _ in fits)
    Z = np.zeros((len(fits), size, rank))
    codes = np.zeros((len(fits), size), dtype=np.int64)
    weights = np.zeros((len(fits), size))
    starts = None
    for g, (own_Z, own_codes, start) in enumerate(fits):
        n, r = own_Z.shape
        Z[g, :n, :r], codes[g, :n], weights[g, :n] = own_Z, own_codes, 1.0
        if start is not None:
            if starts is None:
                starts = np.zeros((len(fits), rank + 1, start.shape[1]))
            starts[g, :r], starts[g, -1] = start[:-1], start[-1]
    return Z, codes, weights, starts


def _unpad(omega: np.ndarray, rank: int) -> np.ndarray:
    return np.vstack([omega[:rank], omega[-1:]])


def cross_validated_logistic(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                             Cs: Sequence[float], folds: Sequence[tuple[np.ndarray, np.ndarray]],
                             *, tol: float = 1e-12) -> tuple[np.ndarray, float]:
    """Choose ``C`` by inner-fold accuracy, refit on all training samples, predict the test.

    The result equals, up to the solvers' convergence, fitting scikit-learn's
    ``LogisticRegression(C=c)`` on every ``(fit, check)`` fold for every ``c`` in ``Cs``,
    taking the ``c`` with the highest mean check accuracy (the first on ties) and refitting.
    A fold whose fitting part lacks a class is fitted, as scikit-learn would, on the classes
    it has (stratified folds never do this when every class has as many samples as folds).

    Parameters
    ----------
    X_train, y_train, X_test
        Training features and labels, test features (already standardised as wanted).
    Cs
        Candidate inverse penalties, in the order in which ties are broken.
    folds
        ``(fit, check)`` index pairs into the training samples; empty: ``Cs[len(Cs) // 2]``.
    tol
        Relative objective tolerance of every fit (:func:`fit_logistic`).

    Returns
    -------
    predictions, C
        Predicted labels of the test samples and the chosen inverse penalty.
    """
    return cross_validated_logistic_many([(X_train, y_train, X_test, folds)], Cs, tol=tol)[0]


def cross_validated_logistic_many(
        problems: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray,
                                 Sequence[tuple[np.ndarray, np.ndarray]]]],
        Cs: Sequence[float], *, tol: float = 1e-12) -> list[tuple[np.ndarray, float]]:
    """:func:`cross_validated_logistic` of several problems (e.g. outer folds) at once.

    Fits with the same number of classes are solved together (one Newton-CG run per penalty
    for all inner folds of all problems, one for all refits), which is what makes many small
    probes cheap.

    Parameters
    ----------
    problems
        ``(X_train, y_train, X_test, folds)`` per problem.
    Cs, tol
        As :func:`cross_validated_logistic`.
    """
    prepared = []
    for X_train, y_train, X_test, folds in problems:
        X_train = _checked(X_train, "the training features")
        X_test = _checked(X_test, "the test features")
        if X_test.shape[1] != X_train.shape[1]:
            raise ValueError(f"Logistic regression: the test features have {X_test.shape[1]} "
                             f"columns, the training features {X_train.shape[1]}.")
        classes, codes = np.unique(np.asarray(y_train), return_inverse=True)
        folds = [(np.asarray(fit), np.asarray(check)) for fit, check in folds]
        prepared.append((classes, codes, _Subsets(X_train, X_test), folds))
    # Inner fits, grouped by the number of classes their fitting part has.
    inner: dict[int, list] = {}
    for i, (_, codes, subsets, folds) in enumerate(prepared):
        for f, (fit, check) in enumerate(folds):
            present = np.unique(codes[fit])
            inner.setdefault(len(present), []).append(
                (i, f, present, subsets.coordinates(fit, check)))
    path = sorted(range(len(Cs)), key=lambda index: Cs[index])  # warm starts: small C first
    accuracy = [np.zeros((len(folds), len(Cs))) for *_, folds in prepared]
    solutions: list[dict[int, list]] = [{index: [] for index in range(len(Cs))}
                                        for _ in prepared]
    for n_present, group in inner.items():
        fits = [(space[0], np.searchsorted(present, prepared[i][1][prepared[i][3][f][0]]), None)
                for i, f, present, space in group]
        Z, codes, weights, omega = _stack(fits)
        local_basis = class_basis(n_present)
        for index in path:
            omega = fit_logistic(Z, codes, weights, n_present, np.full(len(group), Cs[index]),
                                 start=omega, tol=tol)
            for g, (i, f, present, (Z_fit, Z_check, basis)) in enumerate(group):
                classes, problem_codes, _, folds = prepared[i]
                own = _unpad(omega[g], Z_fit.shape[1])
                predicted = present[_predict_codes(Z_check, own, local_basis)]
                accuracy[i][f, index] = np.mean(predicted == problem_codes[folds[f][1]])
                if n_present == len(classes):
                    solutions[i][index].append((folds[f][0], own, basis))
    # Refits at the chosen C, grouped by number of classes, warm-started from the inner fits.
    chosen, refits = [], {}
    for i, (classes, codes, subsets, folds) in enumerate(prepared):
        best = int(np.argmax(accuracy[i].mean(axis=0))) if folds else len(Cs) // 2
        everything = np.arange(len(subsets.X_train))
        test = np.arange(len(subsets.X_train), len(subsets.features))
        Z, Z_test, basis = subsets.coordinates(everything, test)
        start = (subsets.start(everything, basis, solutions[i][best]) if solutions[i][best]
                 else np.zeros((Z.shape[1] + 1, class_basis(len(classes)).shape[1])))
        chosen.append(best)
        refits.setdefault(len(classes), []).append((i, Z, Z_test, codes, start))
    results: list = [None] * len(prepared)
    for n_classes, group in refits.items():
        Z, codes, weights, start = _stack([(Z, codes, start) for _, Z, _, codes, start in group])
        omega = fit_logistic(Z, codes, weights, n_classes,
                             np.array([Cs[chosen[i]] for i, *_ in group]), start=start, tol=tol)
        for g, (i, Z_fit, Z_test, _, _) in enumerate(group):
            own = _unpad(omega[g], Z_fit.shape[1])
            predicted = prepared[i][0][_predict_codes(Z_test, own, class_basis(n_classes))]
            results[i] = (predicted, float(Cs[chosen[i]]))
    return results


def fit_logistic(Z: np.ndarray, codes: np.ndarray, weights: np.ndarray, n_classes: int,
                 Cs: np.ndarray, *, start: np.ndarray | None = None, tol: float = 1e-12,
                 max_iter: int = 100) -> np.ndarray:
    """Minimise ``C * sum_i w_i log_loss_i + 1/2 ||Theta||^2`` for a stack of problems.

    Problems are stacked on the first axis and padded to common sizes: padding rows get
    weight 0 and padding coordinates (columns of zeros) keep zero weights, so every problem's
    optimum is its own. Newton steps are solved by conjugate gradients on exact
    Hessian-vector products, preconditioned with the Hessian's diagonal ``m x m`` blocks at
    ``start`` (exact when all samples had the same class probabilities, as the coordinate
    columns are orthogonal).

    Parameters
    ----------
    Z
        ``(b, n, r)`` coordinates.
    codes, weights
        ``(b, n)`` class index and weight (1, or 0 for padding) per sample.
    n_classes
        Number of classes (the same for every problem).
    Cs
        ``(b,)`` inverse penalties.
    start
        ``(b, r + 1, m)`` starting parameters, default zeros.
    tol
        Stop a problem when the Newton decrement bounds the distance to its minimum objective
        by ``tol * (1 + |objective|)``.
    max_iter
        Newton iterations at most.

    Returns
    -------
    numpy.ndarray
        ``(b, r + 1, m)`` parameters; the last row of each is the intercept.
    """
    b, n, r = Z.shape
    basis = class_basis(n_classes)
    m = basis.shape[1]
    Cs = np.asarray(Cs, dtype=np.float64).reshape(b, 1, 1)
    weights = np.asarray(weights, dtype=np.float64)[:, :, None]
    Z1 = np.concatenate([Z, np.ones((b, n, 1))], axis=2)
    Z1t = Z1.transpose(0, 2, 1)
    onehot = np.zeros((b, n, n_classes))
    np.put_along_axis(onehot, codes[:, :, None], 1.0, axis=2)
    basis_pairs = (basis[:, :, None] * basis[:, None, :]).reshape(n_classes, m * m)
    squares_t = (Z1 ** 2).transpose(0, 2, 1)
    penalised = np.ones((1, r + 1, 1))
    penalised[0, -1] = 0.0
    omega = np.zeros((b, r + 1, m)) if start is None else np.array(start, dtype=np.float64)

    def objective(omega: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits = Z1 @ (omega @ basis.T)
        logits -= logits.max(axis=2, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
        loss = -(weights * onehot * log_p).sum(axis=(1, 2))
        return Cs[:, 0, 0] * loss + 0.5 * ((omega * penalised) ** 2).sum(axis=(1, 2)), \
            np.exp(log_p)

    def dot(a: np.ndarray, c: np.ndarray) -> np.ndarray:
        return (a * c).sum(axis=(1, 2))

    value, probabilities = objective(omega)
    # Preconditioner: the Hessian's diagonal blocks at the start. Refreshing them every Newton
    # iteration costs more (many tiny inverses) than the few conjugate-gradient steps it saves.
    reduced = probabilities @ basis
    curvature = weights * (probabilities @ basis_pairs
                           - (reduced[:, :, :, None] * reduced[:, :, None, :]
                              ).reshape(b, n, m * m))
    blocks = (Cs * (squares_t @ curvature)).reshape(b, r + 1, m, m)
    blocks += penalised[..., None] * np.eye(m)
    blocks[:, -1] += 1e-12 * np.eye(m)
    preconditioner = np.linalg.inv(blocks)
    done = np.zeros(b, dtype=bool)
    for _ in range(max_iter):
        gradient = Cs * (Z1t @ ((weights * (probabilities - onehot)) @ basis)) \
            + omega * penalised
        gradient[done] = 0.0
        wp = weights * probabilities

        def hessian_times(v: np.ndarray) -> np.ndarray:
            u = (Z1 @ v) @ basis.T
            s = wp * u
            s -= wp * (probabilities * u).sum(axis=2, keepdims=True)
            return Cs * (Z1t @ (s @ basis)) + v * penalised

        # Conjugate gradients, to a relative residual min(0.5, sqrt(|g|)) (superlinear Newton).
        norm = np.sqrt(dot(gradient, gradient))
        target = np.minimum(0.5, np.sqrt(norm)) * norm
        step = np.zeros_like(gradient)
        residual = -gradient
        z = (preconditioner @ residual[..., None])[..., 0]
        direction = z.copy()
        rz = dot(residual, z)
        active = norm > 0
        for _ in range(10 * (r + 1) * m):
            if not active.any():
                break
            hd = hessian_times(direction)
            curv = dot(direction, hd)
            alpha = np.where(active & (curv > 0), rz / np.where(curv > 0, curv, 1.0), 0.0)
            step += alpha[:, None, None] * direction
            residual -= alpha[:, None, None] * hd
            active &= np.sqrt(dot(residual, residual)) > target
            z = (preconditioner @ residual[..., None])[..., 0]
            rz_new = dot(residual, z)
            beta = np.where(rz > 0, rz_new / np.where(rz > 0, rz, 1.0), 0.0)
            direction = z + beta[:, None, None] * direction
            rz = rz_new
        decrement = -dot(gradient, step)
        done |= decrement <= 2 * tol * (1.0 + np.abs(value))
        if done.all():
            break
        # Backtracking line search, problem by problem (Armijo).
        t = np.where(done, 0.0, 1.0)
        pending = ~done
        new_omega, new_value, new_probabilities = omega.copy(), value.copy(), probabilities.copy()
        while pending.any():
            trial = omega + t[:, None, None] * step
            trial_value, trial_probabilities = objective(trial)
            ok = pending & ((trial_value <= value - 1e-4 * t * decrement) | (t < 1e-10))
            new_omega[ok], new_value[ok] = trial[ok], trial_value[ok]
            new_probabilities[ok] = trial_probabilities[ok]
            pending &= ~ok
            t = np.where(pending, 0.5 * t, t)
        omega, value, probabilities = new_omega, new_value, new_probabilities
    else:
        warnings.warn(f"Logistic regression: {int((~done).sum())} of {b} fits did not reach "
                      f"the relative objective tolerance {tol:g} in {max_iter} Newton "
                      f"iterations; their weights are the last iterate.", RuntimeWarning,
                      stacklevel=2)
    return omega
