"""Each plugin states its facts once: registration derives them from the plugin's declaration,
and the implementation reads the very same object, so the two cannot disagree."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

import dynamic_vision as dv
from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark
from dynamic_vision.core.registry import REGISTRIES, Registry
from dynamic_vision.modeling.spec import ModelSpec, register_model

#: Facts that belong to the registration, not to what the plugin is.
REGISTRATION_ONLY = {"check_options", "expected_failures", "random_twin_of"}

BUILT_IN = [(kind, identifier) for kind, registry in REGISTRIES.items()
            for identifier in registry.list()
            if registry.entry(identifier).origin.startswith("dynamic_vision.")]


@pytest.mark.parametrize(("kind", "identifier"), BUILT_IN)
def test_every_fact_comes_from_the_declaration(kind, identifier):
    entry = REGISTRIES[kind].entry(identifier)
    assert entry.declaration is not None, f"{kind} '{identifier}' registers no declaration"
    assert entry.declaration.identifier == identifier
    assert set(entry.extra) <= REGISTRATION_ONLY
    assert entry.metadata == {**entry.declaration.registry_metadata(), **entry.extra}


def _implementation(identifier: str):
    target = dv.model_registry.entry(identifier).target
    return importlib.import_module(target.partition(":")[0]) if isinstance(target, str) else None


@pytest.mark.parametrize("identifier", [i for k, i in BUILT_IN if k == "model"])
def test_models_are_built_from_their_registered_spec(identifier):
    entry = dv.model_registry.entry(identifier)
    module = _implementation(identifier)
    if not isinstance(entry.declaration, ModelSpec) or module is None:
        pytest.skip(f"'{identifier}' is declared by its own module's functions (a submission)")
    source = entry.extra.get("random_twin_of", identifier)
    declared = dv.model_registry.entry(source).declaration
    spec = module.ZOO.spec if hasattr(module, "ZOO") else module.SPEC
    assert spec is declared  # one object, not two equal ones
    if source != identifier:
        assert entry.declaration == declared.random_twin()


@pytest.mark.parametrize("identifier", [i for k, i in BUILT_IN if k == "benchmark"])
def test_benchmarks_are_built_from_their_registered_spec(identifier):
    entry = dv.benchmark_registry.entry(identifier)
    benchmark = dv.load_benchmark(identifier)
    assert benchmark.spec is entry.declaration
    assert (benchmark.identifier, benchmark.version) == (identifier, entry.declaration.version)
    for fact in ("region", "ceiling_convention", "visual_degrees"):
        if getattr(entry.declaration, fact) is not None:
            assert getattr(benchmark, fact) == getattr(entry.declaration, fact), fact


def test_a_fact_stated_twice_is_refused():
    registry = Registry("model")
    spec = ModelSpec("twice", kind="image", layers=("a",), input_size=8, fps=10)
    with pytest.raises(ValueError, match=r"\['version'\] are stated by its declaration"):
        registry.register("twice", "x.y:build", declaration=spec, version=2)
    with pytest.raises(ValueError, match="registered with the declaration of 'twice'"):
        registry.register("other", "x.y:build", declaration=spec)


def test_a_benchmark_argument_may_not_contradict_its_spec():
    from dynamic_vision.benchmark_kinds import NeuralBenchmark

    spec = BenchmarkSpec("Toy.V1-ridge", kind="neural", region="V1", metric="ridge",
                         dataset="Toy", stimulus_set="Toy")
    with pytest.raises(ValueError, match="region='V2' contradicts its declaration"):
        NeuralBenchmark(spec, region="V2")
    assert NeuralBenchmark(spec).region == "V1"


def test_registration_helpers_register_the_declaration_itself():
    registry = dv.benchmark_registry
    spec = BenchmarkSpec("Toy.V1-ridge", kind="neural", region="V1", metric="ridge",
                         dataset="Toy", stimulus_set="Toy")
    register_benchmark(spec, "dynamic_vision.benchmark_kinds:NeuralBenchmark")
    try:
        assert registry.entry("Toy.V1-ridge").declaration is spec
        assert registry.load("Toy.V1-ridge").spec is spec
    finally:
        registry.unregister("Toy.V1-ridge")
    models = Registry("model")
    published = dataclasses.replace(
        ModelSpec("toy", kind="image", layers=("a",), input_size=8, fps=10), weights="x:y")
    register_model(published, "toy.model", registry=models)
    assert models.list() == ["toy", "toy-random"]
    assert models.entry("toy").declaration is published
    assert models.info("toy-random")["weights"] is None


def test_every_built_in_benchmark_states_its_ceiling_convention_and_why():
    from dynamic_vision.core.scores import CEILING_CONVENTIONS

    built_in = [i for i in dv.benchmark_registry.list()
                if str(dv.benchmark_registry.entry(i).origin).startswith(
                    "dynamic_vision.benchmarks.")]
    assert len(built_in) > 20
    for identifier in built_in:
        spec = dv.benchmark_registry.entry(identifier).declaration
        assert spec.ceiling_convention in CEILING_CONVENTIONS, identifier
        assert len(spec.ceiling_convention_reason) > 40, identifier
        assert spec.ceiling_convention != "ratio", f"{identifier}: ratio inflates the truth"
        info = dv.benchmark_registry.info(identifier)
        assert info["ceiling_convention_reason"] == spec.ceiling_convention_reason
