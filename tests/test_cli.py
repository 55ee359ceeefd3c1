import json
import subprocess
import sys

import pytest

import dynamic_vision as dv
from dynamic_vision.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dynamic_vision.cli", *args],
                          capture_output=True, text=True)


def test_list_and_info(toy_entries, capsys):
    assert main(["list", "benchmarks", "Toy.*"]) == 0
    assert capsys.readouterr().out.split() == ["Toy.V1-mean"]
    assert main(["list", "model", "constant-*", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ["constant-model"]
    assert main(["info", "Toy.V1-mean", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "benchmark" and info["version"] == 3


def test_score_prints_a_table_and_json(toy_entries, capsys, tmp_path):
    assert main(["score", "--model", "constant-model", "--benchmark", "Toy.*", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"constant-model"}
    assert result["constant-model"]["Toy.V1-mean"]["ceiling"] == pytest.approx(0.8)
    assert main(["score", "--model", "constant-model", "--benchmark", "Toy.V1-mean"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["model", "Toy.V1-mean"]
    assert table[2].startswith("constant-model")


def test_typo_gives_one_teaching_line_from_python_and_cli(toy_entries, capsys):
    with pytest.raises(dv.UnknownIdentifierError, match="Did you mean 'Toy.V1-mean'"):
        dv.load_benchmark("Toy.V1-maen")
    assert main(["score", "--model", "constant-model", "--benchmark", "Toy.V1-maen"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: Unknown benchmark 'Toy.V1-maen'. Did you mean 'Toy.V1-mean'?")


def test_cli_typo_in_a_subprocess_exits_nonzero_without_traceback():
    benchmark = dv.list_benchmarks()[0]
    model = dv.list_models()[0]
    typo = benchmark[:-1]
    result = run_cli("score", "--model", model, "--benchmark", typo)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"Unknown benchmark '{typo}'" in lines[0] and f"'{benchmark}'" in lines[0]

    model_typo = model + "x"
    result = run_cli("score", "--model", model_typo, "--benchmark", benchmark)
    assert result.returncode == 1 and f"Did you mean '{model}'" in result.stderr

    debug = run_cli("--debug", "score", "--model", model_typo, "--benchmark", benchmark)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_unknown_kind_is_explained(capsys):
    assert main(["list", "gadgets"]) == 1
    assert "Unknown plugin kind 'gadgets'" in capsys.readouterr().err
