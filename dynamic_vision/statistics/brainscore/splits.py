"""The random draws of Brain-Score's metrics and ceilings, reproduced with the same generators.

- Cross-validation (:func:`stimulus_splits`): scikit-learn ``StratifiedShuffleSplit`` (or
  ``ShuffleSplit`` without class labels), 10 splits, ``random_state=1``; the regression metrics
  use ``train_size=0.9``, the ``*_cv`` similarity metrics ``test_size=0.9`` and score the test
  part. Positions index the target's stimuli sorted by ``stimulus_id`` (the order of
  Brain-Score's ``average_repetition`` output).
- Internal consistency (:func:`repetition_halves`): ``ShuffleSplit(10, train_size=0.5,
  random_state=1)`` over the *unique repetition values*: the same halves for every stimulus.
- Behaviour (:func:`trial_halves`): one ``numpy.random.RandomState(0)`` shuffles the trial
  indices once per split; the first ``n // 2`` are half 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ALPHA_LIST", "stimulus_splits", "repetition_halves", "trial_halves"]


def _alpha_list() -> tuple[float, ...]:
    alphas = [0.01, 0.1, 0.5, 1.0]
    for start, count in ((10.0, 4), (100.0, 18), (1e3, 18), (1e4, 18), (1e5, 18)):
        alphas += np.linspace(start, 10.0 * start, count, endpoint=False).tolist()
    alphas += np.linspace(1e6, 1e7, 19).tolist()
    return tuple(float(a) for a in alphas)


#: The 99 ridge penalties of Brain-Score's ``ridge_cv_regression`` (``RidgeCV(alphas=...)``).
ALPHA_LIST: tuple[float, ...] = _alpha_list()


def stimulus_splits(n_stimuli: int, labels: np.ndarray | None = None, *, n_splits: int = 10,
                    train_size: float | None = 0.9, test_size: float | None = None,
                    seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """Brain-Score's cross-validation splits over ``n_stimuli`` stimuli.

    Parameters
    ----------
    n_stimuli
        Number of stimuli (the target's, sorted by ``stimulus_id``).
    labels
        Class label per stimulus (``object_name``) to stratify by; ``None``: unstratified.
    n_splits, train_size, test_size, seed
        As Brain-Score passes them to scikit-learn (regression: ``train_size=0.9``;
        ``rdm_cv``/``cka_cv``: ``train_size=None, test_size=0.9``).

    Returns
    -------
    list of (train, test)
        Sorted positions of each split.
    """
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    options = dict(n_splits=n_splits, train_size=train_size, test_size=test_size,
                   random_state=seed)
    placeholder = np.zeros(n_stimuli)
    if labels is None:
        folds = ShuffleSplit(**options).split(placeholder)
    else:
        labels = np.asarray(labels)
        if len(labels) != n_stimuli:
            raise ValueError(f"{len(labels)} labels for {n_stimuli} stimuli.")
        folds = StratifiedShuffleSplit(**options).split(placeholder, labels)
    return [(np.sort(train), np.sort(test)) for train, test in folds]


def repetition_halves(repetitions: np.ndarray, *, n_splits: int = 10, seed: int = 1
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Brain-Score's split-half halves of the repetition *values* (shared by every stimulus).

    Returns
    -------
    list of (half1_values, half2_values)
        The repetition values in each half (``floor(n / 2)`` in the first), sorted.
    """
    from sklearn.model_selection import ShuffleSplit

    values = np.unique(np.asarray(repetitions))
    if len(values) < 2:
        raise ValueError(f"A split-half ceiling needs at least 2 repetition values, got "
                         f"{values.tolist()}.")
    splitter = ShuffleSplit(n_splits=n_splits, train_size=0.5, test_size=None, random_state=seed)
    return [(np.sort(values[first]), np.sort(values[second]))
            for first, second in splitter.split(np.zeros(len(values)))]


def trial_halves(n_trials: int, *, n_splits: int = 2, seed: int = 0
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Brain-Score's behavioural trial halves: one ``RandomState(seed)``, one shuffle per split.

    Returns
    -------
    list of (half1, half2)
        Trial positions in permutation order; half 1 is the first ``n_trials // 2``.
    """
    if n_trials < 2:
        raise ValueError(f"Trial halves need at least 2 trials, got {n_trials}.")
    random_state = np.random.RandomState(seed)
    halves = []
    for _ in range(n_splits):
        order = np.arange(n_trials)
        random_state.shuffle(order)
        halves.append((order[: n_trials // 2], order[n_trials // 2:]))
    return halves
