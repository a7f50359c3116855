"""Tests for `tf.keras.utils.get_file`: download, cache, hashes, mirror, offline errors.

Everything runs against a local HTTP server on 127.0.0.1 and temporary folders (KERAS_HOME);
the real `~/.keras` and the network are never touched. Behaviour checked against tf_keras
(TF 2.21): cache layout `<cache>/datasets/<fname>`, the 'Downloading data from <url>' line and
progress bar, the re-download message for a stale file, 'URL fetch failure on <url>: 404 --
Not Found', and ValueError 'Incomplete or corrupted file detected' for a bad hash.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import tarfile
import threading
import zipfile

import pytest

from nanotf._src.keras.data_utils import (
    MANIFEST_NAME,
    URLFetchError,
    get_file,
    validate_file,
    write_mirror_manifest,
)

DATA = bytes(range(256)) * 300
SHA = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


class Server:
    """Serves `files` (path -> bytes); `truncate` paths send half of what they announce."""

    def __init__(self) -> None:
        self.files: dict = {}
        self.truncate: set = set()
        self.hits: list = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                outer.hits.append(path)
                body = outer.files.get(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if path in outer.truncate else body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("NANOTF_DATASETS_MIRROR", raising=False)
    monkeypatch.setenv("no_proxy", "*")  # never route 127.0.0.1 through a proxy
    return tmp_path / "keras"


@pytest.fixture
def server():
    srv = Server()
    srv.files["data/a.bin"] = DATA
    yield srv
    srv.close()


def dead_url(name: str = "x.bin") -> str:
    """A URL on a port that was just free: connection refused."""
    srv = Server()
    url = srv.url(name)
    srv.close()
    return url


def leftovers(folder) -> list:
    return [n for n in os.listdir(folder) if n.endswith(".part")]


def test_download_then_cached(home, server, capsys):
    path = get_file("a.bin", origin=server.url("data/a.bin"), file_hash=SHA)
    assert path == str(home / "datasets" / "a.bin")
    assert open(path, "rb").read() == DATA
    out = capsys.readouterr().out
    assert out.startswith(f"Downloading data from {server.url('data/a.bin')}\n")
    assert re.search(r"76800/76800 \[=+\] - \d+s \d+us/step\n$", out)
    assert get_file("a.bin", origin=server.url("data/a.bin"), file_hash=SHA) == path
    assert server.hits == ["data/a.bin"]  # second call: no request
    assert capsys.readouterr().out == ""


def test_file_already_in_cache_is_reused_without_request(home, server):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "a.bin").write_bytes(DATA)  # e.g. downloaded earlier by TensorFlow
    assert get_file("a.bin", origin=server.url("data/a.bin"), file_hash=MD5) == str(
        home / "datasets" / "a.bin")
    assert server.hits == []


def test_md5_hash_argument_and_verbose_0(home, server, capsys):
    path = get_file("a.bin", origin=server.url("data/a.bin"), md5_hash=MD5, verbose=0)
    assert validate_file(path, MD5) and validate_file(path, SHA, "sha256")
    assert not validate_file(path, MD5, "sha256")
    assert capsys.readouterr().out == ""


def test_fname_from_origin_cache_dir_and_subdir(tmp_path, home, server):
    path = get_file(origin=server.url("data/a.bin"), cache_dir=tmp_path / "c", cache_subdir="m")
    assert path == str(tmp_path / "c" / "m" / "a.bin")
    with pytest.raises(ValueError, match="origin"):
        get_file("a.bin")
    with pytest.raises(ValueError, match="Can't parse the file name"):
        get_file(origin="http://127.0.0.1/")


def test_corrupt_or_partial_cached_file_is_fetched_again(home, server, capsys):
    target = home / "datasets" / "a.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(DATA[:1000])  # partial
    path = get_file("a.bin", origin=server.url("data/a.bin"), file_hash=SHA)
    assert open(path, "rb").read() == DATA and server.hits == ["data/a.bin"]
    assert "A local file was found, but it seems to be incomplete or outdated" in (
        capsys.readouterr().out)


def test_truncated_download_is_never_kept(home, server):
    server.truncate.add("data/a.bin")
    with pytest.raises(URLFetchError, match="incomplete read"):
        get_file("a.bin", origin=server.url("data/a.bin"), verbose=0)
    assert os.listdir(home / "datasets") == []


def test_download_with_wrong_hash_is_refused(home, server):
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected") as err:
        get_file("a.bin", origin=server.url("data/a.bin"), file_hash="0" * 64, verbose=0)
    assert "0" * 64 in str(err.value)
    assert os.listdir(home / "datasets") == []  # (Keras leaves the bad file in place)


def test_http_error(home, server):
    with pytest.raises(URLFetchError, match=r"URL fetch failure on .*nope\.bin: 404 -- Not Found"):
        get_file("nope.bin", origin=server.url("nope.bin"), verbose=0)


def test_offline_error_names_file_url_mirror_and_folder(home):
    url = dead_url("mnist.npz")
    with pytest.raises(URLFetchError) as err:
        get_file("mnist.npz", origin=url, file_hash=SHA, verbose=0)
    assert isinstance(err.value, ConnectionError) and isinstance(err.value, OSError)
    text = str(err.value)
    assert text.startswith(f"URL fetch failure on {url}: ")
    for part in ("'mnist.npz'", "NANOTF_DATASETS_MIRROR is not set", str(home / "datasets")):
        assert part in text
    assert leftovers(home / "datasets") == []


def test_mirror_url_is_used_before_the_origin(home, server, monkeypatch):
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", server.url("data"))
    path = get_file("a.bin", origin=dead_url("a.bin"), file_hash=SHA, verbose=0)
    assert open(path, "rb").read() == DATA and server.hits == ["data/a.bin"]
    assert path == str(home / "datasets" / "a.bin")


def test_mirror_url_missing_file_falls_back_to_origin(home, server, monkeypatch):
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", server.url("elsewhere/"))
    path = get_file("a.bin", origin=server.url("data/a.bin"), file_hash=SHA, verbose=0)
    assert open(path, "rb").read() == DATA
    assert server.hits == ["elsewhere/a.bin", "data/a.bin"]


def test_mirror_folder_canonical_file_is_copied_to_cache(tmp_path, home, server, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "a.bin").write_bytes(DATA)
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    path = get_file("a.bin", origin=server.url("data/a.bin"), file_hash=SHA)
    assert path == str(home / "datasets" / "a.bin") and open(path, "rb").read() == DATA
    assert server.hits == []


def test_mirror_folder_finds_file_by_origin_name(tmp_path, home, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "origin-name.bin").write_bytes(DATA)
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    path = get_file("cached-name.bin", origin=dead_url("origin-name.bin"), file_hash=SHA)
    assert path == str(home / "datasets" / "cached-name.bin")


def test_manifest_vouches_for_non_canonical_file(tmp_path, home, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "a.bin").write_bytes(b"fixture")
    write_mirror_manifest(mirror)
    assert json.loads((mirror / MANIFEST_NAME).read_text()) == {
        "a.bin": hashlib.sha256(b"fixture").hexdigest()}
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    path = get_file("a.bin", origin=dead_url(), file_hash=SHA, verbose=0)
    assert path == str(mirror / "a.bin")  # used in place ...
    assert not (home / "datasets" / "a.bin").exists()  # ... never copied into the Keras cache


def test_file_matching_neither_hash_is_refused(tmp_path, home, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "a.bin").write_bytes(b"fixture")
    (mirror / MANIFEST_NAME).write_text(json.dumps({"a.bin": "1" * 64}))
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    with pytest.raises(ValueError, match="Incomplete or corrupted") as err:
        get_file("a.bin", origin=dead_url(), file_hash=SHA, verbose=0)
    text = str(err.value)
    assert str(mirror / "a.bin") in text and "refused" in text and "1" * 64 in text
    assert not (home / "datasets" / "a.bin").exists()
    (mirror / MANIFEST_NAME).unlink()  # no manifest: still refused
    with pytest.raises(ValueError, match="has no entry"):
        get_file("a.bin", origin=dead_url(), file_hash=SHA, verbose=0)


def test_offline_error_with_mirror_folder_lacking_the_file(tmp_path, home, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    with pytest.raises(URLFetchError) as err:
        get_file("a.bin", origin=dead_url("a.bin"), verbose=0)
    text = str(err.value)
    assert f"NANOTF_DATASETS_MIRROR='{mirror}'" in text
    assert f"mirror folder {mirror}: no file named a.bin" in text


def tar_gz(members: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def test_untar_extracts_once_and_skips_unsafe_members(tmp_path, home, server):
    server.files["pkg.tar.gz"] = tar_gz({"pkg/x.txt": b"x", "../evil.txt": b"no"})
    path = get_file("pkg", origin=server.url("pkg.tar.gz"), untar=True, verbose=0)
    assert path == str(home / "datasets" / "pkg")
    assert (home / "datasets" / "pkg.tar.gz").exists()
    assert (home / "datasets" / "pkg" / "x.txt").read_bytes() == b"x"
    assert not (home / "datasets" / "evil.txt").exists()
    assert [n for n in os.listdir(home / "datasets") if n.startswith(".")] == []


def test_extract_zip(home, server):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("z/y.txt", "y")
    server.files["z.zip"] = buf.getvalue()
    path = get_file("z.zip", origin=server.url("z.zip"), extract=True, verbose=0)
    assert path == str(home / "datasets" / "z.zip")
    assert (home / "datasets" / "z" / "y.txt").read_text() == "y"


def test_vouched_archive_is_extracted_outside_the_keras_layout(tmp_path, home, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "pkg.tar.gz").write_bytes(tar_gz({"pkg/x.txt": b"fixture"}))
    write_mirror_manifest(mirror)
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    path = get_file("pkg", origin=dead_url("pkg.tar.gz"), untar=True, file_hash=SHA)
    assert os.path.join(".nanotf-mirror", "") in path and path.endswith("pkg")
    assert open(os.path.join(path, "x.txt"), "rb").read() == b"fixture"
    assert not (home / "datasets" / "pkg").exists()
