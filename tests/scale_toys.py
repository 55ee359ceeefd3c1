"""Tiny models and benchmarks for the scale tests, importable by worker processes.

Everything is a deterministic function of identifiers (``zlib.crc32``, not the per-process
salted ``hash``), so every process computes the same numbers. Side channels, all optional:

``DV_SCALE_TOY_LOG``
    A file to which each activation extraction and each computed score appends one line.
``DV_SCALE_TOY_MARKERS``
    A folder of one-shot markers used by the failure toys ("die once", "run out of memory once").
``DV_SCALE_TOY_SLEEP``
    Seconds the ``slow`` benchmarks sleep before answering (for kill tests).
"""

from __future__ import annotations

import os
import signal
import time
import zlib
from pathlib import Path

import numpy as np
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark
from dynamic_vision.core.registry import benchmark_registry, model_registry
from dynamic_vision.core.scores import Score

MODELS = {"scale-toy-a": 1.0, "scale-toy-b": 0.5, "scale-toy-c": -0.3}
#: identifier → (stimulus group, behaviour, region, kind)
BENCHMARKS = {
    "ScaleToy.MT-corr": ("motion", "plain", "MT", "neural"),
    "ScaleToy.MST-corr": ("motion", "plain", "MST", "neural"),
    "ScaleToy.V1-corr": ("gratings", "plain", "V1", "neural"),
    "ScaleToyBehaviour.choice-corr": ("gratings", "plain", "behaviour", "behaviour"),
    "ScaleToy.V1-slow": ("slow", "slow", "V1", "neural"),
    "ScaleToy.MT-slow": ("slow", "slow", "MT", "neural"),
    "ScaleToy.V1-broken": ("broken", "broken", "V1", "neural"),
    "ScaleToy.V1-dies": ("dies", "dies", "V1", "neural"),
    "ScaleToy.V1-oom": ("oom", "oom", "V1", "neural"),
}
N_STIMULI, N_NEUROIDS, N_TIME_BINS = 12, 6, 3


def _log(line: str) -> None:
    path = os.environ.get("DV_SCALE_TOY_LOG")
    if path:
        with open(path, "a") as handle:  # one short O_APPEND write per line: no interleaving
            handle.write(f"{line}\n")


def _first_time(name: str) -> bool:
    """True exactly once per marker name (per marker folder)."""
    folder = Path(os.environ["DV_SCALE_TOY_MARKERS"])
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(folder / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())


class ToyModel:
    """A BrainModel whose activations mix a stimulus signal (weight ``gain``) and noise."""

    def __init__(self, identifier: str, gain: float):
        self.identifier = identifier
        self.gain = gain
        self._cache: dict[tuple[str, ...], xr.DataArray] = {}

    def visual_degrees(self) -> float:
        return 8.0

    def start_recording(self, region, time_bins):
        self.region, self.time_bins = region, list(time_bins)

    def start_task(self, task, fitting_stimuli=None):
        raise NotImplementedError

    def look_at(self, stimuli, number_of_trials=1):
        ids = tuple(stimuli)
        if ids not in self._cache:  # one extraction per stimulus set, whatever the benchmark
            _log(f"extract {self.identifier} {ids[0].split('-')[0]} {os.getpid()}")
            signal_ = np.array([_seed(i) % 1000 / 1000 for i in ids])
            noise = np.random.default_rng(_seed(self.identifier, ids[0])).normal(
                size=(len(ids), N_NEUROIDS, N_TIME_BINS))
            values = self.gain * signal_[:, None, None] * np.arange(1, N_TIME_BINS + 1) + \
                0.3 * noise
            self._cache[ids] = xr.DataArray(
                values, dims=("presentation", "neuroid", "time_bin"),
                coords={"stimulus_id": ("presentation", list(ids)),
                        "layer": ("neuroid", ["layer1"] * 3 + ["layer2"] * 3)})
        return self._cache[ids]


class ToyBenchmark(Benchmark):
    """Correlation of layer-averaged activations with the stimulus signal, per time bin."""

    ceiling_convention = "disattenuated"

    def __init__(self, identifier: str):
        self.identifier = identifier
        self.group, self.behaviour, self.region, _ = BENCHMARKS[identifier]
        self.version = 2
        self.stimuli = [f"{self.group}-{i}" for i in range(N_STIMULI)]

    def compute_ceiling(self) -> Score:
        return Score.from_raw(0.9, 0.01)

    def __call__(self, candidate) -> Score:
        if self.behaviour == "broken":
            raise ValueError(f"{self.identifier}: this benchmark is broken on purpose")
        if self.behaviour == "dies" and _first_time(f"dies-{candidate.identifier}"):
            os.kill(os.getpid(), signal.SIGKILL)  # what kill -9 or the OOM killer does
        if self.behaviour == "oom" and int(os.environ.get("DYNAMIC_VISION_BATCH_SIZE", 64)) > 32:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if self.behaviour == "slow":
            time.sleep(float(os.environ.get("DV_SCALE_TOY_SLEEP", "0")))
        candidate.start_recording(self.region, [(0, 50), (50, 100), (100, 150)])
        activations = candidate.look_at(self.stimuli)
        target = np.array([_seed(s, self.identifier) % 1000 / 1000 + _seed(s) % 1000 / 1000
                           for s in self.stimuli])
        layers = ["layer1", "layer2"]
        per_layer = np.array([[np.corrcoef(
            activations.values[:, [n for n in range(N_NEUROIDS)
                                   if activations["layer"].values[n] == layer], t].mean(1),
            target)[0, 1] for t in range(N_TIME_BINS)] for layer in layers])
        detail = xr.Dataset({"raw": (("layer", "time_bin"), per_layer)},
                            coords={"layer": layers, "time_bin_start": ("time_bin", [0, 50, 100]),
                                    "time_bin_end": ("time_bin", [50, 100, 150])})
        raw = float(per_layer.max(0).mean())
        _log(f"score {candidate.identifier} {self.identifier} {os.getpid()}")
        return Score.from_raw(raw, float(per_layer.std() / 3), detail).ceiled(
            self.ceiling, self.ceiling_convention)


def build_model(identifier: str, gain: float | None = None) -> ToyModel:
    """A toy model; ``gain`` (a model option) replaces its registered gain."""
    return ToyModel(identifier, MODELS[identifier] if gain is None else float(gain))


def register() -> None:
    """Register every toy (idempotent: same origin and target)."""
    for identifier in MODELS:
        model_registry.register(identifier, f"{__name__}:_model_{identifier.replace('-', '_')}",
                                origin=__name__, version=1)
    for identifier, (group, _, region, kind) in BENCHMARKS.items():
        benchmark_registry.register(
            identifier, f"{__name__}:_benchmark_{_safe(identifier)}", origin=__name__,
            version=2, stimuli=group, region=region, group=kind,
            bibtex=f"@misc{{{_safe(identifier)}, title={{{identifier}}}, year={{2024}}}}")


def activate(folder: Path, monkeypatch) -> dict[str, Path]:
    """Register the toys for one test, with its log and markers under ``folder``.

    Environment variables are set through ``monkeypatch`` so that worker processes started by
    the test inherit them; returns the paths of the log and the marker folder.
    """
    paths = {"log": folder / "toy.log", "markers": folder / "markers"}
    monkeypatch.setenv("DV_SCALE_TOY_LOG", str(paths["log"]))
    monkeypatch.setenv("DV_SCALE_TOY_MARKERS", str(paths["markers"]))
    register()
    return paths


def log_lines(path: Path, kind: str) -> list[tuple[str, ...]]:
    """The ``kind`` ("extract" or "score") lines of a toy log, without the pid."""
    if not path.exists():
        return []
    return [tuple(line.split()[1:-1]) for line in path.read_text().splitlines()
            if line.startswith(kind + " ")]


def unregister() -> None:
    for identifier in MODELS:
        model_registry.unregister(identifier)
    for identifier in BENCHMARKS:
        benchmark_registry.unregister(identifier)


def _safe(identifier: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in identifier)


for _identifier in MODELS:
    globals()[f"_model_{_identifier.replace('-', '_')}"] = \
        (lambda identifier: lambda gain=None: build_model(identifier, gain))(_identifier)
for _identifier in BENCHMARKS:
    globals()[f"_benchmark_{_safe(_identifier)}"] = \
        (lambda identifier: lambda **kw: ToyBenchmark(identifier))(_identifier)


#: What score_many(imports=...) must run in each worker so that the toys are registered there.
WORKER_SETUP = f"{__name__}:register"
