"""The leaderboard: aggregates that never count a missing cell as 0, the site's files, exports,
and the page itself in headless Chromium (system browser, network blocked)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest

from dynamic_vision.cli import main
from dynamic_vision.scale import score_many
from dynamic_vision.scale.export import to_bibtex, to_csv
from dynamic_vision.scale.leaderboard import build_leaderboard
from dynamic_vision.scale.leaderboard.aggregate import benchmark_info, build_board
from dynamic_vision.scale.store import ResultStore
from tests import scale_toys

MODELS = ["scale-toy-a", "scale-toy-b", "scale-toy-c"]
BENCHMARKS = ["ScaleToy.MT-corr", "ScaleToy.MST-corr", "ScaleToy.V1-corr",
              "ScaleToyBehaviour.choice-corr", "ScaleToy.V1-broken"]
CHROMIUM = os.environ.get("DYNAMIC_VISION_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaderboard")
    monkeypatch = pytest.MonkeyPatch()
    scale_toys.activate(folder, monkeypatch)
    url = f"sqlite:///{folder / 'results.sqlite'}"
    try:
        with ResultStore(url) as store:
            score_many(MODELS, BENCHMARKS, store=store, imports=[scale_toys.WORKER_SETUP],
                       progress=False)
            rows = store.rows()
        yield {"folder": folder, "url": url, "rows": rows}
    finally:
        scale_toys.unregister()
        monkeypatch.undo()


def _value(rows, model, benchmark):
    return next(r["value"] for r in rows if r["model"] == model and r["benchmark"] == benchmark)


def test_benchmark_groups_from_metadata_or_identifier(grid):
    assert benchmark_info("Some.MT-ridge").group == "neural"
    assert benchmark_info("Some.MT-ridge").region == "MT"
    assert benchmark_info("Kinetics.action-decoding").group == "task"
    assert benchmark_info("Other.behaviour-choice").group == "behaviour"


def test_aggregates_skip_missing_cells_and_show_coverage(grid):
    rows = grid["rows"]
    scale_toys.register()
    try:
        board = build_board(rows)
    finally:
        scale_toys.unregister()
    assert board.columns == ["average", "neural", "behaviour", "neural: MST", "neural: MT",
                             "neural: V1"]
    v = {b: _value(rows, "scale-toy-a", b) for b in BENCHMARKS[:4]}
    flat = board.aggregates["flat"]["scale-toy-a"]
    # the failed V1 benchmark is left out of the mean, not counted as 0, and shows in coverage
    assert flat["average"].value == pytest.approx(sum(v.values()) / 4)
    assert (flat["average"].present, flat["average"].total) == (4, 5)
    assert flat["neural: V1"].value == pytest.approx(v["ScaleToy.V1-corr"])
    assert flat["neural: V1"].coverage == "1/2"
    brain_score = board.aggregates["brain-score"]["scale-toy-a"]
    neural = (v["ScaleToy.MT-corr"] + v["ScaleToy.MST-corr"] + v["ScaleToy.V1-corr"]) / 3
    assert brain_score["neural"].value == pytest.approx(neural)
    assert brain_score["average"].value == pytest.approx(
        (neural + v["ScaleToyBehaviour.choice-corr"]) / 2)


def test_newest_versions_are_shown(grid):
    rows = [dict(r) for r in grid["rows"] if r["benchmark"] == "ScaleToy.MT-corr"]
    newer = [{**r, "benchmark_version": "10", "value": 0.123} for r in rows]
    board = build_board(rows + newer)
    assert board.value("scale-toy-a", "ScaleToy.MT-corr") == 0.123


@pytest.fixture(scope="module")
def site(grid):
    return build_leaderboard(grid["rows"], grid["folder"] / "site")


def test_site_files_and_downloads(grid, site):
    tmp_path = grid["folder"]
    names = {p.relative_to(tmp_path / "site").as_posix() for p in site.pages}
    assert {"index.html", "failures.html"} <= names
    assert len([n for n in names if n.startswith("models/")]) == 3
    assert len([n for n in names if n.startswith("benchmarks/")]) == 5
    assert site.images and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in site.images)
    details = [p for p in site.images if p.name.endswith("-detail.png")]
    assert len(details) == 3 * 4  # every finished row: score by layer and by time bin
    index = site.index.read_text()
    assert "<script src" not in index and "http://" not in index and "https://" not in index
    failures = (tmp_path / "site" / "failures.html").read_text()
    assert "3 failed rows" in failures and "broken on purpose" in failures
    table = list(csv.DictReader(io.StringIO((tmp_path / "site" / "results.csv").read_text())))
    assert len(table) == 15
    assert {r["value"] for r in table if r["status"] == "failed"} == {""}  # empty, not 0
    assert len(json.loads((tmp_path / "site" / "results.json").read_text())) == 15


def test_export_formats(grid):
    scale_toys.register()
    try:
        bib = to_bibtex(BENCHMARKS)
    finally:
        scale_toys.unregister()
    assert bib.count("@misc{") == 5 and "ScaleToy_MT_corr" in bib
    assert to_bibtex(["not-registered"]) == ""
    assert to_csv(grid["rows"]).splitlines()[0].startswith("model,model_revision,benchmark")


def test_bibtex_from_the_data_plugin_a_benchmark_names(temporary_entries):
    from dynamic_vision.io.datasets import DataSpec, register_dataset
    from dynamic_vision.core.registry import benchmark_registry

    register_dataset(DataSpec(identifier="ScaleCite.V1", files=[], loader="netcdf",
                              bibtex="@article{cite2024, title={Cited}}", license="CC-BY",
                              access="embedded", description="citation test"))
    benchmark_registry.register("ScaleCite.V1-ridge", "tests.scale_toys:ToyBenchmark",
                                dataset="ScaleCite.V1")
    temporary_entries += [("dataset", "ScaleCite.V1"), ("benchmark", "ScaleCite.V1-ridge")]
    assert to_bibtex(["ScaleCite.V1-ridge"]) == "@article{cite2024, title={Cited}}\n"


def test_cli_status_export_leaderboard(grid, tmp_path, capsys):
    assert main(["status", "--store", grid["url"], "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["status"] == {"done": 12, "failed": 3} and len(status["failures"]) == 3
    assert {f["failure_kind"] for f in status["failures"]} == {"deterministic"}
    assert {f["message"] for f in status["failures"]} == {
        "ValueError: ScaleToy.V1-broken: this benchmark is broken on purpose"}
    out = tmp_path / "results.csv"
    assert main(["export", "--store", grid["url"], "--format", "csv", "--out", str(out),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 15
    assert out.read_text().count("\n") == 16
    assert main(["leaderboard", "--store", grid["url"], "--out", str(tmp_path / "site"),
                 "--no-plots", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["models"] == 3
    assert main(["ingest", "--store", grid["url"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ingested"] == 0


def test_cli_run_dry_run_then_resume(tmp_path, capsys, monkeypatch):
    scale_toys.activate(tmp_path, monkeypatch)
    try:
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
        arguments = ["run", "--models", "scale-toy-a,scale-toy-b", "--benchmarks",
                     "ScaleToy.M*-corr", "--import", scale_toys.WORKER_SETUP, "--store", url,
                     "--json"]
        assert main([*arguments, "--dry-run"]) == 0
        plan = json.loads(capsys.readouterr().out)
        assert plan["rows"] == 4 and len(plan["jobs"]) == 2 and plan["dry_run"]
        assert main(arguments) == 0
        assert json.loads(capsys.readouterr().out)["status"] == {"done": 4}
        assert main(arguments) == 0
        again = json.loads(capsys.readouterr().out)
        assert again["skipped"] == 4 and again["jobs"] == []
    finally:
        scale_toys.unregister()


def _browser_or_fail():
    message = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        message = "the playwright package is not installed (pip install -e '.[test]')"
    if message is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"no Chromium at {CHROMIUM}; run .ci/services.sh (apt-get install chromium)"
    if message is not None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)


def test_leaderboard_in_headless_chromium(grid, site, tmp_path):
    _browser_or_fail()
    from playwright.sync_api import sync_playwright

    rows = grid["rows"]
    blocked: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith("file://") or url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 800})
            context.route("**/*", only_local)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(site.index.as_uri())

            def models_in_order():
                return page.locator("#leaderboard tbody tr").evaluate_all(
                    "rows => rows.map(r => r.dataset.model)")

            assert page.locator("#leaderboard tbody tr").count() == 3
            # on load: sorted by the average, best first
            averages = {m: sum(_value(rows, m, b) for b in BENCHMARKS[:4]) / 4 for m in MODELS}
            assert models_in_order() == sorted(MODELS, key=averages.get, reverse=True)

            column = page.locator('#leaderboard th[data-column="ScaleToy.MT-corr"]')
            column.click(position={"x": 3, "y": 3})  # the header, not its link
            mt = {m: _value(rows, m, "ScaleToy.MT-corr") for m in MODELS}
            assert models_in_order() == sorted(MODELS, key=mt.get, reverse=True)
            column.click(position={"x": 3, "y": 3})
            assert models_in_order() == sorted(MODELS, key=mt.get)

            # the Brain-Score toggle changes the average column's numbers
            first = page.locator('#leaderboard tbody tr[data-model="scale-toy-a"] td.aggregate')
            flat_text = first.first.locator(".v").text_content()
            page.select_option("#aggregation", "brainScore")
            assert first.first.locator(".v").text_content() != flat_text

            page.fill("#filter", "toy-b")
            assert page.locator("#leaderboard tbody tr:visible").count() == 1
            page.fill("#filter", "")
            shot = tmp_path / "leaderboard.png"
            page.screenshot(path=str(shot), full_page=True)

            page.click('#leaderboard a:text-is("scale-toy-a")')
            page.wait_for_load_state()
            assert page.locator("h1").text_content() == "scale-toy-a"
            images = page.locator("img")
            assert images.count() == 4
            assert all(images.evaluate_all("imgs => imgs.map(i => i.naturalWidth > 0)"))
            drill = tmp_path / "model-page.png"
            page.screenshot(path=str(drill), full_page=True)
            assert errors == [] and blocked == []
        finally:
            browser.close()
    assert shot.read_bytes()[:4] == b"\x89PNG" and drill.stat().st_size > 1000
    print(f"\nleaderboard screenshots: {shot} {drill}")


def test_the_average_never_mixes_task_accuracies_with_ceiled_scores(grid):
    rows = [dict(r) for r in grid["rows"] if r["benchmark"] == "ScaleToy.MT-corr"]
    task = [{**r, "benchmark": "Toy.direction-probe", "value": 0.9, "convention": "none"}
            for r in rows]
    board = build_board(rows + task)
    assert board.info["Toy.direction-probe"].group == "task"  # from its stored convention
    assert not board.info["Toy.direction-probe"].ceiled
    for aggregation in ("flat", "brain-score"):
        cells = board.aggregates[aggregation]["scale-toy-a"]
        assert cells["average"].value == pytest.approx(
            _value(rows, "scale-toy-a", "ScaleToy.MT-corr"))
        assert (cells["average"].present, cells["average"].total) == (1, 1)
        assert cells["task"].value == pytest.approx(0.9)
    from dynamic_vision.scale.leaderboard.pages import index_page

    page = index_page(board, "toy")
    assert "average (ceiled scores)" in page and "task (accuracy, not ceiled)" in page
    assert "never averaged with them" in page
