"""Every file ``dynamic-vision score`` leaves under DYNAMIC_VISION_HOME heals itself when damaged,
and none of them is private to its owner.

One clean run of the real command line (in-process) on a small SimMotion benchmark and the tiny
layered ``example_cnn`` writes every kind of artefact the scoring path keeps: the score and
ceiling caches, the activation store (manifest, chunk records, chunks) and the simulated data
(clips with their digests, motion energies, recordings, the parameters manifest). The run takes
place under umask 022, and no file it writes may be 0600 (nor a folder 0700).

Then each kind in turn is damaged in one file and ``score`` runs again: it must exit 0, print the
clean run's value and name the damaged file. A cached score short-circuits everything below it,
so for every deeper kind the score cache is removed as well (the situation of a user whose data
broke after a score was cached, scoring again after a library upgrade or with ``--no-cache``
would do the same); motion energies are read only to simulate the recordings, so for them the
recordings are removed too. A kind the test does not know fails the test: a new cache must join
this list, and with it the promise that it heals.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from dynamic_vision.cli import main
from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark
from dynamic_vision.core.registry import benchmark_registry, dataset_registry, stimulus_set_registry

pytestmark = pytest.mark.slow

MODEL = "example_cnn"
BENCHMARK = "SimMotionSmall.V1-ridge"

#: Every kind of file the run writes: name -> (pattern of its path under the home, what else a
#: user's situation removes so that the damaged file is read at all).
KINDS = {
    "score cache": (r"scores/[^/]+/[^/]+\.json", ()),
    "ceiling cache": (r"ceilings/[^/]+/v\d+-[0-9a-f]+\.json", ("score",)),
    "activation manifest": (r"activations/[^/]+/[0-9a-f]+/manifest\.json", ("score",)),
    "activation record": (r"activations/[^/]+/[0-9a-f]+/[^/]+/\d+-w\d+h[0-9a-f]+-[0-9a-f]+\.json",
                         ("score",)),
    "activation chunk": (r"activations/[^/]+/[0-9a-f]+/[^/]+/\d+-w\d+h[0-9a-f]+-[0-9a-f]+\.npy",
                        ("score",)),
    "SimMotion parameters": (r"data/SimMotion/v\d+-[0-9a-f]+/parameters\.json", ("score",)),
    "SimMotion recordings": (r"data/SimMotion/v\d+-[0-9a-f]+/V1\.nc", ("score",)),
    "SimMotion other recordings": (r"data/SimMotion/v\d+-[0-9a-f]+/MT\.nc", None),
    "SimMotion clip": (r"data/SimMotion/v\d+-[0-9a-f]+/stimuli/[^/]+\.mkv", ("score",)),
    "SimMotion clip digest": (r"data/SimMotion/v\d+-[0-9a-f]+/digests/[^/]+\.sha256",
                              ("score",)),
    "SimMotion motion energy": (r"data/SimMotion/v\d+-[0-9a-f]+/energies/[^/]+\.npy",
                                ("score", "recordings")),
}
#: ``None`` above: the same kind as another entry, not read by a V1 benchmark (MT's recordings
#: heal like V1's, through the same loader).

DAMAGES = {"truncated": lambda data: data[: len(data) // 2],
           "garbage": lambda data: b"\x00\xffnot what was written\xfe" * 4}


def _parameters():
    from dynamic_vision.data.simmotion.parameters import SMALL

    # 40 clips (16 gratings, 8 plaids, 16 random-dot clips): the fewest whose halves still fill
    # two cross-validation splits of 10 test clips each.
    return replace(SMALL, grating_directions=8, grating_contrasts=(0.4, 0.8),
                   plaid_directions=8, dot_directions=8)


def _factory(spec):
    from dynamic_vision.benchmark_kinds import NeuralBenchmark
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    parameters = _parameters()
    return NeuralBenchmark(
        spec, assembly=partial(dataset_registry.load, "SimMotion.V1", parameters=parameters,
                               progress=False),
        stimuli=partial(stimulus_set_registry.load, "SimMotion", parameters=parameters,
                        progress=False),
        ceiling=split_half_ceiling, stratify="category", held_out_fraction=0.5, n_splits=2,
        train_size=0.5, ceiling_on_test_splits=True,
        time_bins=[(50.0, 100.0), (100.0, 150.0), (150.0, 200.0), (200.0, 250.0)])


@pytest.fixture(scope="module")
def small_benchmark():
    register_benchmark(BenchmarkSpec(
        BENCHMARK, kind="neural", version=1, region="V1", metric="ridge",
        dataset="SimMotion.V1 (40 clips)", stimulus_set="SimMotion", simulated=True,
        ceiling="split_half_ceiling on each test split"), _factory)
    yield BENCHMARK
    benchmark_registry.unregister(BENCHMARK)


def _cli(*extra: str) -> tuple[int, str, str]:
    """Run ``dynamic-vision score`` in this process as a fresh command would: its stdout, and
    on stderr its progress and every warning, formatted as the command formats them."""
    import contextlib
    import io
    import sys

    out, err = io.StringIO(), io.StringIO()
    saved = warnings.formatwarning
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, filename, lineno, file=None, \
            line=None: sys.stderr.write(warnings.formatwarning(message, category, filename,
                                                               lineno, line))
        try:
            code = main(["score", "--models", MODEL, "--benchmarks", BENCHMARK, "--json",
                         *extra])
        finally:
            warnings.formatwarning = saved
    return code, out.getvalue(), err.getvalue()


def _value(out: str) -> float:
    import json

    return json.loads(out)[MODEL][BENCHMARK]["value"]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _kind(path: str) -> str | None:
    for kind, (pattern, _) in KINDS.items():
        if re.fullmatch(pattern, path):
            return kind
    return None


@pytest.fixture(scope="module")
def clean_run(small_benchmark, tmp_path_factory):
    """The first run in a fresh home, under umask 022: the home, the output folder, the value
    and the files' modes (recorded at once, before any test damages anything)."""
    scratch = tmp_path_factory.mktemp("umask")
    home, output = scratch / "home", scratch / "output"  # the library makes both
    capture = pytest.MonkeyPatch()
    capture.setenv("DYNAMIC_VISION_HOME", str(home))
    previous = os.umask(0o022)
    try:
        code, out, err = _cli("--output", str(output))
    finally:
        os.umask(previous)
    modes = {p: stat.S_IMODE(p.stat().st_mode) for root in (home, output)
             for p in [root, *root.rglob("*")]}
    yield {"home": home, "code": code, "out": out, "err": err, "modes": modes}
    capture.undo()


def test_the_clean_run_scores(clean_run):
    assert clean_run["code"] == 0, clean_run["err"]
    assert 0.0 < _value(clean_run["out"]) <= 1.5


def test_nothing_written_is_private_under_umask_022(clean_run):
    modes = clean_run["modes"]
    files = {p: mode for p, mode in modes.items() if p.is_file()}
    folders = {p: mode for p, mode in modes.items() if p.is_dir()}
    assert len(files) > 100 and any(p.name == "results.json" for p in files)  # home and output
    private = sorted(str(p) for p, mode in files.items() if mode == 0o600)
    assert not private, f"files written 0600 under umask 022: {private}"
    assert {p: oct(m) for p, m in files.items() if m != 0o644} == {}
    assert {p: oct(m) for p, m in folders.items() if m != 0o755} == {}


def test_every_artefact_kind_is_known(clean_run):
    home = clean_run["home"]
    found = {}
    for path in _files(home):
        relative = path.relative_to(home).as_posix()
        found.setdefault(_kind(relative), []).append(relative)
    assert None not in found, f"artefacts of an unknown kind: {found.get(None)}"
    assert set(found) == set(KINDS), f"kinds the run no longer writes: {set(KINDS) - set(found)}"


DAMAGED_KINDS = [kind for kind, (_, remove) in KINDS.items() if remove is not None]


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("kind", DAMAGED_KINDS)
def test_a_damaged_artefact_is_named_and_replaced(clean_run, monkeypatch, kind, damage):
    home = clean_run["home"]
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(home))
    pattern, remove = KINDS[kind]
    candidates = [p for p in _files(home) if re.fullmatch(pattern, p.relative_to(home).as_posix())]
    target = candidates[len(candidates) // 2]  # of the conv2 layer, for activations
    original = target.read_bytes()
    target.write_bytes(DAMAGES[damage](original))
    if "score" in remove:
        for path in (home / "scores").rglob("*.json"):
            path.unlink()
    if "recordings" in remove:
        for path in target.parent.parent.glob("*.nc"):
            path.unlink()
    code, out, err = _cli()
    assert code == 0, err
    assert _value(out) == pytest.approx(_value(clean_run["out"]), abs=1e-12)
    assert str(target) in err, f"the damaged {kind} {target} is not named in:\n{err}"
    # Written again: in place, or (activation chunks, named by their writer) as a new chunk.
    again = [p for p in _files(home) if re.fullmatch(pattern, p.relative_to(home).as_posix())]
    assert len(again) == len(candidates), f"the damaged {kind} {target} was not replaced"
    assert not target.is_file() or target.read_bytes() != DAMAGES[damage](original)
    for leftover in home.rglob("*.damaged"):
        leftover.unlink()
