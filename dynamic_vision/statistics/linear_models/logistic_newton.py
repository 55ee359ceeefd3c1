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
  Theta``. Eigen-directions with negligible eigenvalues (below ``1e-12`` of the largest) are
  dropped; they carry no signal at double precision. Features of other samples enter only
  through their inner products with the training samples, so one Gram matrix per outer fold
  also serves every inner fold (a sub-block) and every penalty.
- **Sum-to-zero classes.** At the optimum the class weight vectors sum to zero (the loss
  gradient sums to zero over classes), so ``W = Theta B^T`` with ``B`` an orthonormal basis of
  the sum-zero class space: ``K - 1`` columns instead of ``K``, penalty unchanged.
- **Newton's method** with the full Hessian (a few hundred unknowns) and a backtracking
  line search converges quadratically; it stops once the Newton decrement says the objective
  is within ``tol`` (relative) of its minimum. A path over increasing penalties ``C`` starts
  each fit from the previous optimum.

``tests/test_logistic_newton.py`` compares decision functions, probabilities and predictions
with scikit-learn's ``LogisticRegression(tol=1e-10)``; ``perf/probe_speed.py`` times both.
"""

from __future__ import annotations

from collections.abc import Sequence
import numpy as np

__all__ = ["LogisticNewton", "cross_validated_logistic", "fit_logistic", "class_basis"]

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
        X = np.asarray(X, dtype=np.float64)
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


def cross_validated_logistic(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                             Cs: Sequence[float], folds: Sequence[tuple[np.ndarray, np.ndarray]],
                             *, tol: float = 1e-12) -> tuple[np.ndarray, float]:
    """Choose ``C`` by inner-fold accuracy, refit on all training samples, predict the test.

    The result equals, up to the solvers' convergence, fitting scikit-learn's
    ``LogisticRegression(C=c)`` on every ``(fit, check)`` fold for every ``c`` in ``Cs``,
    taking the ``c`` with the highest mean check accuracy (the first on ties) and refitting.

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
    X_train = np.asarray(X_train, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    classes, codes = np.unique(np.asarray(y_train), return_inverse=True)
    n_classes = len(classes)
    basis = class_basis(n_classes)
    subsets = _Subsets(X_train, X_test)
    path = sorted(range(len(Cs)), key=lambda index: Cs[index])  # warm starts: small C first
    accuracy = np.zeros((len(folds), len(Cs)))
    solutions: dict[int, list] = {index: [] for index in range(len(Cs))}
    folds = [(np.asarray(fit), np.asarray(check)) for fit, check in folds]
    complete = [f for f, (fit, _) in enumerate(folds) if len(np.unique(codes[fit])) == n_classes]
    # Folds whose fitting part lacks a class are fitted, as scikit-learn would, on the classes
    # they have (stratified folds never do this when every class has as many samples as folds).
    groups = [complete] + [[f] for f in range(len(folds)) if f not in complete]
    for group in groups:
        if not group:
            continue
        spaces = [subsets.coordinates(*folds[f]) for f in group]
        present = np.unique(np.concatenate([codes[folds[f][0]] for f in group]))
        local = np.searchsorted(present, codes)
        size = max(len(folds[f][0]) for f in group)
        rank = max(space[0].shape[1] for space in spaces)
        Z = np.zeros((len(group), size, rank))
        fit_codes = np.zeros((len(group), size), dtype=np.int64)
        weights = np.zeros((len(group), size))
        for g, (f, space) in enumerate(zip(group, spaces)):
            fit = folds[f][0]
            Z[g, :len(fit), :space[0].shape[1]] = space[0]
            fit_codes[g, :len(fit)] = local[fit]
            weights[g, :len(fit)] = 1.0
        local_basis = class_basis(len(present))
        omega = None
        for index in path:
            omega = fit_logistic(Z, fit_codes, weights, len(present),
                                       np.full(len(group), Cs[index]), start=omega, tol=tol)
            for g, (f, space) in enumerate(zip(group, spaces)):
                r = space[0].shape[1]
                own = np.vstack([omega[g, :r], omega[g, -1:]])
                predicted = present[_predict_codes(space[1], own, local_basis)]
                accuracy[f, index] = np.mean(predicted == codes[folds[f][1]])
                if len(present) == n_classes:
                    solutions[index].append((folds[f][0], own, space[2]))
    best = int(np.argmax(accuracy.mean(axis=0))) if len(folds) else len(Cs) // 2
    everything = np.arange(len(X_train))
    test = np.arange(len(X_train), len(X_train) + len(X_test))
    Z, Z_test, basis_all = subsets.coordinates(everything, test)
    start = (subsets.start(everything, basis_all, solutions[best])[None] if solutions[best]
             else None)
    omega = fit_logistic(Z[None], codes[None], np.ones((1, len(Z))), n_classes,
                               np.array([Cs[best]]), start=start, tol=tol)[0]
    return classes[_predict_codes(Z_test, omega, basis)], float(Cs[best])


def fit_logistic(Z: np.ndarray, codes: np.ndarray, weights: np.ndarray, n_classes: int,
                       Cs: np.ndarray, *, start: np.ndarray | None = None, tol: float = 1e-12,
                       max_iter: int = 100) -> np.ndarray:
    """Minimise ``C * sum_i w_i log_loss_i + 1/2 ||Theta||^2`` for a stack of problems.

    Problems are stacked on the first axis and padded to common sizes: padding rows get
    weight 0 and padding coordinates (columns of zeros) keep zero weights, so every problem's
    optimum is its own. Newton steps are solved by conjugate gradients on exact
    Hessian-vector products, preconditioned with the Hessian's diagonal ``m x m`` blocks
    (exact when all samples had the same class probabilities, as the coordinate columns are
    orthogonal).

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

        reduced = probabilities @ basis
        curvature = weights * (probabilities @ basis_pairs
                               - (reduced[:, :, :, None] * reduced[:, :, None, :]
                                  ).reshape(b, n, m * m))
        blocks = (Cs * (squares_t @ curvature)).reshape(b, r + 1, m, m)
        blocks += penalised[..., None] * np.eye(m)
        blocks[:, -1] += 1e-12 * np.eye(m)
        preconditioner = np.linalg.inv(blocks)
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
    return omega
