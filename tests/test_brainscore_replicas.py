"""Brain-Score's public classics through the real plugins, on exact-format replicas.

Replicas of the BrainIO files (``tests/brainio_replicas.py``) are served from a loopback HTTP
server laid out as a mirror of the S3 host; ``DYNAMIC_VISION_DATA_MIRROR`` points the plugins
there and ``DYNAMIC_VISION_DATA_HASHES`` supplies the replicas' hashes (sha1 and size, as
BrainIO publishes). Everything else (URLs, loaders, benchmarks) is the production code.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import StratifiedShuffleSplit

from dynamic_vision.io import datasets
from dynamic_vision.cli import main
from dynamic_vision.io.download import HashMismatchError
from dynamic_vision.core.registry import (
    benchmark_registry,
    dataset_registry,
    stimulus_set_registry,
)
from dynamic_vision.core.scores import apply_ceiling

from . import brainio_replicas

PUBLISHED_SHA1 = "13d28ca0ce88ee550b54db3004374ae19096e9b9"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """Replicas of all three datasets served over HTTP on 127.0.0.1; their hash manifest."""
    root = tmp_path_factory.mktemp("brainio-mirror")
    manifest: dict = {}
    manifest.update(brainio_replicas.majajhong_replica(root))
    manifest.update(brainio_replicas.freemanziemba_replica(root))
    manifest.update(brainio_replicas.rajalingham_replica(root))
    # As BrainIO publishes them: sha1 and size; the sha256 is recorded on first download.
    brainio_style = {identifier: {name: {"sha1": h["sha1"], "size": h["size"]}
                                  for name, h in files.items()}
                     for identifier, files in manifest.items()}
    manifest_path = root.parent / f"{root.name}-hashes.json"
    manifest_path.write_text(json.dumps(brainio_style))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", manifest_path, manifest
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(mirror, tmp_path_factory):
    """The mirror and manifest in force and a fresh data home, for the whole module."""
    url, manifest_path, manifest = mirror
    patch = pytest.MonkeyPatch()
    patch.setenv("DYNAMIC_VISION_HOME", str(tmp_path_factory.mktemp("home")))
    patch.setenv("DYNAMIC_VISION_DATA_MIRROR", url)
    patch.setenv("DYNAMIC_VISION_DATA_HASHES", str(manifest_path))
    yield manifest
    patch.undo()


@pytest.fixture(scope="module")
def pixels():
    from dynamic_vision import load_model

    return load_model("pixels")


def test_dry_run_prints_the_real_urls_sizes_and_hashes(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    monkeypatch.delenv("DYNAMIC_VISION_DATA_MIRROR", raising=False)
    monkeypatch.delenv("DYNAMIC_VISION_DATA_HASHES", raising=False)
    assert main(["data", "fetch", "MajajHong2015.public", "--dry-run"]) == 0
    out = capsys.readouterr().out
    bucket = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore"
    assert f"url: {bucket}/assy_dicarlo_MajajHong2015_public.nc" in out
    assert f"sha1: {PUBLISHED_SHA1}" in out
    assert f"url: {bucket}/stimulus_hvm-public.zip" in out
    assert "sha1: 8aa44e038d7b551efa8077467622f9d48d72e473" in out
    assert "size: unknown (not published)" in out
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.nc"))
    for identifier, sha1 in [("FreemanZiemba2013.public",
                              "761c08f796db4e342555cdb60eef23a4f19ead43"),
                             ("Rajalingham2018.public",
                              "34c6a8b6f7c523589c1861e4123232e5f7c7df4c")]:
        (plan,) = datasets.fetch(identifier, dry_run=True)
        assert plan.sha1 == sha1 and plan.action == "download"
    (plan,) = datasets.fetch("FreemanZiemba2013.public", dry_run=True)
    assert plan.url.endswith("?versionId=W2vx7jdh9utZdVumHHarXa4L1zOrA8Fd")


def test_replica_with_the_published_hash_is_refused(mirror, monkeypatch, tmp_path):
    """Through the mirror but without the manifest, the replica fails the published sha1."""
    url, _, _ = mirror
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    monkeypatch.setenv("DYNAMIC_VISION_DATA_MIRROR", url)
    monkeypatch.delenv("DYNAMIC_VISION_DATA_HASHES", raising=False)
    with pytest.raises(HashMismatchError, match=PUBLISHED_SHA1):
        datasets.fetch("MajajHong2015.public", progress=False)
    folder = datasets.data_folder("MajajHong2015.public")
    assert not any(folder.glob("assy_*")), "a refused download must leave nothing behind"


def test_download_verify_and_sha256_record(served):
    plan = datasets.fetch("MajajHong2015.public", progress=False)
    assert [p.action for p in plan] == ["download"]
    assert plan[0].url.startswith("http://127.0.0.1:")
    assert all(status.ok for status in datasets.verify("MajajHong2015.public"))
    recorded = datasets.recorded_sha256("MajajHong2015.public")
    name = "assy_dicarlo_MajajHong2015_public.nc"
    assert recorded == {name: served["MajajHong2015.public"][name]["sha256"]}


def test_brainio_layouts_load_to_the_library_contract(served):
    majaj = dataset_registry.load("MajajHong2015.public")
    assert majaj.dims == ("presentation", "neuroid", "time_bin")
    assert set(np.unique(majaj["region"].values)) == {"V4", "IT"}
    assert float(majaj["time_bin_start"][0]) == 70 and float(majaj["time_bin_end"][0]) == 170
    hvm = stimulus_set_registry.load("hvm-public")
    assert set(hvm["stimulus_id"]) == set(majaj["stimulus_id"].values)
    assert (hvm["duration_ms"] == 100).all() and (hvm["n_frames"] == 1).all()
    # legacy 'image_id' CSV, identifier-named data variable
    objectome = stimulus_set_registry.load("objectome.public")
    assert objectome["stimulus_id"].tolist() == objectome["image_id"].tolist()
    trials = dataset_registry.load("Rajalingham2018.public")
    assert trials.dims == ("presentation",) and "stimulus_id" in trials.coords


def test_freemanziemba_bins_average_the_one_ms_recordings(served):
    from dynamic_vision.io.brainio import load_recordings

    raw = dataset_registry.load("FreemanZiemba2013.public")
    assert raw.sizes["time_bin"] == 300
    binned = load_recordings("FreemanZiemba2013.public", "FreemanZiemba2013.aperture-public",
                             [(50, 200), (0, 10)])
    expected = raw.values[:, :, 50:200].mean(axis=2)
    np.testing.assert_allclose(binned.values[:, :, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(binned.values[:, :, 1], raw.values[:, :, :10].mean(axis=2))
    assert "texture_type" in binned.coords  # merged from the stimulus set for stratification


def test_stimulus_zip_must_hold_exactly_the_csv_files(served, tmp_path):
    import zipfile

    folder = datasets.data_folder("hvm-public")
    datasets.fetch("hvm-public", progress=False)
    spec = datasets.get_spec("hvm-public")
    extracted = folder / "stimulus_hvm-public"
    if not extracted.exists():
        stimulus_set_registry.load("hvm-public")
    stray = extracted / "stray.png"
    stray.write_bytes(b"not listed")
    try:
        with pytest.raises(ValueError, match="1 extra"):
            datasets.LOADERS["brainio_stimulus_set"](spec, folder)
    finally:
        stray.unlink()
    assert zipfile.is_zipfile(folder / "stimulus_hvm-public.zip")


def _independent_brainscore_pls(features: np.ndarray, ids: np.ndarray, recordings) -> float:
    """Brain-Score's PLS predictivity, written from its definition with scikit-learn (the exact
    mode's own check against Brain-Score's numbers is tests/test_brainscore_exact.py)."""
    averaged = recordings.groupby("stimulus_id").mean("presentation")  # float32, as stored
    order = np.argsort(ids)
    X = features[order]
    assert list(ids[order]) == list(averaged["stimulus_id"].values)
    objects = recordings["object_name"].to_series().groupby(
        recordings["stimulus_id"].values).first().loc[ids[order]].values
    Y = averaged.transpose("stimulus_id", "neuroid").values.astype(np.float64)
    splitter = StratifiedShuffleSplit(n_splits=10, train_size=0.9, test_size=None,
                                      random_state=1)
    per_split = []
    for train, test in splitter.split(np.zeros(len(X)), objects):
        train, test = np.sort(train), np.sort(test)
        fit = PLSRegression(n_components=25, scale=False)  # Brain-Score's NIPALS defaults
        predicted = fit.fit(X[train], Y[train]).predict(X[test])
        per_split.append(np.median([stats.pearsonr(predicted[:, k], Y[test, k]).statistic
                                    for k in range(Y.shape[1])]))
    return float(np.mean(per_split))


def test_majajhong_pls_equals_an_independent_brainscore_computation(served, pixels):
    benchmark = benchmark_registry.load("MajajHong2015.IT-pls")
    score = benchmark(pixels)
    assert score.value == pytest.approx(
        apply_ceiling(score.raw, score.ceiling, "explained_variance"), rel=1e-12)
    # the same model features, computed on the benchmark's stimuli
    pixels.start_recording("IT", [(70, 170)])
    activations = pixels.look_at(benchmark.stimuli).isel(time_bin=0)
    features = activations.transpose("presentation", "neuroid").values.astype(np.float64)
    ids = activations["stimulus_id"].values.astype(str)
    recordings = dataset_registry.load("MajajHong2015.public")
    it = recordings.isel(neuroid=recordings["region"].values == "IT", time_bin=0)
    expected = _independent_brainscore_pls(features, ids, it)
    assert score.raw == pytest.approx(expected, abs=1e-9)
    assert score.raw > 0.3, "the planted pixel signal must be recovered"
    assert 0 < score.ceiling < 1
    # Brain-Score's internal consistency: halves of the repetition values, shared by all images
    from sklearn.model_selection import ShuffleSplit

    values = it.transpose("presentation", "neuroid").values.astype(np.float64)
    repetition = it["repetition"].values
    unique = np.unique(repetition)
    halving = ShuffleSplit(n_splits=10, train_size=0.5, test_size=None, random_state=1)
    medians = []
    for first, second in halving.split(unique):
        means = [pd.DataFrame(values[np.isin(repetition, unique[h])],
                              index=it["stimulus_id"].values[np.isin(repetition, unique[h])])
                 .groupby(level=0).mean().sort_index() for h in (first, second)]
        r = np.array([stats.pearsonr(means[0].values[:, k], means[1].values[:, k]).statistic
                      for k in range(values.shape[1])])
        medians.append(np.median(2 * r / (1 + r)))
    assert score.ceiling == pytest.approx(np.mean(medians), abs=1e-9)


def test_ridge_variants_score_held_out_stimuli(served, pixels):
    majaj = benchmark_registry.load("MajajHong2015.V4-ridge")(pixels)
    assert np.isfinite(majaj.value) and majaj.raw > 0.2
    assert majaj.provenance["n_held_out_stimuli"] == 48  # 12 of each 25 per object
    freeman = benchmark_registry.load("FreemanZiemba2013.V1-ridge")
    score = freeman(pixels)
    assert score.detail.sizes["time_bin"] == 3 and np.isfinite(score.value)
    pls = benchmark_registry.load("FreemanZiemba2013.V2-pls")(pixels)
    assert np.isfinite(pls.value)


# -- Rajalingham2018.objects-i2n ------------------------------------------------------------------------


def _feature_model():
    """A small behaving model: a fixed random read-out of 4x4 block luminance."""
    from PIL import Image

    from dynamic_vision.testing.benchmark_checks import TableModel

    projection = np.random.default_rng(7).normal(size=(16, 12))

    def features(row):
        gray = np.asarray(Image.open(row["path"]).convert("L"), dtype=np.float64)
        k = gray.shape[0] // 4
        return gray.reshape(4, k, 4, k).mean(axis=(1, 3)).ravel() @ projection / 255.0

    return TableModel("block-luminance", {"blocks": features})


def _i2n(rates: np.ndarray, truth: np.ndarray, objects: list[str]) -> np.ndarray:
    """Normalised image-by-distractor d' from a (image, object) matrix of error rates."""
    from scipy.stats import norm

    index = {o: k for k, o in enumerate(objects)}
    dprime = np.full(rates.shape, np.nan)
    for i in range(rates.shape[0]):
        for o in range(rates.shape[1]):
            if objects[o] == truth[i]:
                continue
            images_of_o = np.flatnonzero(truth == objects[o])
            false_alarm = np.nanmean(rates[images_of_o, index[truth[i]]])
            dprime[i, o] = norm.ppf(1 - rates[i, o]) - norm.ppf(false_alarm)
    dprime = np.clip(dprime, -5, 5)
    for t in objects:
        rows = np.flatnonzero(truth == t)
        # An object's own column is all NaN for its images (no d' against itself): its mean is
        # NaN too, without numpy's empty-slice warning.
        defined = ~np.isnan(dprime[rows]).all(axis=0)
        dprime[np.ix_(rows, np.flatnonzero(defined))] -= np.nanmean(
            dprime[np.ix_(rows, np.flatnonzero(defined))], axis=0, keepdims=True)
    return dprime


def _human_rates(ids, objects, image_of, choice_of, distractor_of):
    rates = np.full((len(ids), len(objects)), np.nan)
    row = {i: k for k, i in enumerate(ids)}
    counts = {}
    for image, choice, distractor in zip(image_of, choice_of, distractor_of):
        key = (row[image], objects.index(distractor))
        chosen, shown = counts.get(key, (0, 0))
        counts[key] = (chosen + (choice == distractor), shown + 1)
    for (r, o), (chosen, shown) in counts.items():
        rates[r, o] = chosen / shown
    return rates


def test_rajalingham_fits_and_tests_on_disjoint_images(served):
    benchmark = benchmark_registry.load("Rajalingham2018.objects-i2n")
    fitting = set(benchmark.public_stimuli["stimulus_id"])
    tested = set(benchmark.held_out_stimuli["stimulus_id"])
    assert fitting and tested and not fitting & tested
    assert fitting | tested == set(benchmark.stimuli["stimulus_id"])
    trials = benchmark.trials()
    assert set(trials["stimulus_id"].values) == tested
    assert (trials["label"].values == trials["truth"].values).all()
    assert set(trials["distractor"].values) <= set(benchmark.stimuli["label"])


def test_rajalingham_i2n_matches_a_direct_rederivation(served):
    from dynamic_vision.statistics.ceilings import random_halves

    benchmark = benchmark_registry.load("Rajalingham2018.objects-i2n")
    model = _feature_model()
    score = benchmark(model)
    assert score.provenance["n_fitting_stimuli"] == score.provenance["n_held_out_stimuli"] == 16
    # The model's answers on the test images, after learning on the fitting images.
    model.start_task("probabilities", fitting_stimuli=benchmark.public_stimuli)
    probabilities = model.look_at(benchmark.held_out_stimuli)
    trials = benchmark.trials()
    ids = sorted(set(trials["stimulus_id"].values.astype(str)))
    objects = sorted(set(trials["label"].values.astype(str)))
    truth_of = dict(zip(trials["stimulus_id"].values, trials["label"].values))
    truth = np.array([truth_of[i] for i in ids])
    rows = {sid: k for k, sid in enumerate(probabilities["stimulus_id"].values)}
    columns = [list(probabilities["choice"].values).index(o) for o in objects]
    P = np.asarray(probabilities.values)[[rows[i] for i in ids]][:, columns]
    p_truth = P[np.arange(len(ids)), [objects.index(t) for t in truth]]
    model_errors = P / (P + p_truth[:, None])  # chance of picking the distractor
    model_errors[truth[:, None] == np.array(objects)[None, :]] = np.nan
    model_i2n = _i2n(model_errors, truth, objects).ravel()
    image_of = trials["stimulus_id"].values.astype(str)
    choice_of, distractor_of = trials["choice"].values, trials["distractor"].values

    def human_i2n(rows_of_trials):
        return _i2n(_human_rates(ids, objects, image_of[rows_of_trials],
                                 choice_of[rows_of_trials], distractor_of[rows_of_trials]),
                    truth, objects).ravel()

    human = human_i2n(np.arange(len(image_of)))
    valid = np.isfinite(human) & np.isfinite(model_i2n)
    assert valid.sum() > 20
    assert score.raw == pytest.approx(stats.pearsonr(model_i2n[valid], human[valid]).statistic,
                                      abs=1e-9)
    # Ceiling: the same halvings of each image's trials, I2n of each half, Spearman-Brown.
    consistencies = []
    for a, b in random_halves(image_of, n_splits=10, seed=0):
        first, second = human_i2n(a), human_i2n(b)
        both = np.isfinite(first) & np.isfinite(second)
        r = stats.pearsonr(first[both], second[both]).statistic
        consistencies.append(2 * r / (1 + r))
    assert score.ceiling == pytest.approx(np.mean(consistencies), abs=1e-9)
    assert score.convention == "disattenuated"
    assert score.value == pytest.approx(score.raw / np.sqrt(score.ceiling), rel=1e-12)
    assert 0.2 < score.ceiling < 1, "the replica's confusions are image-specific and reliable"


# -- conformance on the replicas ----------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["MajajHong2015.public", "FreemanZiemba2013.public",
                                        "Rajalingham2018.public"])
def test_data_conformance_on_replicas(served, identifier):
    from dynamic_vision.testing import check_dataset, check_stimulus_set

    datasets.fetch(identifier, progress=False)
    stimulus_set = datasets.get_spec(identifier).metadata["stimulus_set"]
    datasets.fetch(stimulus_set, progress=False)
    check_dataset(identifier)
    check_stimulus_set(stimulus_set)


@pytest.mark.parametrize("identifier", ["MajajHong2015.V4-pls", "MajajHong2015.IT-ridge",
                                        "FreemanZiemba2013.V1-pls", "FreemanZiemba2013.V2-ridge"])
def test_benchmark_conformance_on_replicas(served, identifier):
    from dynamic_vision.testing import check_benchmark

    check_benchmark(identifier)
