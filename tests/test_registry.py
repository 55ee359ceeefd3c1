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


class _Toys:
    """A provider of ``toy/<n>`` for n in 0..2 (plain callables, no library)."""

    def __init__(self):
        self.asked = []

    def names(self):
        return [f"toy/{n}" for n in range(3)]

    def declare(self, identifier):
        self.asked.append(identifier)
        if identifier not in self.names():
            raise UnknownIdentifierError(f"no {identifier}", kind="model",
                                         identifier=identifier, suggestions=[])
        return (lambda **kw: (identifier, kw)), None, {"check_options": {"size": 1}}


def test_providers_make_entries_on_demand_and_list_only_when_named():
    registry = Registry("model")
    registry.register("plain", lambda: "plain", origin="tests")
    toys = _Toys()
    registry.register_provider("toy/", toys, origin="tests", description="toys")
    assert registry.list() == ["plain"] and registry.list("*") == ["plain"]
    assert registry.list("toy/*") == ["toy/0", "toy/1", "toy/2"]
    assert registry.load("toy/1", a=2) == ("toy/1", {"a": 2})
    registry.load("toy/1")
    assert toys.asked == ["toy/1"], "an entry is made once, then kept"
    assert registry.info("toy/1")["check_options"] == {"size": 1}
    assert "toy/2" in registry and "toy/9" not in registry
    assert registry.list() == ["plain"], "made entries do not change plain listings"
    with pytest.raises(UnknownIdentifierError, match="'toy/<name>' \\(toys\\)"):
        registry.load("nothing")
    with pytest.raises(DuplicateIdentifierError):
        registry.register_provider("toy/", "other.module:P", origin="elsewhere")
    with pytest.raises(ValueError, match="must end in '/'"):
        registry.register_provider("toy", toys)


def test_a_provider_with_a_missing_package_names_the_extra():
    registry = Registry("model")
    registry.register_provider("lib/", "surely_not_installed_pkg.models:PROVIDER", origin="tests",
                               requires={"surely_not_installed_pkg": "dynamic-vision[lib]"})
    with pytest.raises(MissingDependencyError, match=r'pip install "dynamic-vision\[lib\]"'):
        registry.load("lib/anything")
    assert registry.list() == []
