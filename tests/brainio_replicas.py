"""Small, exact-format replicas of Brain-Score's public BrainIO files, for offline tests.

Each builder writes, into a mirror folder laid out as ``<host>/<path>`` (the layout of
``DYNAMIC_VISION_DATA_MIRROR``), the same kinds of files the real plugins download:

- an assembly netCDF as brainio writes it: one data variable (named ``data``, zlib level 9,
  or the BrainIO identifier for older files), every coordinate a flat 1-D variable on its
  dimension (``reset_index`` before writing), dims in the stored order (e.g.
  ``(neuroid, presentation, time_bin)``), the real coordinate names;
- a stimulus CSV (``stimulus_id`` or legacy ``image_id``, ``filename``, metadata) and a flat
  zip holding exactly the CSV's files.

Builders return a manifest ``{identifier: {file name: {"sha1", "sha256", "size"}}}`` for
``DYNAMIC_VISION_DATA_HASHES``. The responses carry a planted signal (a linear function of the
images' pixels plus noise) so that scores are meaningful.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import xarray as xr
from PIL import Image

HOST_FOLDER = "brainscore-storage.s3.amazonaws.com/brainio-brainscore"


def file_hashes(path: Path) -> dict:
    data = path.read_bytes()
    return {"sha1": hashlib.sha1(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data)}


def bucket(mirror: Path) -> Path:
    folder = mirror / HOST_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_brainio_netcdf(assembly: xr.DataArray, path: Path, variable: str = "data") -> None:
    """Write like brainio's ``write_netcdf``: flat coords, one variable, zlib level 9."""
    dataset = assembly.to_dataset(name=variable)
    encoding = {variable: {"zlib": True, "complevel": 9}} if variable == "data" else {}
    dataset.to_netcdf(path, engine="h5netcdf", encoding=encoding)


def write_stimulus_set(folder: Path, stem: str, rows: list[dict], images: dict[str, np.ndarray],
                       legacy_ids: bool = False) -> tuple[Path, Path]:
    """``stimulus_<stem>.csv`` and a flat ``stimulus_<stem>.zip`` of exactly its files."""
    csv_path, zip_path = folder / f"stimulus_{stem}.csv", folder / f"stimulus_{stem}.zip"
    columns = list(rows[0])
    if legacy_ids:
        columns = [c for c in columns if c != "stimulus_id"]
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with tempfile.TemporaryDirectory() as staging, zipfile.ZipFile(zip_path, "w") as archive:
        for row in rows:
            png = Path(staging) / row["filename"]
            Image.fromarray(images[row["image_id"]]).save(png)
            archive.write(png, arcname=row["filename"])
    return csv_path, zip_path


def _images(ids: list[str], size: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {i: rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8) for i in ids}


def _planted(images: dict[str, np.ndarray], ids: list[str], n_neuroids: int, seed: int
             ) -> np.ndarray:
    """Per-image responses: a random linear read-out of 4x4 block-averaged luminance."""
    rng = np.random.default_rng(seed)
    features = []
    for i in ids:
        gray = images[i].mean(axis=2)
        k = gray.shape[0] // 4
        features.append(gray.reshape(4, k, 4, k).mean(axis=(1, 3)).ravel())
    features = np.asarray(features)
    features = (features - features.mean(0)) / features.std(0)
    return features @ rng.normal(size=(features.shape[1], n_neuroids))


def majajhong_replica(mirror: Path, n_objects: int = 4, per_object: int = 25, n_reps: int = 6,
                      n_v4: int = 3, n_it: int = 4, seed: int = 0) -> dict:
    """Replica of ``MajajHong2015.public`` and ``hvm-public`` (4 objects here)."""
    folder = bucket(mirror)
    objects = [f"obj{k:02d}" for k in range(n_objects)]
    ids = [f"{hashlib.sha1(f'{o}-{j}'.encode()).hexdigest()}" for o in objects
           for j in range(per_object)]
    object_of = {i: objects[n // per_object] for n, i in enumerate(ids)}
    images = _images(ids, 16, seed)
    rows = [{"stimulus_id": i, "image_id": i, "object_name": object_of[i],
             "category_name": f"cat{objects.index(object_of[i]) % 4}",
             "variation": 3 if n % 2 else 0, "image_file_name": f"{i}_256x256.png",
             "background_id": f"bg{n % 5}", "ty": 0.1 * n, "tz": -0.1 * n, "size": 1.0,
             "s": 1.0, "rxy": 0.0, "ryz": 0.0, "rxz": 0.0, "filename": f"{i}.png"}
            for n, i in enumerate(ids)]
    write_stimulus_set(folder, "hvm-public", rows, images)
    n_neuroids = n_v4 + n_it
    signal = _planted(images, ids, n_neuroids, seed + 1)
    rng = np.random.default_rng(seed + 2)
    presentation_ids = [i for _ in range(n_reps) for i in ids]
    repetition = [r for r in range(n_reps) for _ in ids]
    values = (np.tile(signal, (n_reps, 1)) + rng.normal(scale=0.8, size=(len(ids) * n_reps,
                                                                         n_neuroids)))
    # Multiples of 1/256: sums over repetitions are exact in float32, so every averaging order
    # (this library's, Brain-Score's, a test's) gives the same float32 means.
    values = np.round(values * 256) / 256
    row_of = {i: rows[n] for n, i in enumerate(ids)}
    regions = ["V4"] * n_v4 + ["IT"] * n_it
    animals = ["Chabo" if k % 2 else "Tito" for k in range(n_neuroids)]
    arrays = ["M" if r == "V4" else "A" for r in regions]
    assembly = xr.DataArray(
        values.T[:, :, None].astype(np.float32), dims=("neuroid", "presentation", "time_bin"),
        coords={
            "neuroid_id": ("neuroid", [f"{a}_L_{arr}_{k}_{k + 1}" for k, (a, arr)
                                       in enumerate(zip(animals, arrays))]),
            "arr": ("neuroid", arrays), "col": ("neuroid", np.arange(n_neuroids)),
            "row": ("neuroid", np.arange(n_neuroids)[::-1]),
            "hemisphere": ("neuroid", ["L"] * n_neuroids),
            "subregion": ("neuroid", [r if r == "V4" else "cIT" for r in regions]),
            "animal": ("neuroid", animals), "x": ("neuroid", np.linspace(0, 1, n_neuroids)),
            "y": ("neuroid", np.linspace(1, 0, n_neuroids)), "region": ("neuroid", regions),
            "image_id": ("presentation", presentation_ids),
            "stimulus_id": ("presentation", presentation_ids),
            "repetition": ("presentation", repetition),
            "stimulus": ("presentation", [ids.index(i) for i in presentation_ids]),
            "object_name": ("presentation", [object_of[i] for i in presentation_ids]),
            "variation": ("presentation", [row_of[i]["variation"] for i in presentation_ids]),
            "size": ("presentation", np.ones(len(presentation_ids))),
            "time_bin_start": ("time_bin", [70]), "time_bin_end": ("time_bin", [170]),
        })
    write_brainio_netcdf(assembly, folder / "assy_dicarlo_MajajHong2015_public.nc")
    return {"MajajHong2015.public": _hashes(folder, ["assy_dicarlo_MajajHong2015_public.nc"]),
            "hvm-public": _hashes(folder, ["stimulus_hvm-public.csv",
                                           "stimulus_hvm-public.zip"])}


def freemanziemba_replica(mirror: Path, n_families: int = 5, per_type: int = 10, n_reps: int = 4,
                          n_v1: int = 3, n_v2: int = 3, n_bins: int = 300, seed: int = 10
                          ) -> dict:
    """Replica of ``FreemanZiemba2013.public`` (1 ms bins) and its aperture stimulus set."""
    folder = bucket(mirror)
    families = [327, 336, 393, 402, 13][:n_families]
    keys = [(f, t, s) for f in families for t in ("noise", "texture") for s in range(per_type)]
    ids = [hashlib.sha1(f"{f}-{t}-{s}".encode()).hexdigest() for f, t, s in keys]
    images = _images(ids, 16, seed)
    rows = [{"stimulus_id": i, "image_id": i, "texture_family": f, "texture_type": t,
             "sample": s, "resolution": 320, "filename": f"{i}.png"}
            for i, (f, t, s) in zip(ids, keys)]
    write_stimulus_set(folder, "FreemanZiemba2013_aperture-public", rows, images)
    n_neuroids = n_v1 + n_v2
    rate = np.exp(_planted(images, ids, n_neuroids, seed + 1) * 0.5) * 0.05  # spikes per ms
    window = np.zeros(n_bins)
    window[40:220] = 1.0  # the response rises after 40 ms and ends at 220 ms
    rng = np.random.default_rng(seed + 2)
    expected = np.tile(rate, (n_reps, 1))[:, :, None] * window[None, None, :]
    counts = rng.poisson(expected).astype(np.float64)
    presentation_ids = [i for _ in range(n_reps) for i in ids]
    assembly = xr.DataArray(
        counts, dims=("presentation", "neuroid", "time_bin"),
        coords={
            "image_id": ("presentation", presentation_ids),
            "repetition": ("presentation", [r for r in range(n_reps) for _ in ids]),
            "texture_type": ("presentation", [k[1] for _ in range(n_reps) for k in keys]),
            "neuroid_id": ("neuroid", np.arange(1, n_neuroids + 1)),
            "region": ("neuroid", ["V1"] * n_v1 + ["V2"] * n_v2),
            "time_bin_start": ("time_bin", np.arange(n_bins)),
            "time_bin_end": ("time_bin", np.arange(1, n_bins + 1)),
        })
    write_brainio_netcdf(assembly, folder / "assy_movshon_FreemanZiemba2013_public.nc",
                         variable="__xarray_dataarray_variable__")
    return {"FreemanZiemba2013.public": _hashes(folder,
                                                ["assy_movshon_FreemanZiemba2013_public.nc"]),
            "FreemanZiemba2013.aperture-public": _hashes(folder, [
                "stimulus_FreemanZiemba2013_aperture-public.csv",
                "stimulus_FreemanZiemba2013_aperture-public.zip"])}


def rajalingham_replica(mirror: Path, n_objects: int = 4, per_object: int = 8,
                        trials_per_pair: int = 24, seed: int = 20) -> dict:
    """Replica of ``Rajalingham2018.public`` (pooled trials) and ``objectome.public``.

    Every image is shown against every other object ``trials_per_pair`` times. Subjects confuse
    an image with a distractor with a probability that depends on the image and the object
    pair, so the I2n signature is not flat.
    """
    folder = bucket(mirror)
    objects = ["bear", "elephant", "face", "car", "dog", "apple"][:n_objects]
    ids = [hashlib.sha1(f"{o}-{j}".encode()).hexdigest() for o in objects
           for j in range(per_object)]
    object_of = {i: objects[n // per_object] for n, i in enumerate(ids)}
    images = _images(ids, 16, seed)
    rows = [{"image_id": i, "image_sample_obj": object_of[i], "image_label": object_of[i],
             "filename": f"{i}.png"} for i in ids]
    write_stimulus_set(folder, "objectome_public", rows, images, legacy_ids=True)
    rng = np.random.default_rng(seed + 1)
    difficulty = {i: rng.uniform(0.05, 0.45) for i in ids}
    pair = {(a, b): rng.uniform(0.5, 1.5) for a in objects for b in objects}
    records = []
    for i in ids:
        for distractor in objects:
            if distractor == object_of[i]:
                continue
            p_error = min(0.95, difficulty[i] * pair[(object_of[i], distractor)])
            for _ in range(trials_per_pair):
                wrong = rng.random() < p_error
                records.append((i, object_of[i], distractor,
                                distractor if wrong else object_of[i]))
    order = rng.permutation(len(records))
    records = [records[k] for k in order]
    image_id, sample, dist, choice = (np.asarray(c) for c in zip(*records))
    assembly = xr.DataArray(
        choice.astype(object), dims=("presentation",), name="dicarlo.Rajalingham2018.public",
        coords={"image_id": ("presentation", image_id), "sample_obj": ("presentation", sample),
                "dist_obj": ("presentation", dist), "choice": ("presentation", choice),
                "truth": ("presentation", sample),
                "enough_human_data": ("presentation", np.zeros(len(choice), bool))})
    write_brainio_netcdf(assembly, folder / "assy_dicarlo_Rajalingham2018_public.nc",
                         variable="dicarlo.Rajalingham2018.public")
    return {"Rajalingham2018.public": _hashes(folder,
                                              ["assy_dicarlo_Rajalingham2018_public.nc"]),
            "objectome.public": _hashes(folder, ["stimulus_objectome_public.csv",
                                                 "stimulus_objectome_public.zip"])}


def _hashes(folder: Path, names: list[str]) -> dict:
    return {name: file_hashes(folder / name) for name in names}
