"""Files the library writes: permissions from the umask, names from identifiers that never
escape DYNAMIC_VISION_HOME, identifiers that could not name a file safely refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from dynamic_vision.core import storage
from dynamic_vision.core.registry import Registry


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"),
                         [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o002, 0o664, 0o775)])
def test_written_files_and_folders_follow_the_umask(tmp_path, umask, file_mode, dir_mode):
    code = (f"import os; os.umask({umask:#o}); from dynamic_vision.core import storage; "
            f"storage.atomic_write_json({str(tmp_path / 'a.json')!r}, {{'x': 1}}); "
            f"print(storage.scratch_dir({str(tmp_path)!r}, '.scratch-'))")
    folder = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.strip()
    assert _mode(tmp_path / "a.json") == file_mode
    assert _mode(folder) == dir_mode


def test_safe_names_keep_plain_identifiers_and_never_collide():
    assert storage.safe_name("SimMotion.V1-ridge") == "SimMotion.V1-ridge"
    odd = [storage.safe_name(x) for x in ("timm/resnet18", "timm_resnet18", "../../x", "..",
                                          ".hidden", "a b")]
    assert odd[1] == "timm_resnet18" and len(set(odd)) == len(odd)
    for name in odd:
        assert "/" not in name and not name.startswith(".") and name.isprintable()


@pytest.mark.parametrize("parts", [("..", "x"), ("scores", "../../../elsewhere"), ("/etc",)])
def test_home_refuses_paths_that_leave_it(parts):
    with pytest.raises(ValueError, match="leads outside"):
        storage.home(*parts)


@pytest.mark.parametrize("identifier", ["../../../../elsewhere/b", "a/b", "a\\b", "x\n", " x",
                                        "..", "", "tab\there"])
def test_registration_refuses_unsafe_identifiers(identifier):
    with pytest.raises(ValueError, match="identifier"):
        Registry("benchmark").register(identifier, "package.module:factory")


def test_the_temporary_file_of_a_killed_writer_is_removed_by_the_next_writer(tmp_path):
    target = tmp_path / "result.json"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(child.stdout)  # an exited, reaped process of this host
    tag = storage.writer_tag().replace(f"w{os.getpid()}h", f"w{dead}h")
    left = tmp_path / f".result.json.{tag}-abc123.tmp"
    alive = tmp_path / f".result.json.{storage.writer_tag()}-def456.tmp"  # a writer at work
    elsewhere = tmp_path / f".result.json.w{dead}h00000000-ghi789.tmp"  # another host's
    untagged = tmp_path / ".result.json.jkl012.tmp"  # an older version's: cannot be judged
    for path in (left, alive, elsewhere, untagged):
        path.write_text("partial")
    assert storage.writer_alive(left.name) is False and storage.writer_alive(alive.name)
    assert storage.writer_alive(elsewhere.name) is None
    storage.atomic_write_json(target, {"done": True})
    assert storage.read_json(target) == {"done": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (target, alive, elsewhere, untagged))


def test_the_scratch_folder_of_a_killed_extraction_is_removed_by_the_next_one(tmp_path):
    import zipfile

    from dynamic_vision.io.download import extract_archive

    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("clip.txt", "frames")
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead_tag = storage.writer_tag().replace(f"w{os.getpid()}h", f"w{int(child.stdout)}h")
    left = tmp_path / f".out.tmp-{dead_tag}-abc123"  # a killed extraction's half-done folder
    alive = tmp_path / f".out.tmp-{storage.writer_tag()}-def456"  # one at work
    untagged = tmp_path / ".out.tmp-ghi789"  # an older version's: cannot be judged
    for folder in (left, alive, untagged):
        (folder / "part").mkdir(parents=True)
        (folder / "part" / "clip.txt").write_text("fra")
    files = extract_archive(archive, tmp_path / "out")
    assert [f.read_text() for f in files] == ["frames"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [archive.name, "out", alive.name, untagged.name])
    assert storage.remove_dead_scratch(tmp_path, ".out.tmp-") == 0
