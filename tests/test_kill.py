"""Work killed with SIGKILL at random moments: the next run leaves no scratch file, no damaged
cache, and the same bytes as a run that was never interrupted.

Five kinds of work are killed: building SimMotion, an activation extraction, a score, a
resumable download from a loopback server and the ``run`` coordinator of a grid. Each is first
run once, uninterrupted, in its own home (the reference, which also times it). Then, round after
round in a fresh home, the work is started in a forked child and killed at a moment drawn from a
fixed-seed generator over the reference's duration, started again and killed again, and finally
run to completion in this process; the home must then hold exactly what the reference holds.
Children are forked from this process (torch already imported), so a kill costs milliseconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import logging
import os
import re
import signal
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from dynamic_vision.core.errors import RepairedCacheWarning
from dynamic_vision.core.lease import Lease
from tests import scale_toys
from tests.test_download import Handler

pytestmark = pytest.mark.slow

torch.set_num_threads(1)

#: Interrupted runs per kind of work (at least); kills per round (the later ones hit a resumed run).
KILLS, KILLS_PER_ROUND = 10, 2
SEED = 1207
#: Names of files that must not outlive the run after a kill: temporary files of atomic writes,
#: partial downloads, scratch folders, caches moved aside as damaged.
SCRATCH = re.compile(r"\.tmp$|\.tmp-|\.part$|\.building-|\.damaged$")


# -- the five kinds of work ------------------------------------------------------------------


class Work:
    """One kind of work: ``run(home)`` does it (idempotently) in ``home``; ``result(home)`` is
    what must be identical after any interruption (bytes, arrays, values)."""

    def run(self, home: Path) -> None:
        raise NotImplementedError

    def result(self, home: Path) -> Any:
        raise NotImplementedError


class SimMotionBuild(Work):
    """Every clip, motion energy and recording of a reduced SimMotion."""

    def __init__(self) -> None:
        from dynamic_vision.data.simmotion.parameters import SMALL

        self.parameters = dataclasses.replace(SMALL, grating_directions=2, plaid_directions=1,
                                              dot_directions=2, dot_clips_per_condition=1)

    def run(self, home: Path) -> None:
        from dynamic_vision.data.simmotion.build import build

        build(self.parameters, progress=False)

    def result(self, home: Path) -> dict[str, bytes]:
        from dynamic_vision.data.simmotion.build import data_root
        from dynamic_vision.io.video import read_frames

        root = data_root(self.parameters)
        files = _files(root)
        for name in files:  # every clip decodes, every energy loads
            if name.endswith(".mkv"):
                assert len(read_frames(root / name)) == self.parameters.n_frames
            elif name.endswith(".npy"):
                np.load(root / name, allow_pickle=False)
        return files


class Extraction(Work):
    """A tiny video network's two layers on twelve clips, stored two stimuli per chunk."""

    def __init__(self, clips: Path) -> None:
        from dynamic_vision.io.stimuli import StimulusSet
        from dynamic_vision.modeling.spec import ModelSpec
        from tests.test_activation_store import _clips

        self.spec = ModelSpec("tiny-kill-test", "video", ("layer1", "layer2"), 32, 15.0,
                              clip_length=4)
        self.stimuli = StimulusSet.from_files(_clips(clips, 12, seed=7), identifier="kill")
        torch.manual_seed(0)
        self.network = torch.nn.Sequential()
        self.network.add_module("layer1", torch.nn.Conv3d(3, 6, 3, padding=1))
        self.network.add_module("layer2", torch.nn.Conv3d(6, 6, 3, stride=2))
        self.network.eval()

    def run(self, home: Path) -> dict[str, np.ndarray]:
        from dynamic_vision.modeling.activations import extract_activations

        out = extract_activations(self.network, self.spec, self.stimuli, n_components=8,
                                  chunk_size=2, batch_size=2, progress=False)
        return {layer: values.values for layer, values in out.items()}

    def result(self, home: Path) -> dict[str, bytes]:
        _check_activation_chunks(home)
        return {layer: values.tobytes() for layer, values in self.run(home).items()}


class Scoring(Work):
    """``score`` of a registered model on a registered electrode benchmark (ridge metric,
    split-half ceiling cached on disk)."""

    MODEL, BENCHMARK = "kill-table-model", "KillToy.V1-ridge"

    def __init__(self, folder: Path) -> None:
        from PIL import Image

        from dynamic_vision.benchmark_kinds import NeuralBenchmark
        from dynamic_vision.core.registry import benchmark_registry, model_registry
        from dynamic_vision.io.assemblies import neural_assembly
        from dynamic_vision.io.stimuli import StimulusSet
        from dynamic_vision.testing.benchmark_checks import TableModel, random_features

        n_stimuli, n_neuroids, n_reps = 60, 8, 4
        files = {}
        for i in range(n_stimuli):
            files[f"s{i:02d}"] = folder / f"s{i:02d}.png"
            Image.fromarray(np.full((8, 8, 3), i * 4, np.uint8)).save(files[f"s{i:02d}"])
        stimuli = StimulusSet.from_files(files, identifier="kill-neural",
                                         image_duration_ms=200.0)
        features = random_features(n_features=6, seed=1, n_steps=2)
        weights = np.random.default_rng(0).standard_normal((6, n_neuroids))
        clean = np.stack([features(row) @ weights for _, row in stimuli.iterrows()])
        clean = clean.transpose(0, 2, 1)  # (stimulus, neuroid, time bin)
        rng = np.random.default_rng(1)
        values = np.concatenate([clean + 0.5 * rng.standard_normal(clean.shape)
                                 for _ in range(n_reps)])
        assembly = neural_assembly(
            values, stimulus_id=np.tile(stimuli["stimulus_id"].values, n_reps),
            neuroid_id=[f"n{k}" for k in range(n_neuroids)], region="V1",
            time_bin_start=[0.0, 100.0], time_bin_end=[100.0, 200.0],
            repetition=np.repeat(np.arange(n_reps), n_stimuli))
        benchmark_registry.register(
            self.BENCHMARK, lambda **_: NeuralBenchmark(
                self.BENCHMARK, assembly=assembly, stimuli=stimuli, region="V1", metric="ridge",
                n_splits=3, version=1, bibtex="@misc{kill}"), version=1)
        model_registry.register(self.MODEL, lambda **_: TableModel(self.MODEL,
                                                                   {"features": features}),
                                version=1)

    def close(self) -> None:
        from dynamic_vision.core.registry import benchmark_registry, model_registry

        benchmark_registry.unregister(self.BENCHMARK)
        model_registry.unregister(self.MODEL)

    def run(self, home: Path) -> None:
        from dynamic_vision.scoring import score

        score(self.MODEL, self.BENCHMARK)

    def result(self, home: Path) -> dict[str, Any]:
        from dynamic_vision.scoring import score

        caches = _files(home)  # the score and ceiling caches, byte for byte
        for data in caches.values():
            json.loads(data)
        served = score(self.MODEL, self.BENCHMARK)
        return {"caches": caches, "value": served.value, "raw": served.raw,
                "ceiling": served.ceiling}


class Download(Work):
    """A 3 MiB file from a loopback server that sends it in slow pieces."""

    PAYLOAD = np.random.default_rng(3).integers(0, 256, 3 << 20, dtype=np.uint8).tobytes()

    def __init__(self, url: str) -> None:
        import hashlib

        self.url, self.sha256 = url, hashlib.sha256(self.PAYLOAD).hexdigest()

    def run(self, home: Path) -> None:
        from dynamic_vision.io.download import download

        download(self.url, home / "data" / "payload.bin", sha256=self.sha256,
                 size=len(self.PAYLOAD), progress=False, retries=0)

    def result(self, home: Path) -> dict[str, bytes]:
        files = _files(home)
        assert files["data/payload.bin"] == self.PAYLOAD
        return files


class Grid(Work):
    """``dynamic-vision run`` of three models on three benchmarks into the default SQLite store."""

    def __init__(self) -> None:
        scale_toys.register()
        self.argv = ["run", "--models", "scale-toy-a,scale-toy-b,scale-toy-c",
                     "--benchmarks", "ScaleToy.V1-corr,ScaleToy.MT-corr,ScaleToy.V1-slow",
                     "--import", scale_toys.WORKER_SETUP, "--json"]

    def close(self) -> None:
        scale_toys.unregister()

    def run(self, home: Path) -> None:
        from dynamic_vision.cli import main

        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            assert main(self.argv) == 0

    def result(self, home: Path) -> list[dict[str, Any]]:
        from dynamic_vision.scale.store import RESULT_FIELDS, ResultStore

        with ResultStore() as store:
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            rows = [{k: row[k] for k in RESULT_FIELDS} for row in store.rows()]
            for key in store.spool.keys():  # what workers spooled (kept after adoption) reads
                assert store.spool.read(key)["status"] == "done"
        assert len(rows) == 9 and {row["status"] for row in rows} == {"done"}
        return sorted(rows, key=lambda row: (row["model"], row["benchmark"]))


# -- what a home may hold after a run --------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (relative path → bytes), leases and locks aside."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.endswith((".lock", ".lease"))}


def _check_activation_chunks(home: Path) -> None:
    """Every chunk of the activation store has its record and matches it."""
    for array in (home / "activations").rglob("*.npy"):
        record = json.loads(array.with_suffix(".json").read_text())
        values = np.load(array, allow_pickle=False)
        assert list(values.shape) == record["shape"] and values.dtype == np.float32, array
        assert zlib.crc32(values.tobytes()) == record["crc32"], array


def _assert_clean(home: Path) -> None:
    """No scratch file is left, and no lease or lock is still held."""
    scratch = [p.relative_to(home).as_posix() for p in home.rglob("*") if SCRATCH.search(p.name)]
    assert not scratch, f"scratch files outlived the run: {scratch}"
    for path in home.rglob("*"):
        if path.name.endswith((".lock", ".lease")):
            lease = Lease(path)
            assert lease.acquire(blocking=False), f"{path} is still held"
            lease.release()
    for path in home.rglob("*.json"):
        json.loads(path.read_text())  # every JSON cache and record reads back


# -- forking and killing ---------------------------------------------------------------------


def _fork(work: Work, home: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child: do the work, never return into pytest
        code = 1
        try:
            os.environ["DYNAMIC_VISION_HOME"] = str(home)
            work.run(home)
            code = 0
        finally:
            os._exit(code)
    return pid


def _run_child(work: Work, home: Path, kill_after: float | None = None) -> tuple[float, bool]:
    """Run ``work`` in a forked child, killed after ``kill_after`` seconds (if still running);
    returns the seconds it ran and whether the kill interrupted it."""
    start = time.perf_counter()
    pid = _fork(work, home)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)  # a finished child is a zombie until reaped: no harm
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    if kill_after is None:
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, \
            f"{type(work).__name__} failed in its child ({status})"
        return elapsed, False
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, f"{type(work).__name__} failed in its child"
    return elapsed, os.WIFSIGNALED(status)


@contextlib.contextmanager
def _home(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Iterator[Path]:
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(folder))
    yield folder


def _finish(work: Work, home: Path, caplog: pytest.LogCaptureFixture) -> Any:
    """Complete ``work`` in this process, failing on any cache found damaged on the way."""
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        work.run(home)
        result = work.result(home)
    repaired = [str(w.message) for w in caught if issubclass(w.category, RepairedCacheWarning)]
    assert not repaired, f"a kill left a damaged cache: {repaired}"
    damaged = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert not damaged, f"a kill left a damaged cache: {damaged}"
    return result


# -- the test --------------------------------------------------------------------------------


class ThrottledHandler(Handler):
    """The download tests' handler, sending bodies in 128 KiB pieces 15 ms apart."""

    def setup(self) -> None:
        super().setup()
        raw = self.wfile

        class Slow:
            def write(self, data: bytes) -> int:
                for start in range(0, len(data), 128 << 10):
                    raw.write(data[start:start + (128 << 10)])
                    raw.flush()
                    if len(data) > 4096:
                        time.sleep(0.015)
                return len(data)

            def __getattr__(self, name: str) -> Any:
                return getattr(raw, name)

        self.wfile = Slow()


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-transfer resets its connection: expected here


@pytest.fixture
def loopback_url() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), ThrottledHandler)
    httpd.files = {"/payload.bin": Download.PAYLOAD}
    httpd.log, httpd.drop_once, httpd.drop_at, httpd.ignore_range = [], set(), 0, False
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/payload.bin"
    httpd.shutdown()
    httpd.server_close()


WORKS: dict[str, Callable[[Path, str], Work]] = {
    "simmotion-build": lambda tmp, url: SimMotionBuild(),
    "extraction": lambda tmp, url: Extraction(tmp / "clips"),
    "score": lambda tmp, url: Scoring(tmp / "stimuli"),
    "download": lambda tmp, url: Download(url),
    "run-coordinator": lambda tmp, url: Grid(),
}


@pytest.mark.parametrize("kind", sorted(WORKS))
def test_killed_work_resumes_to_identical_results(kind, tmp_path, monkeypatch, caplog,
                                                  loopback_url):
    caplog.set_level(logging.WARNING)
    for folder in ("clips", "stimuli"):
        (tmp_path / folder).mkdir()
    work = WORKS[kind](tmp_path, loopback_url)
    try:
        with _home(monkeypatch, tmp_path / "reference") as home:
            reference = _finish(work, home, caplog)  # here: the children start warm
            _assert_clean(home)
        with _home(monkeypatch, tmp_path / "timing") as home:  # warm, like the killed children
            duration, _ = _run_child(work, home)
        rng = np.random.default_rng([SEED, zlib.crc32(kind.encode())])
        kills = rounds = 0
        while kills < KILLS:
            rounds += 1
            assert rounds <= 2 * KILLS, f"only {kills} of {rounds * KILLS_PER_ROUND} kills " \
                f"hit {kind} while it ran ({duration:.2f} s uninterrupted)"
            with _home(monkeypatch, tmp_path / f"round{rounds}") as home:
                for _ in range(KILLS_PER_ROUND):
                    _, interrupted = _run_child(work, home, rng.uniform(0.0, duration))
                    kills += interrupted
                result = _finish(work, home, caplog)
                _assert_clean(home)
                assert result == reference, f"round {rounds}: not identical to the reference"
        print(f"{kind}: {kills} kills in {rounds} rounds, {duration:.2f} s uninterrupted")
    finally:
        if hasattr(work, "close"):
            work.close()
