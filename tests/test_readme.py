"""The README tells the truth: its dataset table agrees with the registries."""

import contextlib
import io
import json
import re
from pathlib import Path

from dynamic_vision.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
#: A row of the dataset table: identifier, kind, what, access, size, license, benchmarks.
DATASET_ROW = re.compile(r"\| `([^`]+)` \| (?:dataset|stimulus set) \| [^|]+ \| ([a-z-]+) \|")


def readme_table() -> dict[str, str]:
    """identifier -> access, from the README's dataset table."""
    rows = {}
    for line in README.read_text().splitlines():
        match = DATASET_ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def listed() -> dict[str, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["data", "list", "--json"]) == 0
    return {row["identifier"]: row["access"] for row in json.loads(buffer.getvalue())}


def test_readme_dataset_table_and_data_list_agree_on_every_dataset():
    table = readme_table()
    registered = listed()
    covered = set()
    for identifier, access in table.items():
        pattern = re.escape(identifier).replace("sub\\-XX", r"sub-\d\d")
        matches = [i for i in registered if re.fullmatch(pattern, i)]
        assert matches, f"README lists '{identifier}', which is not registered"
        assert {registered[i] for i in matches} == {access}, identifier
        covered.update(matches)
    assert sorted(set(registered) - covered) == [], "registered but missing from the README"


def expand(text: str) -> list[str]:
    """``A.{V1,V2}-{x,y}`` -> the four identifiers it stands for."""
    match = re.search(r"\{([^}]*)\}", text)
    if not match:
        return [text]
    return [name for option in match.group(1).split(",")
            for name in expand(text[:match.start()] + option + text[match.end():])]


def test_readme_dataset_table_names_registered_benchmarks():
    import fnmatch

    from dynamic_vision import list_benchmarks

    names = list_benchmarks()
    checked = 0
    for line in README.read_text().splitlines():
        if not DATASET_ROW.match(line):
            continue
        benchmarks_cell = line.rstrip(" |").rsplit("|", 1)[-1]
        for written in re.findall(r"`([^`]+)`", benchmarks_cell):
            for name in expand(written):
                assert fnmatch.filter(names, name), f"README names benchmark '{name}'"
                checked += 1
    assert checked >= 30
