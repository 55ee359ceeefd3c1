"""Downloads against a local HTTP server (with Range support and dropped connections) and safe
archive extraction."""

from __future__ import annotations

import hashlib
import http.server
import io
import re
import tarfile
import threading
import zipfile

import pytest

from dynamic_vision.io import download as download_module
from dynamic_vision.io.download import (
    DownloadError,
    HashMismatchError,
    UnsafeArchiveError,
    download,
    extract_archive,
)

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; honours ``Range: bytes=N-`` unless ``server.ignore_range``;
    for paths in ``server.drop_once`` the first response stops after ``drop_at`` bytes."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        server = self.server
        server.log.append((self.path, self.headers.get("Range")))
        body = server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and not server.ignore_range:
            start = int(match.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        rest = body[start:]
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        if self.path in server.drop_once:
            server.drop_once.discard(self.path)
            self.wfile.write(rest[:server.drop_at])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(rest)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(download_module, "RETRY_BACKOFF_S", 0.0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files = {"/data.bin": PAYLOAD}
    httpd.log, httpd.drop_once, httpd.drop_at, httpd.ignore_range = [], set(), 400_000, False
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_and_skips_when_present(server, tmp_path):
    target = tmp_path / "sub" / "data.bin"
    out = download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, size=len(PAYLOAD),
                   progress=False)
    assert out == target and target.read_bytes() == PAYLOAD
    assert not target.with_name("data.bin.part").exists()
    download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, progress=False)
    assert len(server.log) == 1  # already there and verified: no second request


def test_hash_mismatch_raises_and_leaves_no_file(server, tmp_path):
    target = tmp_path / "data.bin"
    with pytest.raises(HashMismatchError, match="sha256") as info:
        download(f"{server.url}/data.bin", target, sha256="0" * 64, progress=False)
    assert info.value.path == target
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(HashMismatchError, match="size"):
        download(f"{server.url}/data.bin", target, size=len(PAYLOAD) + 1, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_dropped_connection_resumes_with_range(server, tmp_path):
    server.drop_once.add("/data.bin")
    target = tmp_path / "data.bin"
    download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, size=len(PAYLOAD),
             progress=False)
    assert target.read_bytes() == PAYLOAD
    assert server.log == [("/data.bin", None), ("/data.bin", f"bytes={server.drop_at}-")]


def test_existing_part_file_resumes(server, tmp_path):
    target = tmp_path / "data.bin"
    target.with_name("data.bin.part").write_bytes(PAYLOAD[:123_456])
    download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, progress=False)
    assert target.read_bytes() == PAYLOAD
    assert server.log == [("/data.bin", "bytes=123456-")]


def test_complete_part_file_is_verified(server, tmp_path):
    target = tmp_path / "data.bin"
    target.with_name("data.bin.part").write_bytes(PAYLOAD)
    download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, progress=False)
    assert target.read_bytes() == PAYLOAD  # the server answered 416: nothing left to fetch


def test_server_ignoring_range_restarts(server, tmp_path):
    server.ignore_range = True
    server.drop_once.add("/data.bin")
    target = tmp_path / "data.bin"
    download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, progress=False)
    assert target.read_bytes() == PAYLOAD


def test_retries_run_out_and_keep_the_part(server, tmp_path):
    server.drop_once.add("/data.bin")
    with pytest.raises(DownloadError, match="after 1 attempts"):
        download(f"{server.url}/data.bin", tmp_path / "data.bin", retries=0, progress=False)
    assert (tmp_path / "data.bin.part").stat().st_size == server.drop_at
    assert not (tmp_path / "data.bin").exists()


def test_missing_url_names_it(server, tmp_path):
    with pytest.raises(DownloadError, match="absent.bin: HTTP 404"):
        download(f"{server.url}/absent.bin", tmp_path / "x", progress=False)
    assert list(tmp_path.iterdir()) == []


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_extract_zip(tmp_path):
    archive = make_zip(tmp_path / "ok.zip", {"a.txt": b"a", "sub/b.txt": b"b"})
    files = extract_archive(archive, tmp_path / "out")
    assert files == [tmp_path / "out" / "a.txt", tmp_path / "out" / "sub" / "b.txt"]
    assert (tmp_path / "out" / "sub" / "b.txt").read_bytes() == b"b"
    with pytest.raises(FileExistsError, match="not empty"):
        extract_archive(archive, tmp_path / "out")


@pytest.mark.parametrize("name", ["../evil.txt", "sub/../../evil.txt", "/etc/evil.txt",
                                  "C:\\evil.txt"])
def test_zip_escaping_members_are_refused(tmp_path, name):
    archive = make_zip(tmp_path / "bad.zip", {"fine.txt": b"ok", name: b"pwned"})
    with pytest.raises(UnsafeArchiveError, match="refusing|outside"):
        extract_archive(archive, tmp_path / "dest" / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "dest" / "evil.txt").exists()
    assert not (tmp_path / "dest").exists() or list((tmp_path / "dest").iterdir()) == []


def add_tar_member(bundle, name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    bundle.addfile(info, io.BytesIO(data) if data else None)


def test_extract_tar_and_refuse_escaping_links(tmp_path):
    good = tmp_path / "ok.tar.gz"
    with tarfile.open(good, "w:gz") as bundle:
        add_tar_member(bundle, "clip/a.bin", b"abc")
        add_tar_member(bundle, "clip/link", kind=tarfile.SYMTYPE, link="a.bin")
    files = extract_archive(good, tmp_path / "good")
    assert (tmp_path / "good" / "clip" / "a.bin").read_bytes() == b"abc"
    assert len(files) == 2
    for link in ("../../outside", "/etc/passwd"):
        bad = tmp_path / "bad.tar"
        with tarfile.open(bad, "w") as bundle:
            add_tar_member(bundle, "clip/a.bin", b"abc")
            add_tar_member(bundle, "clip/link", kind=tarfile.SYMTYPE, link=link)
        with pytest.raises(UnsafeArchiveError, match="links to"):
            extract_archive(bad, tmp_path / "bad")
        assert not (tmp_path / "bad").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_concurrent_downloads_of_one_file_transfer_it_once(server, tmp_path):
    target = tmp_path / "data.bin"
    errors = []

    def fetch_it():
        try:
            download(f"{server.url}/data.bin", target, sha256=PAYLOAD_SHA256, progress=False)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=fetch_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and target.read_bytes() == PAYLOAD
    assert len(server.log) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]  # no lock or part left


def test_file_url(tmp_path):
    source = tmp_path / "mirror" / "data.bin"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    target = download(source.as_uri(), tmp_path / "data.bin", sha256=PAYLOAD_SHA256,
                      progress=False)
    assert target.read_bytes() == PAYLOAD
