import subprocess
import sys
import textwrap

import pytest

from dynamic_vision.core.registry import (
    DuplicateIdentifierError,
    MissingDependencyError,
    Registry,
    UnknownIdentifierError,
)


def make_registry() -> Registry:
    registry = Registry("benchmark")
    for name in ["SimMotion.V1-ridge", "SimMotion.MT-ridge", "SimMotion.MT-rdm", "Other.IT-pls"]:
        registry.register(name, "collections:OrderedDict", origin="tests")
    return registry


def test_lists_sorted_and_filters_with_wildcards():
    registry = make_registry()
    assert registry.list() == sorted(registry.list())
    assert registry.list("SimMotion.MT-*") == ["SimMotion.MT-rdm", "SimMotion.MT-ridge"]
    assert registry.list("*-pls") == ["Other.IT-pls"]
    assert registry.list("nothing*") == []
    assert "Other.IT-pls" in registry and len(registry) == 4


def test_unknown_identifier_teaches():
    registry = make_registry()
    with pytest.raises(UnknownIdentifierError) as info:
        registry.load("SimMotion.MT-rige")
    message = str(info.value)
    assert message.startswith("Unknown benchmark 'SimMotion.MT-rige'. Did you mean 'SimMotion.MT-ridge'")
    assert "4 benchmarks are registered" in message
    assert "dynamic_vision.list_benchmarks()" in message and "dynamic-vision list benchmark" in message
    assert info.value.suggestions[0] == "SimMotion.MT-ridge"
    assert isinstance(info.value, KeyError) and isinstance(info.value, LookupError)


def test_suggestions_ignore_case():
    registry = make_registry()
    with pytest.raises(UnknownIdentifierError) as info:
        registry.entry("simmotion.v1-ridge")
    assert info.value.suggestions[0] == "SimMotion.V1-ridge"


def test_duplicate_names_both_origins():
    registry = Registry("model")
    registry.register("net", "collections:OrderedDict", origin="package_a")
    with pytest.raises(DuplicateIdentifierError, match="by package_a and by package_b"):
        registry.register("net", "collections:Counter", origin="package_b")
    # the same registration again (a reloaded module) is harmless
    registry.register("net", "collections:OrderedDict", origin="package_a")


def test_lazy_target_resolves_on_load_and_decorator_registers():
    registry = Registry("metric")
    registry.register("ordered", "collections:OrderedDict", origin="tests", flavour="dict")
    assert registry.load("ordered", a=1) == {"a": 1}
    assert registry.info("ordered")["flavour"] == "dict"

    @registry.register("double", origin="tests")
    def double(x=2):
        return 2 * x

    assert registry.load("double", x=4) == 8
    assert registry.info("double")["target"].endswith("double")


def test_bad_targets_rejected():
    registry = Registry("model")
    with pytest.raises(ValueError, match="package.module:attribute"):
        registry.register("x", "no_colon_here")
    with pytest.raises(ValueError, match="non-empty string"):
        registry.register("", "a:b")


def test_missing_optional_dependency_names_the_extra():
    registry = Registry("dataset")
    registry.register("nwb-set", "surely_not_installed_pkg.io:read", origin="tests",
                      requires={"surely_not_installed_pkg": "dynamic-vision[nwb]"})
    with pytest.raises(MissingDependencyError,
                       match=r"needs the optional package 'surely_not_installed_pkg'.*"
                             r"pip install \"dynamic-vision\[nwb\]\""):
        registry.load("nwb-set")


def test_listing_every_registry_does_not_import_torch():
    code = textwrap.dedent("""
        import sys, dynamic_vision as dv
        for kind in ("models", "benchmarks", "datasets", "stimulus_sets", "metrics"):
            getattr(dv, "list_" + kind)()
        for registry in dv.REGISTRIES.values():
            for name in registry.list():
                registry.info(name)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"torch", "torchvision", "timm", "av", "sklearn"})
        assert not heavy, heavy
        print(len(dv.list_models()), len(dv.list_benchmarks()))
    """)
    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
