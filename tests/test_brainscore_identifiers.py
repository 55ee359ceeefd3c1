"""Brain-Score's benchmark identifiers are aliases of the same benchmarks here: the registry
resolves them, ``info`` shows them, ``score()`` scores (and names) the benchmark they stand for."""

from __future__ import annotations

import json
import re

import pytest

import dynamic_vision as dv
from dynamic_vision.cli import main
from dynamic_vision.core.registry import DuplicateIdentifierError, Registry

from .test_brainscore_replicas import mirror, served  # noqa: F401  (fixtures)

BRAINSCORE_NAMES = {
    "MajajHong2015public.IT-pls": "MajajHong2015.IT-pls",
    "MajajHong2015public.V4-pls": "MajajHong2015.V4-pls",
    "FreemanZiemba2013public.V1-pls": "FreemanZiemba2013.V1-pls",
    "FreemanZiemba2013public.V2-pls": "FreemanZiemba2013.V2-pls",
}


def test_registry_aliases_resolve_teach_and_stay_out_of_listings():
    registry = Registry("benchmark")
    registry.register("Data.IT-pls", lambda: "built", origin="here")
    registry.alias("Datapublic.IT-pls", "Data.IT-pls")
    assert registry.load("Datapublic.IT-pls") == "built"
    assert registry.entry("Datapublic.IT-pls").identifier == "Data.IT-pls"
    assert "Datapublic.IT-pls" in registry and registry.list() == ["Data.IT-pls"]
    assert registry.aliases() == {"Datapublic.IT-pls": "Data.IT-pls"}
    info = registry.info("Datapublic.IT-pls")
    assert (info["identifier"], info["alias"], info["aliases"]) == \
        ("Data.IT-pls", "Datapublic.IT-pls", ["Datapublic.IT-pls"])
    with pytest.raises(KeyError, match="Did you mean 'Datapublic.IT-pls'"):
        registry.entry("Datapublik.IT-pls")
    registry.alias("Datapublic.IT-pls", "Data.IT-pls")  # again: harmless
    with pytest.raises(DuplicateIdentifierError, match="already names 'Data.IT-pls'"):
        registry.alias("Datapublic.IT-pls", "Other")
    with pytest.raises(DuplicateIdentifierError, match="would hide"):
        registry.alias("Data.IT-pls", "Other")


def test_resolvers_register_identifiers_on_first_use():
    registry = Registry("model")
    asked = []

    def resolver(identifier):
        asked.append(identifier)
        if identifier.startswith("made:"):
            registry.register(identifier, lambda: identifier.upper(), origin="resolver")
            return True
        return False

    registry.add_resolver(resolver)
    assert registry.load("made:x") == "MADE:X"
    assert "made:y" in registry and "other" not in registry
    with pytest.raises(KeyError, match="Unknown model 'nothing'"):
        registry.entry("nothing")
    assert asked == ["made:x", "made:y", "other", "nothing"]


def test_builtin_benchmarks_carry_brainscore_names():
    for alias, identifier in BRAINSCORE_NAMES.items():
        assert dv.benchmark_registry.entry(alias).identifier == identifier
        assert dv.benchmark_registry.info(identifier)["aliases"] == [alias]
    assert set(BRAINSCORE_NAMES) <= set(dv.benchmark_registry.aliases())
    assert not set(BRAINSCORE_NAMES) & set(dv.list_benchmarks())


def test_info_resolves_the_brainscore_name(capsys):
    assert main(["info", "MajajHong2015public.IT-pls"]) == 0
    out = capsys.readouterr().out
    assert "MajajHong2015.IT-pls" in out
    assert re.search(r"alias: MajajHong2015public\.IT-pls", out), out
    assert main(["info", "MajajHong2015public.IT-pls", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["identifier"] == "MajajHong2015.IT-pls" and info["metric"] == "brainscore.pls"


def test_score_resolves_the_brainscore_name(served):  # noqa: F811
    by_alias = dv.score("pixels", "MajajHong2015public.IT-pls", cache=False)
    direct = dv.score("pixels", "MajajHong2015.IT-pls", cache=False)
    assert by_alias.provenance["benchmark"] == "MajajHong2015.IT-pls"
    assert by_alias.value == direct.value and by_alias.raw == direct.raw
