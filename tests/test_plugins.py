"""Third-party plugins arrive through entry points, exactly as an installed package would."""

import sys
import textwrap
import warnings

import pytest

import dynamic_vision as dv
from dynamic_vision.core import plugins
from dynamic_vision.core.registry import REGISTRIES

GOOD_PLUGIN = '''
import numpy as np
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark
from dynamic_vision.core.plugins import hookimpl
from dynamic_vision.core.scores import Score

SEEN = []


class RampModel:
    identifier = "thirdparty-ramp"

    def visual_degrees(self):
        return 4.0

    def start_recording(self, region, time_bins, layers=None):
        self.time_bins = time_bins

    def start_task(self, task, fitting_stimuli=None):
        raise NotImplementedError

    def look_at(self, stimuli, number_of_trials=1):
        values = np.arange(len(stimuli), dtype=float)[:, None, None]
        return xr.DataArray(values, dims=("presentation", "neuroid", "time_bin"),
                            coords={"stimulus_id": ("presentation", list(stimuli))})


class RampBenchmark(Benchmark):
    identifier = "ThirdParty.V1-ramp"

    def compute_ceiling(self):
        return Score.from_raw(0.5)

    def __call__(self, candidate):
        candidate.start_recording("V1", [(0, 50)])
        values = candidate.look_at(["a", "b", "c", "d"]).values.ravel()
        raw = float(np.corrcoef(values, [0, 1, 2, 3])[0, 1])
        return Score.from_raw(raw, 0.0).ceiled(self.ceiling)


@hookimpl
def dynamic_vision_register(registries):
    registries["model"].register("thirdparty-ramp", "{module}:RampModel", version=2)
    registries["benchmark"].register("ThirdParty.V1-ramp", "{module}:RampBenchmark")


@hookimpl
def dynamic_vision_score_computed(score, model, benchmark):
    SEEN.append((model, benchmark, score.value))
'''


def write_distribution(root, dist, module, source, entry_name):
    (root / f"{module}.py").write_text(source)
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[dynamic_vision]\n{entry_name} = {module}\n")


@pytest.fixture
def installed_plugins(tmp_path, monkeypatch):
    write_distribution(tmp_path, "dv-goodplugin", "dv_good_plugin",
                       textwrap.dedent(GOOD_PLUGIN).replace("{module}", "dv_good_plugin"), "good")
    write_distribution(tmp_path, "dv-brokenplugin", "dv_broken_plugin",
                       "raise RuntimeError('this plugin is broken on purpose')\n", "broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.reset_discovery()
    yield
    for kind, name in [("model", "thirdparty-ramp"), ("benchmark", "ThirdParty.V1-ramp")]:
        REGISTRIES[kind].unregister(name)
    manager = plugins.plugin_manager()
    for name in ("good", "broken"):
        if manager.get_plugin(name) is not None:
            manager.unregister(name=name)
    for module in ("dv_good_plugin", "dv_broken_plugin"):
        sys.modules.pop(module, None)
    plugins.reset_discovery()


def test_entry_point_plugins_are_listed_loaded_and_scored(installed_plugins):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models = dv.list_models()
    assert "thirdparty-ramp" in models
    assert "ThirdParty.V1-ramp" in dv.list_benchmarks("ThirdParty.*")
    broken = [w for w in caught if "dv-brokenplugin" in str(w.message)]
    assert len(broken) == 1 and "broken on purpose" in str(broken[0].message)
    assert dv.model_registry.info("thirdparty-ramp")["origin"] == "entry point 'good' (dv-goodplugin)"

    model = dv.load_model("thirdparty-ramp")
    result = dv.score(model, "ThirdParty.V1-ramp")
    assert result.raw == pytest.approx(1.0)
    assert result.ceiling == pytest.approx(0.5)
    assert result.value == pytest.approx(2 ** 0.5)  # 1 / sqrt(0.5): never clipped, but flagged
    assert result.flags == ("above_ceiling",)

    import dv_good_plugin

    assert dv_good_plugin.SEEN == [("thirdparty-ramp", "ThirdParty.V1-ramp", pytest.approx(2 ** 0.5))]


def test_plugin_registering_a_taken_name_is_reported(installed_plugins, temporary_entries):
    REGISTRIES["model"].register("thirdparty-ramp", "collections:OrderedDict", origin="tests")
    temporary_entries.append(("model", "thirdparty-ramp"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dv.list_models()
    messages = [str(w.message) for w in caught]
    assert any("registered twice: by tests and by entry point 'good' (dv-goodplugin)" in m
               for m in messages), messages


def test_builtin_plugins_discover_without_warnings():
    plugins.reset_discovery()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        plugins.discover()
