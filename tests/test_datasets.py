"""Declarative data plugins: declaration, fetch from a local server, verification, core loaders,
embedded generators, conformance checks and the ``dynamic-vision data`` command."""

from __future__ import annotations

import functools
import hashlib
import http.server
import textwrap
import threading
import zipfile

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from dynamic_vision.io import datasets
from dynamic_vision.io.assemblies import load_assembly, neural_assembly, save_assembly
from dynamic_vision.cli import main
from dynamic_vision.io.datasets import (
    DataAccessError,
    DataSpec,
    RemoteFile,
    fetch,
    register_dataset,
    register_stimulus_set,
    verify,
)
from dynamic_vision.io.download import HashMismatchError
from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing import check_dataset, check_stimulus_set
from dynamic_vision.testing.data_checks import check_data_is_declared

BIBTEX = "@article{test2026, title={A test}, year={2026}}"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha1(path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A folder served over HTTP on 127.0.0.1, a fresh data home, and registry clean-up."""
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    root = tmp_path / "remote"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    registered: list[tuple] = []
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", registered
    httpd.shutdown()
    httpd.server_close()
    for registry, identifier in registered:
        registry.unregister(identifier)


def small_assembly() -> xr.DataArray:
    rng = np.random.default_rng(3)
    return neural_assembly(rng.normal(size=(4, 3, 2)), stimulus_id=["a", "b", "a", "b"],
                           neuroid_id=[0, 1, 2], region="MT", time_bin_start=[0, 50],
                           time_bin_end=[50, 100], attrs={"source": "test"})


def spec_for(identifier, files, loader, access="open", **kwargs) -> DataSpec:
    return DataSpec(identifier=identifier, files=files, loader=loader, bibtex=BIBTEX,
                    license="CC-BY-4.0", access=access, description="Test data.", **kwargs)


def test_open_netcdf_dataset_fetch_load_verify(served, capsys):
    root, url, registered = served
    assembly = small_assembly()
    path = save_assembly(assembly, root / "assy.nc")
    spec = spec_for("Test.Open", [RemoteFile(f"{url}/assy.nc", sha256(path),
                                             path.stat().st_size, "assy.nc")], "netcdf")
    register_dataset(spec)
    registered.append((dataset_registry, "Test.Open"))
    info = dataset_registry.info("Test.Open")
    assert (info["access"], info["license"], info["size_bytes"]) == (
        "open", "CC-BY-4.0", path.stat().st_size)

    assert [p.action for p in fetch("Test.Open", dry_run=True)] == ["download"]
    assert not datasets.data_folder("Test.Open").exists()  # a dry run touches nothing
    assert [p.action for p in fetch("Test.Open", progress=False)] == ["download"]
    assert [p.action for p in fetch("Test.Open", dry_run=True)] == ["present"]
    loaded = dataset_registry.load("Test.Open", progress=False)
    xr.testing.assert_identical(loaded, assembly)
    assert all(status.ok for status in verify("Test.Open"))
    check_dataset("Test.Open")

    assert main(["data", "list", "Test.*"]) == 0
    out = capsys.readouterr().out
    assert "Test.Open" in out and "open" in out and "CC-BY-4.0" in out and "yes" in out
    # A file changed on disk is caught by verify (and re-downloaded by fetch).
    local = datasets.data_folder("Test.Open") / "assy.nc"
    local.write_bytes(local.read_bytes()[:-10])
    assert main(["data", "verify", "Test.Open"]) == 1
    assert "size" in capsys.readouterr().out
    assert main(["data", "fetch", "Test.Open", "--dry-run"]) == 0
    assert "assy.nc: would download" in capsys.readouterr().out
    assert main(["data", "fetch", "Test.Open", "--quiet"]) == 0
    assert "assy.nc: downloaded" in capsys.readouterr().out
    xr.testing.assert_identical(load_assembly(local), assembly)


def test_fetch_with_wrong_hash_leaves_nothing(served):
    root, url, registered = served
    path = save_assembly(small_assembly(), root / "assy.nc")
    register_dataset(spec_for("Test.BadHash", [RemoteFile(f"{url}/assy.nc", "1" * 64, None,
                                                          "assy.nc")], "netcdf"))
    registered.append((dataset_registry, "Test.BadHash"))
    with pytest.raises(HashMismatchError):
        fetch("Test.BadHash", progress=False)
    folder = datasets.data_folder("Test.BadHash")
    assert not (folder / "assy.nc").exists() and not (folder / "assy.nc.part").exists()
    assert path.exists()


def test_brainio_stimulus_set_and_assembly(served):
    """Replica of a brainio stimulus set (CSV with image_id + filename, flat zip) and of a
    brainio assembly file, both verified by sha1 as brainio's catalogue publishes."""
    root, url, registered = served
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(root / "stimulus_Test.zip", "w") as bundle:
        for name in ("im1.png", "im2.png"):
            Image.fromarray(rng.integers(0, 256, (8, 8, 3), np.uint8)).save(root / name)
            bundle.write(root / name, arcname=name)
    (root / "stimulus_Test.csv").write_text(
        "image_id,object_name,filename\nim1,car,im1.png\nim2,dog,im2.png\n")
    files = [RemoteFile(f"{url}/{n}", None, (root / n).stat().st_size, n, sha1=sha1(root / n))
             for n in ("stimulus_Test.csv", "stimulus_Test.zip")]
    register_stimulus_set(spec_for("Test.Stimuli", files, "brainio_stimulus_set",
                                   loader_options={"image_duration_ms": 200.0}))
    registered.append((stimulus_set_registry, "Test.Stimuli"))
    stimuli = stimulus_set_registry.load("Test.Stimuli", progress=False)
    assert isinstance(stimuli, StimulusSet) and stimuli.identifier == "Test.Stimuli"
    assert stimuli["stimulus_id"].tolist() == ["im1", "im2"]
    assert stimuli["object_name"].tolist() == ["car", "dog"]
    assert stimuli["duration_ms"].tolist() == [200.0, 200.0]
    assert stimuli.get_path("im2").read_bytes() == (root / "im2.png").read_bytes()
    check_stimulus_set("Test.Stimuli")

    brainio = xr.DataArray(np.arange(6, dtype=np.float32).reshape(3, 2, 1),
                           dims=("neuroid", "presentation", "time_bin"),
                           coords={"neuroid_id": ("neuroid", ["n1", "n2", "n3"]),
                                   "region": ("neuroid", ["IT"] * 3),
                                   "image_id": ("presentation", ["im1", "im2"]),
                                   "repetition": ("presentation", [0, 0]),
                                   "time_bin_start": ("time_bin", [70]),
                                   "time_bin_end": ("time_bin", [170])})
    brainio.to_dataset(name="data").to_netcdf(root / "assy_Test.nc", engine="netcdf4")
    register_dataset(spec_for("Test.Brainio", [RemoteFile(
        f"{url}/assy_Test.nc", None, None, "assy_Test.nc", sha1=sha1(root / "assy_Test.nc"))],
        "brainio_netcdf"))
    registered.append((dataset_registry, "Test.Brainio"))
    assembly = dataset_registry.load("Test.Brainio", progress=False)
    assert assembly.dims == ("presentation", "neuroid", "time_bin")
    assert assembly["stimulus_id"].values.tolist() == ["im1", "im2"]
    np.testing.assert_array_equal(assembly.values[:, :, 0], [[0, 2, 4], [1, 3, 5]])
    check_dataset("Test.Brainio")


def test_registration_access_explains_and_accepts_placed_files(served, tmp_path):
    _, _, registered = served
    source = save_assembly(small_assembly(), tmp_path / "private.nc")
    spec = spec_for("Test.Private", [RemoteFile(None, sha256(source), None, "private.nc")],
                    "netcdf", access="registration",
                    instructions="Create an account at example.org and download private.nc.")
    register_dataset(spec)
    registered.append((dataset_registry, "Test.Private"))
    assert [p.action for p in fetch("Test.Private", dry_run=True)] == ["manual"]
    folder = datasets.data_folder("Test.Private")
    with pytest.raises(DataAccessError, match="private.nc.*example.org") as info:
        dataset_registry.load("Test.Private")
    assert str(folder) in str(info.value)
    check_data_is_declared("Test.Private")  # the loading check would skip while absent
    folder.mkdir(parents=True)
    (folder / "private.nc").write_bytes(source.read_bytes())
    xr.testing.assert_identical(dataset_registry.load("Test.Private"), small_assembly())
    (folder / "private.nc").write_bytes(source.read_bytes() + b"x")
    assert "sha256" in verify("Test.Private")[0].problem
    with pytest.raises(DataAccessError, match=r"private.nc \(on disk but sha256"):
        dataset_registry.load("Test.Private")


def test_embedded_generator(served, tmp_path, monkeypatch):
    _, _, registered = served
    module = tmp_path / "generated_data_plugin.py"
    module.write_text(textwrap.dedent("""
        import numpy as np
        from dynamic_vision.io.assemblies import neural_assembly

        def build(spec, n_neuroids=2, progress=True):
            return neural_assembly(np.ones((1, n_neuroids, 1)), stimulus_id=["s"],
                                   neuroid_id=np.arange(n_neuroids), region="MT",
                                   time_bin_start=[0], time_bin_end=[10],
                                   attrs={"identifier": spec.identifier})

        def forward(**kwargs):
            class Spec:
                identifier = "forwarded"
            return build(Spec, **kwargs)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    register_dataset(DataSpec("Test.Generated", [], "generated_data_plugin:build", BIBTEX,
                              "MIT", "embedded", "Simulated test data.", simulated=True))
    registered.append((dataset_registry, "Test.Generated"))
    assembly = dataset_registry.load("Test.Generated", n_neuroids=3, progress=False)
    assert assembly.sizes["neuroid"] == 3 and assembly.attrs["identifier"] == "Test.Generated"
    assert fetch("Test.Generated") == [] and verify("Test.Generated") == []
    assert dataset_registry.info("Test.Generated")["simulated"] is True
    check_dataset("Test.Generated")
    # A generator taking **kwargs gets only what the caller passed (no spec/folder).
    register_dataset(DataSpec("Test.Forwarding", [], "generated_data_plugin:forward", BIBTEX,
                              "MIT", "embedded", "Simulated test data.", simulated=True))
    registered.append((dataset_registry, "Test.Forwarding"))
    assert dataset_registry.load("Test.Forwarding", n_neuroids=4).sizes["neuroid"] == 4


def test_conformance_catches_an_incomplete_declaration(served):
    _, _, registered = served
    register_dataset(DataSpec("Test.NoCitation", [], "dynamic_vision.io.assemblies:load_assembly",
                              "", "", "embedded", "x"))
    registered.append((dataset_registry, "Test.NoCitation"))
    with pytest.raises(AssertionError, match="check_data_is_declared.*license"):
        check_dataset("Test.NoCitation")


def test_declarations_are_validated():
    good = RemoteFile("https://x/a.nc", "0" * 64, 1, "a.nc")
    with pytest.raises(ValueError, match="access must be one of"):
        spec_for("Bad", [good], "netcdf", access="public")
    with pytest.raises(ValueError, match="unknown loader 'pickle'"):
        spec_for("Bad", [good], "pickle")
    with pytest.raises(ValueError, match="needs a url and a sha256 or sha1"):
        spec_for("Bad", [RemoteFile("https://x/a.nc", None, 1, "a.nc")], "netcdf")
    with pytest.raises(ValueError, match="plain file name"):
        RemoteFile("https://x/a.nc", "0" * 64, 1, "../a.nc")
    assert RemoteFile("u", "0" * 64, 1, "clips.tar.gz", extract=True).extracted_name == "clips"
