"""A corpus of things a user plausibly gets wrong, through the public API, the command line and
plugin authoring. Each case says what must be named in the one-line error it ends in (the thing
at fault) and a phrase that says what to do.

A case is ``Case(name, run, error, mentions)``: ``run(files)`` must raise ``error`` (a built-in a
caller would catch) whose message contains every string of ``mentions``. Command-line cases are
``Cli(name, argv, mentions)``: the command exits non-zero with one ``error:`` line (no traceback)
that contains every string of ``mentions``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Any], Any]
    error: type[BaseException]
    mentions: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Cli:
    name: str
    argv: Callable[[Any], list[str]]
    mentions: Sequence[str] = field(default_factory=tuple)
    #: argparse's own usage errors exit 2 with its usage line above the error.
    usage_error: bool = False


class Files:
    """Small files the cases point at, made once per session in a temporary folder."""

    def __init__(self, root: Path):
        from PIL import Image

        from dynamic_vision.io.assemblies import neural_assembly, save_assembly
        from dynamic_vision.io.stimuli import StimulusSet, save_stimulus_set
        from dynamic_vision.io.video import write_video

        self.root = root
        self.clip = root / "clip.mkv"
        write_video(self.clip, np.zeros((4, 16, 16, 3), np.uint8), fps=10)
        self.text_as_video = root / "notes.mp4"
        self.text_as_video.write_text("these are notes, not a video\n")
        self.truncated_video = root / "truncated.mkv"
        write_video(self.truncated_video, np.random.default_rng(0).integers(
            0, 255, (20, 32, 32, 3), dtype=np.uint8), fps=10)
        self.truncated_video.write_bytes(self.truncated_video.read_bytes()[:300])
        self.image = root / "image.png"
        Image.new("RGB", (8, 8)).save(self.image)
        self.missing = root / "missing.mkv"
        self.stimuli = StimulusSet.from_files({"a": self.clip}, identifier="Toy")
        self.assembly = neural_assembly(np.zeros((2, 3, 1)), stimulus_id=["a", "b"],
                                        neuroid_id=["n0", "n1", "n2"], region="V1",
                                        time_bin_start=[0], time_bin_end=[100])
        self.assembly_file = root / "V1.nc"
        save_assembly(self.assembly, self.assembly_file)
        self.damaged_assembly = root / "damaged.nc"
        self.damaged_assembly.write_bytes(self.assembly_file.read_bytes()[:150])
        self.stimulus_folder = root / "stimuli"
        save_stimulus_set(self.stimuli, self.stimulus_folder)
        self.damaged_stimuli = root / "damaged_stimuli"
        save_stimulus_set(self.stimuli, self.damaged_stimuli)
        next(self.damaged_stimuli.glob("*.csv")).write_text('stimulus_id,path\n"open,quote\n')
        self.not_json = root / "options.json"
        self.not_json.write_text("{not json")
        self.bad_pickle = root / "evil.pkl"
        import pickle

        self.bad_pickle.write_bytes(pickle.dumps(Path("/etc/passwd")))  # a class, not data
        self.plugin_without_init = root / "not_a_plugin"
        self.plugin_without_init.mkdir()
        self.empty_plugin = root / "empty_plugin"
        self.empty_plugin.mkdir()
        (self.empty_plugin / "__init__.py").write_text('"""Registers nothing."""\n')


def _registry(kind: str):
    from dynamic_vision.core.registry import REGISTRIES

    return REGISTRIES[kind]


def _register_and_load(target: str):
    def run(files: Files) -> Any:
        from dynamic_vision.core.registry import Registry

        registry = Registry("model")
        registry.register("broken-target", target)
        return registry.load("broken-target")
    return run


def _spec(**changes: Any) -> Callable[[Files], Any]:
    def run(files: Files) -> Any:
        from dynamic_vision.modeling.spec import ModelSpec

        facts = dict(identifier="toy-net", kind="image", layers=("a", "b"), input_size=32,
                     fps=10)
        facts.update(changes)
        return ModelSpec(**facts)
    return run


def _benchmark_spec(**changes: Any) -> Callable[[Files], Any]:
    def run(files: Files) -> Any:
        from dynamic_vision.core.benchmark import BenchmarkSpec

        facts = dict(identifier="Toy.V1-ridge", kind="neural", region="V1", metric="ridge")
        facts.update(changes)
        return BenchmarkSpec(**facts)
    return run


def _recording(files: Files, call: Callable[[Any], Any]) -> Any:
    from dynamic_vision.testing.benchmark_checks import TableModel, random_features

    return call(TableModel("table", {"early": random_features(4), "late": random_features(4)}))


def _tiny_benchmark(**options: Any) -> Callable[[Files], Any]:
    def run(files: Files) -> Any:
        from dynamic_vision.benchmark_kinds import NeuralBenchmark
        from dynamic_vision.testing.benchmark_checks import TableModel, random_features

        from dynamic_vision.io.assemblies import neural_assembly
        from dynamic_vision.io.stimuli import StimulusSet

        rng = np.random.default_rng(0)
        n = options.pop("n_stimuli", 40)
        starts, ends = options.pop("start", [0.0]), options.pop("end", [100.0])
        ids = [f"s{i:03d}" for i in range(n)]
        stimuli = StimulusSet.from_files({i: files.clip for i in ids}, identifier="Tiny")
        signal = rng.standard_normal((n, 5, len(starts)))  # reliable: the same on every trial
        values = np.concatenate([signal + 0.1 * rng.standard_normal(signal.shape)
                                 for _ in range(4)])
        assembly = neural_assembly(values, stimulus_id=[i for _ in range(4) for i in ids],
                                   neuroid_id=[f"n{k}" for k in range(5)], region="V1",
                                   time_bin_start=starts, time_bin_end=ends)
        benchmark = NeuralBenchmark("Tiny.V1-ridge", assembly=assembly, stimuli=stimuli,
                                    region=options.pop("region", "V1"), metric="ridge",
                                    **options)
        return benchmark(TableModel("table", {"f": random_features(6)}))
    return run


def _cli(*argv: str) -> Callable[[Files], list[str]]:
    return lambda files: list(argv)


UNSAFE_IDENTIFIERS = ["../../../../elsewhere/b", "a/b", "a\\b", "x\n", " padded", "..",
                      "tab\there", "bell\x07"]

CASES: list[Case] = [
    # -- identifiers and registries ----------------------------------------------------------
    *[Case(f"unknown {kind} (a typo)", lambda f, k=kind, t=typo: _registry(k).load(t),
           KeyError, (typo, "Did you mean", f"list {kind}"))
      for kind, typo in [("model", "resnet81-random"), ("benchmark", "SimMotion.V1-rigde"),
                         ("dataset", "SimMotion.V2"), ("stimulus_set", "SimMotoin"),
                         ("metric", "ridgee")]],
    Case("unknown model, nothing close", lambda f: _registry("model").load("zzzzzz"),
         KeyError, ("zzzzzz", "list model")),
    Case("unknown library model", lambda f: _registry("model").load("timm/resnt18"),
         KeyError, ("resnt18", "timm")),
    *[Case(f"unsafe identifier {ident!r}", lambda f, i=ident: _fresh("benchmark").register(
        i, "a.b:c"), ValueError, (repr(ident), "use letters"))
      for ident in UNSAFE_IDENTIFIERS],
    Case("empty identifier", lambda f: _fresh("model").register("", "a:b"), ValueError,
         ("non-empty",)),
    Case("lazy target without a colon", lambda f: _fresh("model").register(
        "x", "package.module.build"), ValueError,
         ("package.module:attribute", "package.module.build")),
    Case("registered twice", lambda f: _twice(), ValueError,
         ("registered twice", "one", "two", "Rename")),
    Case("target module missing", _register_and_load("dynamic_vision.nowhere:build"),
         ImportError, ("broken-target", "dynamic_vision.nowhere", "fix the registration")),
    Case("target attribute missing", _register_and_load("dynamic_vision.core.storage:build"),
         ImportError, ("broken-target", "has no 'build'", "fix the registration")),
    Case("declaration of another identifier", lambda f: _declared_as("other"), ValueError,
         ("other", "toy-net")),
    Case("a declared fact stated again", lambda f: _declared_twice(), ValueError,
         ("version", "declare each fact once")),
    Case("unknown plugin kind", lambda f: _unknown_check_kind(), ValueError,
         ("bogus", "use one of")),
    # -- score() ----------------------------------------------------------------------------
    Case("model is a number", lambda f: _score(3, "SimMotion.V1-ridge"), TypeError,
         ("model", "int")),
    Case("benchmark is a number", lambda f: _score("pixels", 3.5), TypeError,
         ("benchmark", "float")),
    Case("model lacks the BrainModel methods", lambda f: _score(_NoMethods(),
                                                               "RandomDots.direction-logistic"),
         TypeError, ("nomethods", "start_recording", "BrainModelBase")),
    Case("model options for an object", lambda f: _score(_NoMethods(), "SimMotion.V1-ridge",
                                                         model_options={"x": 1}), TypeError,
         ("model_options", "identifiers")),
    Case("an option the model does not take", lambda f: _load_with(
        "resnet18-random", {"colour": "red"}), ValueError,
         ("resnet18-random", "colour", "--model-option")),
    Case("an option value of the wrong type", lambda f: _load_with(
        "resnet18-random", {"input_size": "abc"}), ValueError,
         ("resnet18-random", "input_size", "abc")),
    Case("published weights of a random twin", lambda f: _registry("model").load(
        "resnet18-random", pretrained=True), ValueError, ("resnet18-random", "resnet18")),
    Case("benchmark returns no Score", lambda f: _score("pixels", _NotAScore()), TypeError,
         ("NotAScore.V1-x", "Score")),
    # -- stimuli and media ------------------------------------------------------------------
    Case("empty stimulus set", lambda f: _stimulus_set({}), ValueError, ("Toy", "empty")),
    Case("duplicate stimulus ids", lambda f: _duplicated(f), ValueError,
         ("'a'", "unique")),
    Case("missing media file", lambda f: _stimulus_set({"gone": f.missing}), ValueError,
         ("gone", "missing.mkv")),
    Case("text file named .mp4", lambda f: _stimulus_set({"notes": f.text_as_video}),
         ValueError, ("notes", "notes.mp4")),
    Case("non-positive image duration", lambda f: _stimulus_set({"i": f.image},
                                                                image_duration_ms=-5),
         ValueError, ("image_duration_ms", "-5")),
    Case("metadata missing a stimulus", lambda f: _with_metadata(f), ValueError,
         ("Metadata", "'b'", "row")),
    Case("stimulus set folder missing", lambda f: _load_stimuli(f.root / "nowhere"),
         FileNotFoundError, ("nowhere",)),
    Case("damaged stimulus set", lambda f: _load_stimuli(f.damaged_stimuli), ValueError,
         ("damaged_stimuli", "Delete")),
    Case("read a missing clip", lambda f: _read(f.missing), OSError, ("missing.mkv",)),
    Case("read a truncated clip", lambda f: _read(f.truncated_video), OSError,
         ("truncated.mkv",)),
    Case("read a text file as a clip", lambda f: _read(f.text_as_video), OSError,
         ("notes.mp4",)),
    Case("read at 0 fps", lambda f: _read(f.clip, fps=0), ValueError, ("fps", "positive")),
    Case("unknown resize mode", lambda f: _read(f.clip, resize="stretch"), ValueError,
         ("stretch", "resize")),
    Case("write a lossy format", lambda f: _write(f.root / "x.avi"), ValueError,
         ("x.avi", "lossless")),
    Case("write frames of the wrong shape", lambda f: _write(
        f.root / "y.mkv", np.zeros((3, 8, 8), np.uint8)), ValueError, ("y.mkv", "(T, H, W, 3)")),
    Case("write no frames", lambda f: _write(f.root / "z.mkv", np.zeros((0, 8, 8, 3), np.uint8)),
         ValueError, ("z.mkv",)),
    # -- assemblies and time ------------------------------------------------------------------
    Case("assembly coords of the wrong length", lambda f: _assembly(stimulus_id=["a"]),
         ValueError, ("stimulus_id",)),
    Case("time bin ending before it starts", lambda f: _assembly(time_bin_start=[100],
                                                                 time_bin_end=[50]),
         ValueError, ("time",)),
    Case("load a missing assembly", lambda f: _load_assembly(f.root / "none.nc"),
         FileNotFoundError, ("none.nc",)),
    Case("load a damaged assembly", lambda f: _load_assembly(f.damaged_assembly), ValueError,
         ("damaged.nc", "Delete")),
    Case("align stimuli the model lacks", lambda f: _align_missing(f), KeyError,
         ("b",)),
    Case("time bin not a pair", lambda f: _bins([(0, 50, 100)]), ValueError,
         ("(0, 50, 100)", "(start_ms, end_ms)")),
    Case("time bin backwards", lambda f: _bins([(100, 50)]), ValueError,
         ("(100, 50)", "end after it starts")),
    Case("no time bins", lambda f: _bins([]), ValueError, ("time bin",)),
    Case("steps and values disagree", lambda f: _align(), ValueError, ("time steps",)),
    # -- model specs and models ---------------------------------------------------------------
    Case("model kind unknown", _spec(kind="audio"), ValueError, ("toy-net", "audio", "kind")),
    Case("no layers", _spec(layers=()), ValueError, ("toy-net", "layers")),
    Case("duplicate layers", _spec(layers=("a", "a")), ValueError, ("toy-net", "duplicates")),
    Case("input size zero", _spec(input_size=0), ValueError, ("toy-net", "input_size")),
    Case("fps zero", _spec(fps=0), ValueError, ("toy-net", "fps")),
    Case("clip length for an image model", _spec(clip_length=4), ValueError,
         ("toy-net", "clip_length", "video")),
    Case("zero std", _spec(std=(0.2, 0.0, 0.2)), ValueError, ("toy-net", "std")),
    Case("region mapped to a missing layer", _spec(region_layer_map={"V1": "c"}), ValueError,
         ("toy-net", "'c'", "offered layers")),
    Case("record a layer the model lacks", lambda f: _recording(
        f, lambda m: m.start_recording("V1", [(0, 100)], layers=["nope"])), KeyError,
         ("table", "nope", "layers are")),
    Case("look before recording", lambda f: _recording(f, lambda m: m.look_at(f.stimuli)),
         RuntimeError, ("table", "start_recording")),
    Case("zero trials", lambda f: _recording(f, lambda m: (
        m.start_recording("V1", [(0, 100)]), m.look_at(f.stimuli, number_of_trials=0))),
        ValueError, ("number_of_trials",)),
    Case("unknown task", lambda f: _recording(f, lambda m: m.start_task("dance")),
         ValueError, ("dance",)),
    Case("label task without labels", lambda f: _recording(
        f, lambda m: m.start_task("label", f.stimuli)), ValueError, ("label",)),
    Case("missing pretrained weights", lambda f: _registry("model").load("resnet18"),
         FileNotFoundError, ("resnet18", "resnet18-random")),
    # -- benchmarks ---------------------------------------------------------------------------
    Case("benchmark kind unknown", _benchmark_spec(kind="dance"), ValueError,
         ("Toy.V1-ridge", "dance", "kind")),
    Case("ceiling convention unknown", _benchmark_spec(ceiling_convention="halfway"),
         ValueError, ("Toy.V1-ridge", "halfway")),
    Case("benchmark version zero", _benchmark_spec(version=0), ValueError,
         ("Toy.V1-ridge", "version")),
    Case("argument contradicting the declaration", lambda f: _contradiction(), ValueError,
         ("Toy.V1-ridge", "region='V2'", "BenchmarkSpec")),
    Case("neural benchmark without a region", lambda f: _no_region(), TypeError,
         ("Toy.V1-ridge", "region")),
    Case("region absent from the recordings", _tiny_benchmark(region="IT"), ValueError,
         ("Tiny.V1-ridge", "'IT'")),
    Case("too few stimuli to split", _tiny_benchmark(n_stimuli=12), ValueError,
         ("Tiny.V1-ridge", "stimuli")),
    Case("time bins past the clips", _tiny_benchmark(start=[0.0, 500.0], end=[500.0, 1000.0]),
         ValueError, ("Tiny.V1-ridge", "allow_time_bins_past_stimuli")),
    # -- data plugins -------------------------------------------------------------------------
    Case("access level unknown", lambda f: _data_spec(access="borrowed"), ValueError,
         ("borrowed",)),
    Case("remote file name with a folder", lambda f: _remote(name="sub/file.nc"), ValueError,
         ("sub/file.nc", "plain file name")),
    Case("extract a non-archive", lambda f: _remote(name="file.nc", extract=True), ValueError,
         ("file.nc", "archive")),
    Case("fetch an unknown data set", lambda f: _fetch("SimMotoin.V1"), KeyError,
         ("SimMotoin.V1",)),
    Case("a pickle naming a class", lambda f: _unpickle(f.bad_pickle), pickle.UnpicklingError,
         ("PosixPath",)),
    Case("home path leaving the home", lambda f: _home("..", "elsewhere"), ValueError,
         ("leads outside",)),
    # -- metrics and statistics -----------------------------------------------------------------
    Case("metric on disjoint stimuli", lambda f: _metric_on(["a", "b"], ["c", "d"]),
         ValueError, ("'c'", "Show the model every stimulus")),
    Case("RDM distance unknown", lambda f: _rsa(distance="manhattan"), ValueError,
         ("manhattan", "correlation")),
    Case("RDM comparison unknown", lambda f: _rsa(comparison="cosine"), ValueError,
         ("cosine", "spearman")),
    Case("splits with too few stimuli", lambda f: _splits(4), ValueError, ("4",)),
]

CLI_CASES: list[Cli] = [
    Cli("unknown option before the command", _cli("--bogus", "score"), ("--bogus",),
        usage_error=True),
    Cli("unknown command", _cli("scroe"), ("scroe",), usage_error=True),
    Cli("score: unknown model", _cli("score", "--models", "resnet81-random", "--benchmarks",
                                     "SimMotion.V1-ridge"), ("resnet81-random", "Did you mean")),
    Cli("score: unknown benchmark", _cli("score", "--models", "pixels", "--benchmarks",
                                         "SimMotion.V1-rigde"), ("SimMotion.V1-rigde",)),
    Cli("score: wildcard matching nothing", _cli("score", "--models", "pixels",
                                                 "--benchmarks", "Nothing*"), ("Nothing*",)),
    Cli("score: malformed model option", _cli("score", "--models", "pixels", "--benchmarks",
                                              "RandomDots.direction-logistic", "--model-option",
                                              "input_size=64"), ("input_size=64",
                                                                 "MODEL:KEY=VALUE")),
    Cli("score: option for a model not scored", _cli(
        "score", "--models", "pixels", "--benchmarks", "RandomDots.direction-logistic",
        "--model-option", "alexnet:input_size=64"), ("alexnet", "--models")),
    Cli("score: missing arguments", _cli("score"), ("--models",), usage_error=True),
    Cli("info: unknown identifier", _cli("info", "SimMotion.V1-rigde"),
        ("SimMotion.V1-rigde", "Did you mean")),
    Cli("info: unknown kind", _cli("info", "pixels", "--kind", "gadget"), ("gadget",)),
    Cli("list: unknown kind", _cli("list", "gadgets"), ("gadgets",)),
    Cli("data fetch: unknown data set", _cli("data", "fetch", "SimMotoin"), ("SimMotoin",)),
    Cli("data verify: folder missing", lambda f: ["data", "verify", "Keles2024", "--path",
                                                 str(f.root / "nowhere")],
        ("nowhere", "no such folder")),
    Cli("data verify: --path for downloaded data", _cli("data", "verify", "SimMotion",
                                                        "--path", "."), ("SimMotion",)),
    Cli("check-model: unknown identifier", _cli("check-model", "resnet81-random"),
        ("resnet81-random",)),
    Cli("check-model: folder without __init__", lambda f: ["check-model",
                                                          str(f.plugin_without_init)],
        ("not_a_plugin", "__init__.py")),
    Cli("check-model: folder registering nothing", lambda f: ["check-model",
                                                             str(f.empty_plugin)],
        ("empty_plugin", "registered no model")),
    Cli("new model: bad name", lambda f: ["new", "model", "9lives", "--dir", str(f.root)],
        ("9lives",)),
    Cli("status: store URL unknown", _cli("status", "--store", "bogus://x"), ("bogus",)),
    Cli("export: unknown format", _cli("export", "--format", "xlsx"), ("xlsx",),
        usage_error=True),
]


def _fresh(kind: str) -> Any:
    from dynamic_vision.core.registry import Registry

    return Registry(kind)


def _twice() -> None:
    from dynamic_vision.core.registry import Registry

    registry = Registry("model")
    registry.register("twice", "a.b:c", origin="one")
    registry.register("twice", "a.b:d", origin="two")


def _declared_as(identifier: str) -> None:
    from dynamic_vision.core.registry import Registry
    from dynamic_vision.modeling.spec import ModelSpec

    spec = ModelSpec("toy-net", kind="image", layers=("a",), input_size=8, fps=10)
    Registry("model").register(identifier, "a.b:c", declaration=spec)


def _declared_twice() -> None:
    from dynamic_vision.core.registry import Registry
    from dynamic_vision.modeling.spec import ModelSpec

    spec = ModelSpec("toy-net", kind="image", layers=("a",), input_size=8, fps=10)
    Registry("model").register("toy-net", "a.b:c", declaration=spec, version=2)


def _unknown_check_kind() -> None:
    from dynamic_vision.testing import check

    check("bogus")


class _NoMethods:
    identifier = "nomethods"


class _NotAScore:
    identifier = "NotAScore.V1-x"
    version = 1

    def __call__(self, candidate: Any) -> Any:
        return 0.5


def _score(model: Any, benchmark: Any, **options: Any) -> Any:
    from dynamic_vision.scoring import score

    return score(model, benchmark, cache=False, **options)


def _load_with(identifier: str, options: dict) -> Any:
    from dynamic_vision.scoring import build_model

    return build_model(identifier, options)


def _stimulus_set(files: dict, **options: Any) -> Any:
    from dynamic_vision.io.stimuli import StimulusSet

    return StimulusSet.from_files(files, identifier="Toy", **options)


def _duplicated(files: Files) -> Any:
    import pandas as pd

    from dynamic_vision.io.stimuli import StimulusSet

    table = pd.concat([files.stimuli, files.stimuli], ignore_index=True)
    return StimulusSet(table, identifier="Toy").validate()


def _with_metadata(files: Files) -> Any:
    import pandas as pd

    from dynamic_vision.io.stimuli import StimulusSet

    return StimulusSet.from_files({"a": files.clip, "b": files.clip}, identifier="Toy",
                                  metadata=pd.DataFrame({"stimulus_id": ["a"], "label": [1]}))


def _load_stimuli(path: Path) -> Any:
    from dynamic_vision.io.stimuli import load_stimulus_set_file

    return load_stimulus_set_file(path)


def _read(path: Path, **options: Any) -> Any:
    from dynamic_vision.io.video import read_frames

    return read_frames(path, **options)


def _write(path: Path, frames: Any = None) -> Any:
    from dynamic_vision.io.video import write_video

    frames = np.zeros((2, 8, 8, 3), np.uint8) if frames is None else frames
    return write_video(path, frames, fps=10)


def _assembly(**changes: Any) -> Any:
    from dynamic_vision.io.assemblies import neural_assembly

    facts = dict(stimulus_id=["a", "b"], neuroid_id=["n0", "n1", "n2"], region="V1",
                 time_bin_start=[0], time_bin_end=[100])
    facts.update(changes)
    return neural_assembly(np.zeros((2, 3, 1)), **facts)


def _load_assembly(path: Path) -> Any:
    from dynamic_vision.io.assemblies import load_assembly

    return load_assembly(path)


def _align_missing(files: Files) -> Any:
    from dynamic_vision.io.assemblies import align_by_stimulus

    return align_by_stimulus(files.assembly.isel(presentation=[0]), files.assembly)


def _bins(bins: Any) -> Any:
    from dynamic_vision.core.brain_model import normalize_time_bins

    return normalize_time_bins(bins)


def _align() -> Any:
    from dynamic_vision.core.temporal import align_time

    return align_time(np.zeros((3, 5)), [0, 10], [10, 20], [(0, 20)])


def _contradiction() -> Any:
    from dynamic_vision.benchmark_kinds import BenchmarkSpec, NeuralBenchmark

    spec = BenchmarkSpec("Toy.V1-ridge", kind="neural", region="V1", metric="ridge",
                         dataset="Toy", stimulus_set="Toy")
    return NeuralBenchmark(spec, region="V2")


def _no_region() -> Any:
    from dynamic_vision.benchmark_kinds import NeuralBenchmark

    return NeuralBenchmark("Toy.V1-ridge", assembly="Toy", stimuli="Toy", metric="ridge")


def _data_spec(**changes: Any) -> Any:
    from dynamic_vision.io import DataSpec

    facts = dict(identifier="Toy.data", files=[], loader="brainio_netcdf", bibtex="",
                 license="MIT", access="open", description="toy")
    facts.update(changes)
    return DataSpec(**facts)


def _remote(**changes: Any) -> Any:
    from dynamic_vision.io import RemoteFile

    facts = dict(url="https://example.org/file.nc", sha256=None, size=None, name="file.nc")
    facts.update(changes)
    return RemoteFile(**facts)


def _fetch(identifier: str) -> Any:
    from dynamic_vision.io.datasets import fetch

    return fetch(identifier, dry_run=True)


def _unpickle(path: Path) -> Any:
    from dynamic_vision.io.restricted_pickle import load

    return load(path)


def _home(*parts: str) -> Any:
    from dynamic_vision.core.storage import home

    return home(*parts)


def _metric_on(source_ids: list[str], target_ids: list[str]) -> Any:
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.io.assemblies import neural_assembly

    def assembly(ids: list[str]) -> Any:
        return neural_assembly(np.random.default_rng(0).standard_normal((len(ids), 3, 1)),
                               stimulus_id=ids, neuroid_id=["n0", "n1", "n2"], region="V1",
                               time_bin_start=[0], time_bin_end=[100]).isel(time_bin=0)

    return metric_registry.load("ridge")(assembly(source_ids), assembly(target_ids))


def _rsa(**options: Any) -> Any:
    from dynamic_vision.core.registry import metric_registry

    return metric_registry.load("rsa", **options)


def _splits(n: int) -> Any:
    from dynamic_vision.statistics.splits import ShuffleSplits

    return ShuffleSplits(n_splits=10, train_size=0.9, seed=0).split(n)


__all__ = ["CASES", "CLI_CASES", "Case", "Cli", "Files"]
