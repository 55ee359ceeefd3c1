"""The behavioural readout models use for ``start_task``: a linear classifier on features.

A model asked to perform :attr:`~dynamic_vision.core.brain_model.Task.label` or
:attr:`~dynamic_vision.core.brain_model.Task.probabilities` fits a standardised multinomial
logistic regression on the fitting stimuli's features (one row per stimulus, e.g. time-averaged
activations of a layer) against their ``label`` column, and answers with its predictions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.brain_model import Task

__all__ = ["fit_readout", "readout_output"]


def fit_readout(task: Task, fitting_stimuli: Any, features: Any) -> Any:
    """Fit the readout for ``task`` on ``fitting_stimuli`` (needs a ``label`` column).

    ``features`` is the ``(stimuli, features)`` array, or a callable computing it from the
    stimuli, so that nothing is computed when the stimuli are unusable.
    """
    if fitting_stimuli is None or "label" not in getattr(fitting_stimuli, "columns", []):
        raise ValueError(f"Task '{task.value}' needs fitting_stimuli with a 'label' column.")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    values = features(fitting_stimuli) if callable(features) else features
    readout = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    readout.fit(values, np.asarray(fitting_stimuli["label"]).astype(str))
    return readout


def readout_output(readout: Any, task: Task, stimuli: Any, features: np.ndarray) -> xr.DataArray:
    """The readout's answer per presentation: labels, or ``(presentation, choice)``
    probabilities for :attr:`Task.probabilities`."""
    ids = [str(value) for value in stimuli["stimulus_id"]]
    if task is Task.probabilities:
        return xr.DataArray(readout.predict_proba(features), dims=("presentation", "choice"),
                            coords={"stimulus_id": ("presentation", ids),
                                    "choice": ("choice", list(readout.classes_))})
    return xr.DataArray(readout.predict(features), dims=("presentation",),
                        coords={"stimulus_id": ("presentation", ids)})
