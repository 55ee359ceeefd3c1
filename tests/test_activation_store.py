"""The content-addressed activation store: each stimulus's layer is computed once, ever.

Forward passes are counted with a pre-hook on the network. Other stimulus sets holding the same
files (RandomDots' clips are SimMotion clips), layer subsets and reordered subsets are served
without one; two processes sharing a home compute every stimulus once between them; a process
killed with SIGKILL leaves nothing that blocks or misleads the next one; a damaged chunk is named,
removed and computed again.
"""

from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision

from dynamic_vision.core.errors import RepairedCacheWarning
from dynamic_vision.io import video
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.modeling.activations import extract_activations
from dynamic_vision.core.lease import Lease
from dynamic_vision.modeling.spec import ModelSpec

torch.set_num_threads(1)

SPEC = ModelSpec("r3d_18-store-test", "video", ("layer1", "layer2", "avgpool"), 32, 15.0,
                 clip_length=4)
REPOSITORY = Path(__file__).resolve().parents[1]


class ForwardCounter:
    """Counts forward passes of a module and the inputs (clips) they carried."""

    def __init__(self, module: torch.nn.Module):
        self.batches: list[int] = []
        self.handle = module.register_forward_pre_hook(
            lambda _m, args: self.batches.append(int(args[0].shape[0])))

    def __enter__(self) -> ForwardCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.remove()


def _clips(folder: Path, n: int, seed: int = 0, n_frames: int = 12) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    files = {}
    for i in range(n):
        coarse = rng.integers(0, 255, size=(n_frames, 4, 4, 3)).astype(np.uint8)
        frames = np.kron(coarse, np.ones((1, 8, 8, 1), np.uint8))
        files[f"clip{i:02d}"] = video.write_video(folder / f"clip{i:02d}.mkv", frames, 30.0)
    return files


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(0)
    return torchvision.models.video.r3d_18().eval()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DYNAMIC_VISION_NO_CACHE", raising=False)
    return tmp_path / "home"


@pytest.mark.slow
def test_other_sets_layer_subsets_and_reorderings_need_no_forward_pass(home):
    import dynamic_vision as dv

    model = dv.load_model("r3d_18-random", input_size=32, clip_length=4, progress=False)
    simmotion = dv.load_stimulus_set("SimMotion", small=True, progress=False)
    dots = dv.load_stimulus_set("RandomDots", small=True, progress=False)
    assert set(dots["path"]) <= set(simmotion["path"])  # the premise: shared clips
    bins = [(start, start + 50.0) for start in range(0, 1000, 50)]
    layers = ["layer1", "layer2", "layer3"]
    with ForwardCounter(model.module) as counter:
        model.start_recording("MT", bins, layers=layers)
        full = model.look_at(simmotion)
    assert sum(counter.batches) > 0
    ids = list(full["stimulus_id"].values)

    def passes_for(stimuli, chosen):
        with ForwardCounter(model.module) as counted:
            model.start_recording("MT", bins, layers=chosen)
            recording = model.look_at(stimuli)
        return sum(counted.batches), recording

    count, served = passes_for(dots, layers)  # another benchmark's stimulus set
    assert count == 0
    rows = [ids.index(i) for i in served["stimulus_id"].values]
    np.testing.assert_array_equal(served.values, full.values[rows])
    count, subset = passes_for(simmotion, ["layer2"])  # a layer subset
    assert count == 0
    np.testing.assert_array_equal(subset.values,
                                  full.values[:, np.asarray(full["layer"] == "layer2")])
    reordered = simmotion.iloc[::-3].reset_index(drop=True)  # a reordered subset
    count, again = passes_for(reordered, layers)
    assert count == 0
    rows = [ids.index(i) for i in reordered["stimulus_id"]]
    np.testing.assert_array_equal(again.values, full.values[rows])
    # A new layer for known stimuli computes that layer only, in one pass over the stimuli.
    count, _ = passes_for(simmotion.iloc[:2], ["layer4"])
    assert count > 0
    count, _ = passes_for(simmotion.iloc[:2], ["layer4", "layer1"])
    assert count == 0


def test_same_file_under_two_ids_is_computed_once(home, tmp_path, network):
    files = _clips(tmp_path, 2)
    twice = StimulusSet.from_files({"a": files["clip00"], "b": files["clip01"],
                                    "a-again": files["clip00"]}, identifier="twice")
    with ForwardCounter(network) as counter:
        acts = extract_activations(network, SPEC, twice, ["layer2"], n_components=16,
                                   batch_size=64, progress=False)["layer2"]
    assert counter.batches == [6]  # two clips of 6 frames at 15 fps: 3 causal windows each
    np.testing.assert_array_equal(acts.values[0], acts.values[2])


_WORKER = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    import numpy as np, torch, torchvision
    from dynamic_vision.io.stimuli import StimulusSet
    from dynamic_vision.modeling.activations import extract_activations
    from dynamic_vision.modeling.spec import ModelSpec

    torch.set_num_threads(1)
    folder, go, out, delay = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
    files = {p.stem: p for p in sorted(folder.glob("clip*.mkv"))}
    stimuli = StimulusSet.from_files(files, identifier="shared")
    spec = ModelSpec("r3d_18-store-test", "video", ("layer1", "layer2", "avgpool"), 32, 15.0,
                     clip_length=4)
    torch.manual_seed(0)
    net = torchvision.models.video.r3d_18().eval()
    units = []
    net.register_forward_pre_hook(lambda m, a: units.append(int(a[0].shape[0])))
    net.register_forward_hook(lambda m, a, o: time.sleep(delay))
    while not go.exists():
        time.sleep(0.01)
    acts = extract_activations(net, spec, stimuli, n_components=16, chunk_size=2, batch_size=64,
                               progress=False)
    np.save(out.with_suffix(".npy"), acts["layer2"].values)
    out.write_text(json.dumps({"units": sum(units), "pid": os.getpid()}))
""")


def _spawn(script: Path, *args: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY) + os.pathsep + os.environ.get(
        "PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, str(script), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _chunk_records(home: Path) -> dict[str, list[dict]]:
    """Per layer folder, the records of its chunks."""
    records: dict[str, list[dict]] = {}
    for path in sorted((home / "activations").rglob("*.json")):
        if path.name != "manifest.json":
            records.setdefault(path.parent.name, []).append(json.loads(path.read_text()))
    return records


@pytest.mark.slow
def test_two_processes_on_one_home_compute_each_stimulus_once(home, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    _clips(clips, 12)  # 12 clips of 6 frames at 15 fps: 3 causal windows each
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    go = tmp_path / "go"
    workers = [_spawn(script, clips, go, tmp_path / f"out{i}.json", 0.05) for i in range(2)]
    time.sleep(1.0)
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    results = [json.loads((tmp_path / f"out{i}.json").read_text()) for i in range(2)]
    # Every stimulus once between the two processes: 12 clips x 3 windows in all.
    assert sum(r["units"] for r in results) == 12 * 3
    records = _chunk_records(home)
    assert len(records) == 3  # three layers
    for layer, chunks in records.items():
        keys = [entry[0] for chunk in chunks for entry in chunk["entries"]]
        assert len(keys) == len(set(keys)) == 12, f"{layer}: a stimulus was stored twice"
    writers = {chunk["written_by"]["pid"] for chunks in records.values() for chunk in chunks}
    assert writers == {r["pid"] for r in results}, "both processes should have shared the work"
    first, second = (np.load(tmp_path / f"out{i}.npy") for i in range(2))
    np.testing.assert_array_equal(first, second)
    assert not list(home.rglob("*.lock"))


@pytest.mark.slow
def test_a_killed_extraction_leaves_nothing_in_the_way(home, tmp_path, network):
    clips = tmp_path / "clips"
    clips.mkdir()
    files = _clips(clips, 8, seed=3)
    stimuli = StimulusSet.from_files(files, identifier="shared")
    reference = extract_activations(network, SPEC, stimuli, n_components=16, cache=False,
                                    progress=False)
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    go = tmp_path / "go"
    go.touch()
    worker = _spawn(script, clips, go, tmp_path / "out.json", 0.3)
    deadline = time.monotonic() + 120
    while not len(_chunk_records(home)) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    os.kill(worker.pid, signal.SIGKILL)  # mid-extraction, holding leases
    worker.communicate()
    written = {entry[0] for chunks in _chunk_records(home).values() for chunk in chunks
               for entry in chunk["entries"]}
    assert 0 < len(written) < 8
    with ForwardCounter(network) as counter:
        resumed = extract_activations(network, SPEC, stimuli, n_components=16, progress=False)
    assert 0 < sum(counter.batches) < 8 * 3  # only what the killed process had not stored
    for layer in SPEC.layers:
        np.testing.assert_array_equal(resumed[layer].values, reference[layer].values)


def test_a_lease_is_exclusive_and_dies_with_its_holder(tmp_path):
    path = tmp_path / "leases" / "x.lock"
    held = Lease(path)
    assert held.acquire(blocking=False) and path.is_file()
    holder = subprocess.run(
        [sys.executable, "-c", "import sys; from dynamic_vision.core.lease import Lease; "
         "sys.exit(1 if Lease(sys.argv[1]).acquire(blocking=False) else 0)", str(path)],
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)}, capture_output=True, text=True)
    assert holder.returncode == 0, holder.stderr  # busy for another process
    held.release()
    assert not path.exists()
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from dynamic_vision.core.lease import Lease; "
         "l = Lease(sys.argv[1]); l.acquire(); print('held', flush=True); "
         "time.sleep(60)", str(path)],
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)}, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    assert not Lease(path).acquire(blocking=False)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    again = Lease(path)
    assert again.acquire(blocking=False)  # the kernel dropped the dead holder's lock
    again.release()


@pytest.mark.parametrize("damage", ["flip", "truncate", "record"])
def test_a_damaged_chunk_is_named_removed_and_computed_again(home, tmp_path, network, damage):
    files = _clips(tmp_path, 4, seed=5)
    stimuli = StimulusSet.from_files(files, identifier="damage")
    kwargs = dict(n_components=16, chunk_size=2, progress=False)
    first = extract_activations(network, SPEC, stimuli, ["layer2"], **kwargs)["layer2"]
    chunk = sorted((home / "activations").rglob("*.npy"))[0]
    record = chunk.with_suffix(".json")
    if damage == "flip":
        data = bytearray(chunk.read_bytes())
        data[-5] ^= 0xFF
        chunk.write_bytes(bytes(data))
    elif damage == "truncate":
        chunk.write_bytes(chunk.read_bytes()[:-40])
    else:
        record.write_text("{not json")
    named = record if damage == "record" else chunk
    with pytest.warns(RepairedCacheWarning, match=f"{re.escape(str(named))} is damaged"), \
            ForwardCounter(network) as counter:
        again = extract_activations(network, SPEC, stimuli, ["layer2"], **kwargs)["layer2"]
    assert sum(counter.batches) == 2 * 3  # the two stimuli of that chunk, 3 windows each
    np.testing.assert_array_equal(again.values, first.values)
    assert not chunk.exists() and not record.exists()  # replaced by a new, valid chunk
