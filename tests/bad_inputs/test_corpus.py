"""Every case of the bad-input corpus ends in one clear error naming the thing at fault and
what to do; the command line shows no traceback for any of them (see corpus.py)."""

from __future__ import annotations

import contextlib
import io

import pytest

from tests.bad_inputs.corpus import CASES, CLI_CASES, Files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return Files(tmp_path_factory.mktemp("bad_inputs"))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_case_teaches(case, files):
    with pytest.raises(case.error) as caught:
        case.run(files)
    message = _one_line(caught.value)
    missing = [m for m in case.mentions if _one_line(m) not in message]
    assert not missing, f"{type(caught.value).__name__}: {message!r} does not mention {missing}"


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.name for case in CLI_CASES])
def test_cli_case_is_one_line(case, files):
    from dynamic_vision.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(case.argv(files))
        except SystemExit as exit_:  # argparse's own usage errors
            code = exit_.code
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    assert code not in (0, None), err.getvalue()
    assert "Traceback" not in err.getvalue()
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, lines
    if not case.usage_error:
        assert lines == errors, f"more than the error line on stderr: {lines}"
    missing = [m for m in case.mentions if m not in errors[0]]
    assert not missing, f"{errors[0]!r} does not mention {missing}"


def test_the_corpus_is_large():
    assert len(CASES) + len(CLI_CASES) >= 100
