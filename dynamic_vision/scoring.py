"""``score(model, benchmark)``: resolve both, run the benchmark, cache and announce the result."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from dynamic_vision.core import storage
from dynamic_vision.core.errors import DynamicVisionError, ModelOptionError, NotABrainModelError
from dynamic_vision.core.registry import benchmark_registry, model_registry
from dynamic_vision.core.scores import Score

__all__ = ["score", "score_cache_path", "reusing_models"]

logger = logging.getLogger(__name__)


def _library_version() -> str:
    from dynamic_vision._version import __version__

    return __version__


def _version_of(registry: Any, identifier: str, loaded: Any = None) -> Any:
    info = registry.entry(identifier).metadata
    if "version" in info:
        return info["version"]
    return getattr(loaded, "version", None)


def score_cache_path(model_identifier: str, benchmark_identifier: str,
                     model_version: Any = None, benchmark_version: Any = None,
                     model_options: Mapping[str, Any] | None = None) -> Any:
    """Where the final score of a (model, benchmark) pair is cached."""
    parts: tuple[Any, ...] = (model_identifier, model_version, benchmark_identifier,
                              benchmark_version, _library_version())
    if model_options:
        parts += (dict(sorted(model_options.items())),)
    key = storage.stable_hash(*parts)
    return storage.home("scores", storage.safe_name(benchmark_identifier),
                        f"{storage.safe_name(model_identifier)}-{key}.json")


#: What every benchmark may call on a model (see dynamic_vision.core.brain_model.BrainModel).
_BRAIN_MODEL_METHODS = ("visual_degrees", "start_recording", "start_task", "look_at")


def _check_brain_model(model: Any, identifier: str) -> None:
    missing = [name for name in _BRAIN_MODEL_METHODS if not callable(getattr(model, name, None))]
    if missing:
        raise NotABrainModelError(
            f"Model '{identifier}' ({type(model).__name__}) lacks {', '.join(missing)}: a model "
            f"must implement the BrainModel protocol (dynamic_vision.core.brain_model); subclass "
            f"BrainModelBase, or wrap a torch module with "
            f"dynamic_vision.modeling.ModelCommitment.")


def build_model(identifier: str, options: Mapping[str, Any] | None = None) -> Any:
    """The registered model ``identifier`` built with ``options`` (keywords of its factory);
    a bad option raises :class:`ModelOptionError` naming the model and the option."""
    try:
        return model_registry.load(identifier, **dict(options or {}))
    except (TypeError, ValueError) as error:
        if not options or isinstance(error, DynamicVisionError):
            raise
        raise ModelOptionError(
            f"Model '{identifier}' cannot be built with the options {dict(options)}: {error}. "
            f"Check the options' names and values (--model-option MODEL:KEY=VALUE, or "
            f"model_options=); `dynamic-vision info {identifier}` shows what the model "
            f"declares.") from error


class _Reuse(threading.local):
    """The model kept by :func:`reusing_models` in this thread: (key, model) or None."""

    depth = 0
    kept: tuple[Any, Any] | None = None


_reuse = _Reuse()


@contextlib.contextmanager
def reusing_models() -> Iterator[None]:
    """Within the block, :func:`score` builds a registered model once for consecutive calls.

    The last registered model built (same identifier, registry entry and options) is handed to
    the next :func:`score` call instead of building it again, its recording/task state reset;
    weight-free models then keep the per-clip features they computed (a loop over benchmarks,
    model by model, decodes and filters every clip once). One model is kept at a time, in this
    thread only, and dropped when a benchmark fails or the block ends. Only
    :class:`~dynamic_vision.core.brain_model.BrainModelBase` models are reused, and none when
    ``DYNAMIC_VISION_NO_CACHE=1``. ``dynamic-vision score`` scores inside this block.

    Examples
    --------
    >>> from dynamic_vision.scoring import reusing_models, score
    >>> with reusing_models():  # doctest: +SKIP
    ...     scores = [score("motion-energy", b) for b in ("SimMotion.V1-ridge", "SimMotion.MT-rdm")]
    """
    _reuse.depth += 1
    try:
        yield
    finally:
        _reuse.depth -= 1
        if _reuse.depth == 0:
            _reuse.kept = None


def _registered_model(identifier: str, options: Mapping[str, Any] | None) -> Any:
    """Build ``identifier``, or take the one :func:`reusing_models` kept."""
    from dynamic_vision.core.brain_model import BrainModelBase

    if _reuse.depth == 0 or not storage.cache_enabled():
        return build_model(identifier, options)
    key = (identifier, json.dumps(dict(options or {}), sort_keys=True, default=repr))
    entry = model_registry.entry(identifier)
    if _reuse.kept is not None:
        (kept_key, kept_entry), model = _reuse.kept
        if kept_key == key and kept_entry is entry:
            model.reset_state()
            return model
    _reuse.kept = None
    model = build_model(identifier, options)
    if isinstance(model, BrainModelBase):
        _reuse.kept = ((key, entry), model)
    return model


def _cached_score(path: Any) -> Score | None:
    """The score cached at ``path``, if any; a damaged file is moved aside and recomputed."""
    data = storage.read_json_cache(path)
    if data is None:
        return None
    try:
        return Score.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        storage.quarantine(path, f"not a score: {type(error).__name__}: {error}")
        return None


def score(model: Any, benchmark: Any, *, cache: bool = True,
          model_options: Mapping[str, Any] | None = None) -> Score:
    """Score a model on a benchmark.

    Parameters
    ----------
    model
        A registered model identifier (see :func:`dynamic_vision.list_models`), a Brain-Score
        model by location (``"path/to/plugin_folder:identifier"``,
        ``"path/to/base_models.py:name"``; see docs/brainscore.md), or an object implementing
        :class:`~dynamic_vision.core.brain_model.BrainModel`.
    benchmark
        A registered benchmark identifier (see :func:`dynamic_vision.list_benchmarks`) or one
        of its aliases (e.g. Brain-Score's ``"MajajHong2015public.IT-pls"``), or a
        :class:`~dynamic_vision.core.benchmark.Benchmark` object.
    cache
        Read and write the on-disk score cache under ``DYNAMIC_VISION_HOME``. Only scores of
        registered identifiers are cached (objects carry no stable identity); setting
        ``DYNAMIC_VISION_NO_CACHE=1`` disables it everywhere.
    model_options
        Keyword arguments for loading a registered model (e.g. ``{"input_size": 64}`` for a
        smaller random-weight network); they are part of the score's cache key and provenance.

    Returns
    -------
    Score
        The ceiled score with ``raw``, ``ceiling``, ``error``, ``detail`` and ``provenance``.

    Examples
    --------
    >>> from dynamic_vision import score
    >>> s = score("motion-energy", "SimMotion.V1-ridge")  # doctest: +SKIP
    >>> s.value, s.raw, s.ceiling  # doctest: +SKIP
    """
    model_id = model if isinstance(model, str) else getattr(model, "identifier", None)
    benchmark_id = benchmark if isinstance(benchmark, str) else getattr(benchmark, "identifier", None)
    if model_id is None:
        raise TypeError(f"model must be an identifier or a BrainModel with an 'identifier', "
                        f"got {type(model).__name__}.")
    if benchmark_id is None:
        raise TypeError(f"benchmark must be an identifier or a Benchmark with an "
                        f"'identifier', got {type(benchmark).__name__}.")

    # Aliases (e.g. Brain-Score's benchmark names) and references resolve to the registered
    # identifier, which names the score in its provenance and its cache.
    if isinstance(benchmark, str):
        benchmark = benchmark_id = benchmark_registry.entry(benchmark).identifier
    if isinstance(model, str):
        model = model_id = model_registry.entry(model).identifier
    cacheable = cache and storage.cache_enabled() and isinstance(model, str) and isinstance(benchmark, str)
    benchmark_obj = benchmark_registry.load(benchmark) if isinstance(benchmark, str) else benchmark
    model_version = benchmark_version = None
    path = None
    if cacheable:
        model_version = _version_of(model_registry, model)
        benchmark_version = _version_of(benchmark_registry, benchmark, benchmark_obj)
        path = score_cache_path(model, benchmark, model_version, benchmark_version,
                                model_options)
        cached = _cached_score(path)
        if cached is not None:
            logger.info("Serving %s on %s from %s", model, benchmark, path)
            return cached

    if model_options and not isinstance(model, str):
        raise TypeError("model_options apply to registered model identifiers, not to objects.")
    model_obj = _registered_model(model, model_options) if isinstance(model, str) else model
    _check_brain_model(model_obj, model_id)
    try:
        result = benchmark_obj(model_obj)
    except BaseException:
        _reuse.kept = None  # a model a benchmark failed on is not handed on
        raise
    if not isinstance(result, Score):
        raise TypeError(f"Benchmark '{benchmark_id}' returned {type(result).__name__}, "
                        f"expected a dynamic_vision.Score.")
    result = result.with_provenance(
        model=model_id, benchmark=benchmark_id,
        benchmark_version=getattr(benchmark_obj, "version", benchmark_version),
        dynamic_vision_version=_library_version(),
        seed=getattr(benchmark_obj, "seed", None),
        **({"model_options": dict(model_options)} if model_options else {}),
    )
    if path is not None:
        storage.atomic_write_json(path, result.to_dict())

    from dynamic_vision.core.plugins import discover, plugin_manager

    discover()  # third-party listeners must hear about scores of in-memory objects too
    plugin_manager().hook.dynamic_vision_score_computed(
        score=result, model=model_id, benchmark=benchmark_id)
    return result
