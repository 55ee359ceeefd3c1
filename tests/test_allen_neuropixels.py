"""Allen Neuropixels end to end on an NWB replica written with pynwb and served on loopback.

The replica has the real groups and tables: ``/general/extracellular_ephys`` electrodes with
``location``, ``/units`` with ragged ``spike_times`` and ``peak_channel_id``, and
``/intervals/natural_movie_one_presentations`` (``start_time``, ``stop_time``, ``frame``,
``stimulus_name``) plus another stimulus table; a fake DANDI API serves the asset's metadata
(path, size, sha256) and content, and the movie template is a ``.npy`` array as Allen's is.
Only the sizes are small.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import json
import threading
from datetime import datetime, timezone

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")

from dynamic_vision.data.allen_neuropixels import movie_spec, session_spec  # noqa: E402
from dynamic_vision.io.datasets import register_dataset, register_stimulus_set  # noqa: E402
from dynamic_vision.io.download import HashMismatchError  # noqa: E402
from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry  # noqa: E402

ASSET_ID = "00000000-1111-2222-3333-444444444444"
ASSET_PATH = "sub-1/sub-1_ses-42.nwb"
N_FRAMES, N_REPEATS, PER_CLIP, PER_BIN, FPS = 240, 6, 4, 2, 30.0  # 60 clips, as the movie
CHANNELS = {850: "VISp", 851: "VISp", 852: "VISl", 853: "LGd", 854: "CA1"}
UNITS = {9001: 850, 9002: 850, 9003: 851, 9004: 851, 9005: 852, 9006: 852, 9007: 852,
         9008: 853, 9009: 853, 9010: 854}
PREFIX = "AllenReplica"


def movie() -> np.ndarray:
    rng = np.random.default_rng(5)
    level = rng.uniform(40, 200, size=(N_FRAMES, 1, 1))  # brightness changes frame by frame
    coarse = np.clip(level + rng.uniform(-30, 30, size=(N_FRAMES, 4, 8)), 0, 255)
    return np.kron(coarse.astype(np.uint8), np.ones((4, 4), np.uint8))  # (frames, 16, 32)


def frame_table(rng):
    """Onsets with jitter between frames; frames last exactly 1/30 s; an aborted repeat."""
    rows, t = [], 100.0
    for repeat in range(N_REPEATS):
        for frame in range(N_FRAMES):
            rows.append((t, t + 1 / FPS, float(frame)))
            t += 1 / FPS + rng.uniform(0, 0.003)
        t += 1.0
    for frame in range(10):
        rows.append((t, t + 1 / FPS, float(frame)))
        t += 1 / FPS
    return rows


def spike_trains(rng, rows):
    """Luminance-driven Poisson spikes for visual units, flat for the hippocampal one."""
    luminance = movie().reshape(N_FRAMES, -1).mean(axis=1) / 255.0
    trains = {}
    for unit, channel in UNITS.items():
        spikes = []
        for start, stop, frame in rows:
            drive = luminance[int(frame)] ** 2 if CHANNELS[channel] != "CA1" else 0.0
            n = rng.poisson((5.0 + 400.0 * drive) * (stop - start))
            spikes.extend(rng.uniform(start, stop, size=n))
        trains[unit] = np.sort(np.asarray(spikes))
    return trains


def write_nwb(path, rows, trains):
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.epoch import TimeIntervals

    nwb = NWBFile(session_description="Allen Brain Observatory ecephys session (replica)",
                  identifier="42", session_start_time=datetime(2019, 1, 1, tzinfo=timezone.utc))
    device = nwb.create_device(name="probeA")
    group = nwb.create_electrode_group(name="probeA", description="Neuropixels probe",
                                       location="See electrode locations", device=device)
    nwb.add_electrode_column(name="probe_vertical_position", description="µm from tip")
    nwb.add_electrode_column(name="valid_data", description="usable channel")
    for k, (channel, area) in enumerate(CHANNELS.items()):
        nwb.add_electrode(id=channel, x=8000.0 + k, y=3000.0, z=7000.0, imp=0.0,
                          location=area, filtering="AP band", group=group,
                          probe_vertical_position=20 * k, valid_data=True)
    nwb.add_unit_column(name="peak_channel_id", description="channel of the largest waveform")
    nwb.add_unit_column(name="quality", description="sorting quality")
    nwb.add_unit_column(name="firing_rate", description="mean rate (Hz)")
    for unit, channel in UNITS.items():
        nwb.add_unit(id=unit, spike_times=trains[unit], peak_channel_id=channel,
                     quality="good", firing_rate=float(len(trains[unit])))
    movie_table = TimeIntervals(name="natural_movie_one_presentations",
                                description="Presentation times and stimuli details")
    for column in ("stimulus_name", "frame", "stimulus_block"):
        movie_table.add_column(name=column, description=column)
    for start, stop, frame in rows:
        movie_table.add_interval(start_time=start, stop_time=stop, stimulus_name=
                                 "natural_movie_one", frame=frame, stimulus_block=3.0)
    nwb.add_time_intervals(movie_table)
    gratings = TimeIntervals(name="drifting_gratings_presentations",
                             description="Presentation times and stimuli details")
    gratings.add_column(name="orientation", description="deg")
    gratings.add_interval(start_time=1.0, stop_time=3.0, orientation=45.0)
    nwb.add_time_intervals(gratings)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)


class FakeArchive(http.server.BaseHTTPRequestHandler):
    """DANDI's asset API (metadata, then a redirect to the content) and the template bucket."""

    routes: dict = {}

    def do_GET(self):  # noqa: N802 (http.server API)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        status, body, headers = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path / "home"))
    rng = np.random.default_rng(0)
    rows = frame_table(rng)
    trains = spike_trains(rng, rows)
    nwb_path = tmp_path / "session.nwb"
    write_nwb(nwb_path, rows, trains)
    content = nwb_path.read_bytes()
    template = tmp_path / "natural_movie_1.h5"
    with open(template, "wb") as handle:
        np.save(handle, movie())  # Allen's template is a .npy array despite its name
    metadata = {"path": ASSET_PATH, "contentSize": len(content), "encodingFormat":
                "application/x-nwb", "digest": {"dandi:sha2-256":
                                                hashlib.sha256(content).hexdigest(),
                                                "dandi:dandi-etag": "abc-1"}}
    FakeArchive.routes = {
        f"/api/assets/{ASSET_ID}/": (200, json.dumps(metadata).encode(),
                                     {"Content-Type": "application/json"}),
        f"/api/assets/{ASSET_ID}/download/": (302, b"", {"Location": "/blobs/abc"}),
        "/blobs/abc": (200, content, {}),
        "/templates/natural_movie_1.h5": (200, template.read_bytes(), {}),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeArchive)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    register_dataset(session_spec("42", identifier=f"{PREFIX}.ses-42", api=f"{url}/api",
                                  asset_id=ASSET_ID, asset_path=ASSET_PATH,
                                  stimulus_set=f"{PREFIX}.movie", frames_per_clip=PER_CLIP,
                                  frames_per_bin=PER_BIN))
    register_stimulus_set(movie_spec(identifier=f"{PREFIX}.movie",
                                     url=f"{url}/templates/natural_movie_1.h5",
                                     frames_per_clip=PER_CLIP))
    yield rows, trains, metadata
    httpd.shutdown()
    httpd.server_close()
    dataset_registry.unregister(f"{PREFIX}.ses-42")
    stimulus_set_registry.unregister(f"{PREFIX}.movie")


def expected_rates(rows, trains, unit):
    """Independent count: per repeat, clip and bin, spikes between logged frame onsets."""
    ordered = sorted(rows)
    out = []
    for repeat in range(N_REPEATS):
        frames = ordered[repeat * N_FRAMES:(repeat + 1) * N_FRAMES]
        for clip in range(N_FRAMES // PER_CLIP):
            for b in range(PER_CLIP // PER_BIN):
                first = clip * PER_CLIP + b * PER_BIN
                start = frames[first][0]
                last = first + PER_BIN
                end = frames[last][0] if b < PER_CLIP // PER_BIN - 1 else frames[last - 1][1]
                n = np.sum((trains[unit] >= start) & (trains[unit] < end))
                out.append(n / (end - start))
    return np.asarray(out).reshape(N_REPEATS * N_FRAMES // PER_CLIP, PER_CLIP // PER_BIN)


def _replica_spec(identifier):
    """The declaration of AllenNeuropixels.VISp-ridge, on the replica's data."""
    from dynamic_vision.core.registry import benchmark_registry

    spec = benchmark_registry.entry("AllenNeuropixels.VISp-ridge").declaration
    return dataclasses.replace(spec, identifier=identifier, dataset=f"{PREFIX}.ses-42",
                               stimulus_set=f"{PREFIX}.movie")


def test_download_verify_load_and_score(archive):
    from dynamic_vision.benchmarks.allen_neuropixels.benchmark import build
    from dynamic_vision.models.pixels.model import PixelsModel
    from dynamic_vision.scoring import score

    from dynamic_vision.cli import main
    from dynamic_vision.io.datasets import get_spec
    from dynamic_vision.io.user_data import on_disk

    rows, trains, _ = archive
    assert on_disk(get_spec(f"{PREFIX}.ses-42")) is False
    assert main(["data", "fetch", f"{PREFIX}.ses-42", "--quiet"]) == 0  # via the DANDI API
    assert on_disk(get_spec(f"{PREFIX}.ses-42")) is True
    recordings = dataset_registry.load(f"{PREFIX}.ses-42", progress=False)
    n_clips = N_FRAMES // PER_CLIP
    assert recordings.sizes == {"presentation": N_REPEATS * n_clips, "neuroid": len(UNITS),
                                "time_bin": PER_CLIP // PER_BIN}
    assert recordings["neuroid_id"].values.tolist() == list(UNITS)
    assert recordings["region"].values.tolist() == [CHANNELS[c] for c in UNITS.values()]
    assert recordings["stimulus_id"].values[:2].tolist() == ["natural_movie_one-000",
                                                             "natural_movie_one-001"]
    assert recordings["repetition"].values.max() == N_REPEATS - 1  # the aborted run is dropped
    np.testing.assert_allclose(recordings["time_bin_end"].values, [200 / 3, 400 / 3])
    for unit in (9001, 9008, 9010):
        index = list(UNITS).index(unit)
        np.testing.assert_allclose(recordings.values[:, index, :],
                                   expected_rates(rows, trains, unit), rtol=1e-12)

    stimuli = stimulus_set_registry.load(f"{PREFIX}.movie", progress=False)
    assert len(stimuli) == n_clips and stimuli["n_frames"].tolist() == [PER_CLIP] * n_clips
    assert stimuli["stimulus_id"].tolist()[-1] == f"natural_movie_one-{n_clips - 1:03d}"

    model = PixelsModel(grid=4, size=16, fps=FPS, identifier="pixels-4", progress=False)
    benchmark = build(_replica_spec("AllenReplica.VISp-ridge"))
    result = score(model, benchmark, cache=False)
    assert result.detail["raw"].sizes["time_bin"] == 2  # one score per time bin
    assert np.all(np.isfinite(result.detail["raw"].values))
    assert float(result.ceiling) > 0.5  # luminance-driven rates repeat across the 6 repeats
    assert result.provenance["region"] == "VISp"
    assert float(result.raw) > 0.2  # the pixels model sees the luminance that drives VISp


def test_replica_plugins_pass_the_conformance_checks(archive):
    from dynamic_vision.benchmarks.allen_neuropixels.benchmark import build
    from dynamic_vision.core.benchmark import register_benchmark
    from dynamic_vision.core.registry import benchmark_registry
    from dynamic_vision.testing import check_benchmark, check_dataset, check_stimulus_set

    identifier = f"{PREFIX}.VISp-ridge"
    register_benchmark(_replica_spec(identifier), build)
    try:
        dataset_registry.load(f"{PREFIX}.ses-42", progress=False)  # download once
        stimulus_set_registry.load(f"{PREFIX}.movie", progress=False)
        check_dataset(f"{PREFIX}.ses-42")
        check_stimulus_set(f"{PREFIX}.movie")
        check_benchmark(identifier)
    finally:
        benchmark_registry.unregister(identifier)


def test_a_changed_asset_is_rejected(archive, tmp_path):
    _, _, metadata = archive
    FakeArchive.routes["/blobs/abc"] = (200, b"not the session", {})
    with pytest.raises(HashMismatchError):
        dataset_registry.load(f"{PREFIX}.ses-42", progress=False)


def test_the_registered_plugin_declares_its_extra_and_streams_one_session():
    info = dataset_registry.info("AllenNeuropixels.ses-715093703")
    assert info["requires"] == {"pynwb": "dynamic-vision[nwb]"}
    assert info["access"] == "open"
    assert info["dandi_asset"] == "58703c97-c0a9-4736-b684-73c85c1a444a"
    from dynamic_vision.core.registry import benchmark_registry

    assert "AllenNeuropixels.LGd-ridge" in benchmark_registry.list("AllenNeuropixels.*")
