"""dynamic_vision: how brain-like is a vision model on dynamic stimuli?

>>> import dynamic_vision as dv
>>> dv.list_benchmarks("SimMotion.*")            # doctest: +SKIP
>>> s = dv.score("motion-energy", "SimMotion.MT-ridge")  # doctest: +SKIP

Importing this package and listing the registries never imports torch, numpy or a plugin's
implementation; loading an entry does.
"""

from __future__ import annotations

from typing import Any

from dynamic_vision._version import __version__
from dynamic_vision.core import plugins as _plugins  # noqa: F401  (wires lazy discovery)
from dynamic_vision.core.errors import DynamicVisionError
from dynamic_vision.core.registry import (
    REGISTRIES,
    DuplicateIdentifierError,
    MissingDependencyError,
    UnknownIdentifierError,
    benchmark_registry,
    dataset_registry,
    metric_registry,
    model_registry,
    stimulus_set_registry,
)
from dynamic_vision.core.exports import lazy_exports

# Imported on first use: `import dynamic_vision` (and the command line's --help) stays quick.
__getattr__, _dir = lazy_exports(__name__, {"Score": "dynamic_vision.core.scores",
                                            "score": "dynamic_vision.scoring",
                                            "reusing_models": "dynamic_vision.scoring",
                                            "score_many": "dynamic_vision.scale"})


__all__ = [
    "__version__",
    "score",
    "score_many",
    "reusing_models",
    "Score",
    "load_model",
    "load_benchmark",
    "load_dataset",
    "load_stimulus_set",
    "load_metric",
    "list_models",
    "list_benchmarks",
    "list_datasets",
    "list_stimulus_sets",
    "list_metrics",
    "model_registry",
    "benchmark_registry",
    "dataset_registry",
    "stimulus_set_registry",
    "metric_registry",
    "REGISTRIES",
    "DynamicVisionError",
    "UnknownIdentifierError",
    "DuplicateIdentifierError",
    "MissingDependencyError",
]


def load_model(identifier: str, **kwargs: Any) -> Any:
    """Instantiate the registered model ``identifier`` (a BrainModel)."""
    return model_registry.load(identifier, **kwargs)


def load_benchmark(identifier: str, **kwargs: Any) -> Any:
    """Instantiate the registered benchmark ``identifier``."""
    return benchmark_registry.load(identifier, **kwargs)


def load_dataset(identifier: str, **kwargs: Any) -> Any:
    """Load the registered dataset ``identifier`` (recordings, fetched and verified if needed)."""
    return dataset_registry.load(identifier, **kwargs)


def load_stimulus_set(identifier: str, **kwargs: Any) -> Any:
    """Load the registered stimulus set ``identifier``."""
    return stimulus_set_registry.load(identifier, **kwargs)


def load_metric(identifier: str, **kwargs: Any) -> Any:
    """Instantiate the registered metric ``identifier``."""
    return metric_registry.load(identifier, **kwargs)


def list_models(pattern: str | None = None) -> list[str]:
    """Registered model identifiers, optionally filtered by an fnmatch wildcard."""
    return model_registry.list(pattern)


def list_benchmarks(pattern: str | None = None) -> list[str]:
    """Registered benchmark identifiers, optionally filtered by an fnmatch wildcard."""
    return benchmark_registry.list(pattern)


def list_datasets(pattern: str | None = None) -> list[str]:
    """Registered dataset identifiers, optionally filtered by an fnmatch wildcard."""
    return dataset_registry.list(pattern)


def list_stimulus_sets(pattern: str | None = None) -> list[str]:
    """Registered stimulus set identifiers, optionally filtered by an fnmatch wildcard."""
    return stimulus_set_registry.list(pattern)


def list_metrics(pattern: str | None = None) -> list[str]:
    """Registered metric identifiers, optionally filtered by an fnmatch wildcard."""
    return metric_registry.list(pattern)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_dir()))
