"""The package's layout holds its rules: stages import downward only, core imports no other room,
no room imports a plugin, a plugin reaches another plugin only through a registry, nothing
imports the package face, no circles, and plugin folders hold plugins only."""

from __future__ import annotations

import pytest

from tests import import_graph as graph

IMPORTS = list(graph.imports())
PLUGIN_KINDS = set(graph.PLUGIN_KINDS)


def _where(found):
    return [f"{i.path.relative_to(graph.ROOT.parent)}:{i.line} imports {i.target}" for i in found]


def test_core_imports_only_core():
    outside = [i for i in IMPORTS if graph.room(i.source) == "core"
               and graph.room(i.target) not in ("core", "_version")]
    assert not outside, _where(outside)


def test_no_room_imports_a_plugin():
    into_plugins = [i for i in IMPORTS if graph.plugin_of(i.target) is not None
                    and graph.plugin_of(i.source) is None]
    assert not into_plugins, _where(into_plugins)


def test_plugins_reach_other_plugins_only_through_registries():
    across = [i for i in IMPORTS if graph.plugin_of(i.target) is not None
              and graph.plugin_of(i.source) is not None
              and graph.plugin_of(i.source) != graph.plugin_of(i.target)]
    assert not across, _where(across)


def test_nothing_imports_the_package_face():
    upward = [i for i in IMPORTS if graph.room(i.target) == graph.FACE
              and graph.room(i.source) != graph.FACE]
    assert not upward, _where(upward)


def test_no_circles_between_rooms():
    assert graph.circles(graph.arrows(IMPORTS)) == []


def test_the_package_root_holds_few_modules():
    assert len(graph.summary()["root files"]) <= 6


@pytest.mark.parametrize("kind", sorted(PLUGIN_KINDS))
def test_plugin_folders_hold_plugins_only(kind):
    folder = graph.ROOT / kind
    loose = [p.name for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"{kind}/ holds modules that are not plugins: {loose}"
    for plugin in folder.iterdir():
        if plugin.is_dir() and plugin.name != "__pycache__":
            assert (plugin / "__init__.py").is_file(), f"{kind}/{plugin.name} is not a plugin"
