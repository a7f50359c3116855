"""`tf.keras.utils.get_file`: download, cache and verify files, offline first.

Files land where Keras 2 puts them, under the same names, and are checked against the same
hashes, so a cache that a TensorFlow install already filled is reused as is:
`$KERAS_HOME/<cache_subdir>/<fname>`, with `KERAS_HOME` defaulting to `~/.keras` (and to
`<tmp>/.keras` when that folder is not writable). A cached file whose hash does not match is
never used: it is fetched again. Downloads go to a temporary file in the target folder and are
moved into place (`os.replace`) only once complete and verified, so an interrupted download
never leaves a partial file under the final name.

Mirror setting, for hosts that cannot reach the origin (offline machines, blocked hosts):

    NANOTF_DATASETS_MIRROR=/path/to/folder          # a local folder, or
    NANOTF_DATASETS_MIRROR=https://host/prefix/     # a URL prefix

When the cache lacks a valid copy, the mirror is tried before the origin URL. A file is looked
up in the mirror under its path relative to the Keras `datasets` cache folder (`mnist.npz`,
`imdb_word_index.json`, `fashion-mnist/train-images-idx3-ubyte.gz`,
`cifar-10-batches-py.tar.gz`) and, for files kept directly in `datasets`, under the name at the
end of its origin URL (`cifar-10-python.tar.gz`). A file from the mirror must match the
canonical hash, exactly like a download; it is then copied into the cache.

A local mirror folder may also vouch for files that are not the canonical downloads (test
fixtures, subsets, re-compressed copies) in a manifest named `nanotf-mirror.json`: a JSON object
mapping those same relative paths to hex sha256 (or md5) digests. A file that matches its
manifest entry is used in place and never copied into the Keras cache, so the cache only ever
holds files a real TensorFlow install would accept. A mirror file matching neither hash is
refused with an error. `write_mirror_manifest(folder)` writes a manifest for a folder.

When no source works, `URLFetchError` (a `ConnectionError`, hence an `OSError`) is raised. Its
message starts like Keras 2's (`URL fetch failure on <url>: ...`) and then names the file, each
source tried, the mirror setting and the folder where the file can be put by hand. When a
source delivered a file with the wrong hash, a `ValueError` is raised instead, as Keras does.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from typing import Any, Sequence, Union
from urllib.parse import urlsplit

from nanotf._src.keras.progbar import Progbar

__all__ = ["MANIFEST_NAME", "MIRROR_ENV", "URLFetchError", "get_file", "validate_file",
           "write_mirror_manifest"]

MIRROR_ENV = "NANOTF_DATASETS_MIRROR"
MANIFEST_NAME = "nanotf-mirror.json"
_TIMEOUT = 60.0  # seconds without data before a connection is given up
_CHUNK = 1 << 16
_PathLike = Union[str, "os.PathLike[str]"]


class URLFetchError(ConnectionError):
    """Raised when a file is in neither the cache, the mirror, nor reachable at its origin."""


# -- hashes -------------------------------------------------------------------------------------


def _resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    """sha256 when asked or when 'auto' sees a 64-digit hash; md5 otherwise (as Keras)."""
    if algorithm == "sha256" or (
        algorithm == "auto" and file_hash is not None and len(file_hash) == 64
    ):
        return hashlib.sha256()
    return hashlib.md5()


def _hash_file(fpath: _PathLike, algorithm: Any = "sha256", chunk_size: int = 65535) -> str:
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath: _PathLike, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535
) -> bool:
    """Validates a file against a sha256 or md5 hash.

    Args:
        fpath: Path to the file being validated.
        file_hash: The expected hash string of the file (sha256 or md5, hex).
        algorithm: `'auto'`, `'sha256'` or `'md5'`; `'auto'` picks sha256 for a 64-digit hash.
        chunk_size: Bytes read at a time.

    Returns:
        Whether the file is valid.
    """
    hasher = _resolve_hasher(algorithm, file_hash)
    return _hash_file(fpath, hasher, chunk_size) == str(file_hash).lower()


def write_mirror_manifest(folder: _PathLike, names: Sequence[str] | None = None) -> str:
    """Writes `nanotf-mirror.json` (relative path -> sha256) for files in a mirror folder.

    Args:
        folder: The mirror folder.
        names: Relative paths to list; by default every file in the folder tree.

    Returns:
        The path of the manifest.
    """
    folder = os.fspath(folder)
    if names is None:
        names = sorted(
            os.path.relpath(os.path.join(root, f), folder).replace(os.sep, "/")
            for root, _, files in os.walk(folder, followlinks=True)
            for f in files
            if f != MANIFEST_NAME
        )
    digests = {name: _hash_file(os.path.join(folder, name)) for name in names}
    target = os.path.join(folder, MANIFEST_NAME)
    _atomic_write(target, (json.dumps(digests, indent=1, sort_keys=True) + "\n").encode())
    return target


# -- writing ------------------------------------------------------------------------------------


def _temp_beside(fpath: str) -> tuple:
    """Opens a new temporary file next to `fpath` (same file system, so os.replace is atomic)."""
    folder, name = os.path.split(fpath)
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.part")
        try:
            # Not mkstemp: its 0o600 mode would make cached files private; this honours umask.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        return os.fdopen(fd, "wb"), tmp


def _commit(f: Any, tmp: str, fpath: str) -> None:
    f.flush()
    os.fsync(f.fileno())
    f.close()
    os.replace(tmp, fpath)


def _atomic_write(fpath: str, data: bytes) -> None:
    f, tmp = _temp_beside(fpath)
    try:
        f.write(data)
        _commit(f, tmp, fpath)
    finally:
        f.close()
        if os.path.exists(tmp):
            os.remove(tmp)


def _print_msg(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


# -- sources ------------------------------------------------------------------------------------


def mirror_setting() -> str | None:
    """The `NANOTF_DATASETS_MIRROR` value (a URL prefix or a local folder), or None."""
    return os.environ.get(MIRROR_ENV) or None


def _is_url(location: str) -> bool:
    return "://" in location


def _read_manifest(folder: str) -> dict:
    path = os.path.join(folder, MANIFEST_NAME)
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Cannot read the mirror manifest {path}: {e}") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"The mirror manifest {path} must be a JSON object {{path: sha256}}.")
    return {str(k): str(v).lower() for k, v in manifest.items()}


def mirror_keys(fpath: str, origin: str | None, base: str) -> list:
    """Relative paths under which the mirror may hold the file cached at `fpath`."""
    try:
        rel = os.path.relpath(fpath, os.path.join(base, "datasets")).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        rel = None
    if rel is not None and rel.startswith(".."):
        rel = None
    # Inside a subfolder (fashion-mnist/) only the full path counts: bare names would collide
    # with other data sets (MNIST uses the same IDX names).
    if rel is not None and "/" in rel:
        return [rel]
    keys: list = []
    for name in (os.path.basename(urlsplit(origin or "").path), rel or os.path.basename(fpath)):
        if name and name not in keys:
            keys.append(name)
    return keys


class _Attempts:
    """What each source said, for the error raised when none worked."""

    def __init__(self) -> None:
        self.lines: list = []
        self.url_errors: dict = {}
        self.bad_hash = False

    def fail(self, where: str, why: str, url_error: bool = False, bad_hash: bool = False):
        self.lines.append(f"  - {where}: {why}")
        if url_error:
            self.url_errors[where] = f"URL fetch failure on {where}: {why}"
        self.bad_hash = self.bad_hash or bad_hash


def _hash_verdict(path: str, file_hash: str | None, algorithm: str, vouched: str | None):
    """'canonical', 'manifest', or None when the file matches neither hash."""
    if file_hash is None and vouched is None:
        return "canonical"
    if file_hash is not None and validate_file(path, file_hash, algorithm):
        return "canonical"
    if vouched is not None and validate_file(path, vouched, "auto"):
        return "manifest"
    return None


def _refusal(file_hash: str | None, vouched: str | None) -> str:
    entry = f"its {MANIFEST_NAME} entry {vouched}"
    if file_hash and vouched:
        return f"refused: matches neither the expected hash {file_hash} nor {entry}"
    if file_hash:
        return (f"refused: does not match the expected hash {file_hash}, and {MANIFEST_NAME} "
                "has no entry for it")
    return f"refused: does not match {entry}"


def _from_folder(folder, keys, fpath, file_hash, algorithm, attempts):
    """Takes the file from a local mirror folder: (path, in_place) or None.

    A canonical file is copied to `fpath`, or used in place when `fpath` is None.
    """
    manifest = _read_manifest(folder)
    found = False
    for key in keys:
        src = os.path.join(folder, *key.split("/"))
        if not os.path.isfile(src):
            continue
        found = True
        verdict = _hash_verdict(src, file_hash, algorithm, manifest.get(key))
        if verdict == "manifest" or (verdict and fpath is None):
            return src, True
        if verdict == "canonical":
            _copy_atomic(src, fpath)
            return fpath, False
        attempts.fail(src, _refusal(file_hash, manifest.get(key)), bad_hash=True)
    if not found:
        attempts.fail(f"mirror folder {folder}", f"no file named {' or '.join(keys)}")
    return None


def _copy_atomic(src: str, fpath: str) -> None:
    f, tmp = _temp_beside(fpath)
    try:
        with open(src, "rb") as source:
            shutil.copyfileobj(source, f, _CHUNK)
        _commit(f, tmp, fpath)
    finally:
        f.close()
        if os.path.exists(tmp):
            os.remove(tmp)


def _download(url, fpath, file_hash, algorithm, attempts, verbose) -> bool:
    """Downloads `url` into `fpath` (atomically, verified); False and a note when it fails."""
    if verbose:
        _print_msg(f"Downloading data from {url}")
    f, tmp = _temp_beside(fpath)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.strip().isdigit() else None
            bar = Progbar(total) if verbose else None
            received = 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                f.write(chunk)
                received += len(chunk)
                if bar is not None and (total is None or received < total):
                    bar.update(received)
            if total is not None and received != total:
                raise http.client.IncompleteRead(b"", total - received)
            if bar is not None:
                bar.update(received, finalize=True)
        f.flush()
        if file_hash is not None and not validate_file(tmp, file_hash, algorithm):
            why = f"incomplete or corrupted download, the hash does not match {file_hash}"
            attempts.fail(url, why, bad_hash=True)
            return False
        _commit(f, tmp, fpath)
        return True
    except urllib.error.HTTPError as e:
        attempts.fail(url, f"{e.code} -- {e.msg}", url_error=True)
    except urllib.error.URLError as e:
        attempts.fail(url, f"{e.errno} -- {e.reason}", url_error=True)
    except http.client.IncompleteRead as e:
        attempts.fail(url, f"None -- incomplete read, {e.expected} more bytes expected",
                      url_error=True)
    except (OSError, http.client.HTTPException) as e:
        attempts.fail(url, f"None -- {type(e).__name__}: {e}", url_error=True)
    finally:
        f.close()
        if os.path.exists(tmp):
            os.remove(tmp)
    return False


def obtain(fpath, origin, file_hash=None, algorithm="auto", verbose=1, base=None,
           use_origin=True, copy=True) -> tuple:
    """Makes a verified copy of a file available: cache, then mirror, then origin.

    Returns `(path, in_place)`: `in_place` is True when the path is a file in a local mirror
    folder, used where it is: one vouched for by the manifest, or any valid one when `copy` is
    False. Raises `URLFetchError` or `ValueError`.
    """
    if os.path.exists(fpath):
        if file_hash is None or validate_file(fpath, file_hash, algorithm):
            return fpath, False
        if verbose:
            _print_msg(
                "A local file was found, but it seems to be incomplete or outdated because the "
                f"{algorithm} file hash does not match the original value of {file_hash} so we "
                "will re-download the data."
            )
    base = base if base is not None else keras_home()
    keys = mirror_keys(fpath, origin, base)
    attempts = _Attempts()
    mirror = mirror_setting()
    if mirror and not _is_url(mirror):
        got = _from_folder(os.path.expanduser(mirror), keys, fpath if copy else None,
                           file_hash, algorithm, attempts)
        if got is not None:
            return got
    elif mirror:
        for key in keys:
            url = mirror.rstrip("/") + "/" + key
            if _download(url, fpath, file_hash, algorithm, attempts, verbose):
                return fpath, False
    if use_origin and origin:
        if _download(origin, fpath, file_hash, algorithm, attempts, verbose):
            return fpath, False
    raise _failure(fpath, origin, keys, mirror, attempts, file_hash, algorithm)


def _failure(fpath, origin, keys, mirror, attempts, file_hash, algorithm) -> Exception:
    name = os.path.basename(fpath)
    where = os.path.dirname(fpath)
    setting = f"{MIRROR_ENV}={mirror!r}" if mirror else f"{MIRROR_ENV} is not set"
    text = (
        f"Could not get '{name}'" + (f" (origin {origin})" if origin else "") + ". Tried:\n"
        + "\n".join(attempts.lines)
        + f"\n{setting}. To work offline, put '{name}' in the folder {where}, or "
        f"'{keys[0]}' in a folder (or under a URL prefix) named by the {MIRROR_ENV} "
        "environment variable."
    )
    if attempts.bad_hash:
        head = "Incomplete or corrupted file detected."
        if file_hash:
            head += (f" The {algorithm} file hash does not match the provided value of "
                     f"{file_hash}.")
        return ValueError(head + "\n" + text)
    # Keras 2's message is about the origin: lead with that one when it was tried.
    errors = attempts.url_errors
    head = errors.get(origin) or next(iter(errors.values()), f"'{name}' is not available offline.")
    return URLFetchError(head + "\n" + text)


# -- get_file -----------------------------------------------------------------------------------


def keras_home() -> str:
    """The Keras cache root: `$KERAS_HOME`, else `~/.keras`."""
    return os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))


def cache_base(cache_dir: _PathLike | None = None) -> str:
    """The writable cache root for `cache_dir` (`<tmp>/.keras` when it cannot be written)."""
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir else keras_home()
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    return base


def get_file(
    fname: _PathLike | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: _PathLike = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: _PathLike | None = None,
    *,
    verbose: int = 1,
) -> str:
    """Downloads a file from a URL if it not already in the cache.

    The file lands in `cache_dir/cache_subdir/fname` (by default `~/.keras/datasets/fname`, or
    `$KERAS_HOME/datasets/fname`). A cached file with a wrong hash is fetched again. See the
    module docstring for the `NANOTF_DATASETS_MIRROR` setting used before the origin.

    Args:
        fname: Name of the file (an absolute path is used as is). None: the origin's name.
        origin: Original URL of the file.
        untar: Deprecated in favor of `extract`: fetch `fname + '.tar.gz'` and extract it.
        md5_hash: Deprecated in favor of `file_hash`: the md5 of the file.
        file_hash: The expected sha256 or md5 hash (hex) of the file.
        cache_subdir: Subfolder of the cache (an absolute path is used as is).
        hash_algorithm: `'md5'`, `'sha256'` or `'auto'` (guessed from the hash's length).
        extract: Whether to extract the file as an archive (tar, tar.gz, tar.bz, zip).
        archive_format: `'auto'`, `'tar'`, `'zip'`, a list of those, or None.
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.
        verbose: nanotf only: 0 silences the download message and progress bar.

    Returns:
        Path to the downloaded file (for `untar`, to the extracted folder).

    Example:

    >>> path = tf.keras.utils.get_file(origin="https://example.com/data.csv")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = cache_base(cache_dir)
    datadir = os.path.join(base, os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)
    fname = os.fspath(fname) if fname is not None else ""
    if not fname:
        fname = os.path.basename(urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. Please "
                "specify the `fname` as the input param."
            )
    if untar:
        if fname.endswith(".tar.gz"):
            fname = fname[: -len(".tar.gz")]
        fpath = os.path.join(datadir, fname) + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)

    path, in_place = obtain(fpath, origin, file_hash, hash_algorithm, verbose, base)
    # A vouched (non-canonical) archive is extracted apart, so that the Keras cache never holds
    # content a real TensorFlow install would mistake for the canonical data.
    target = datadir
    if in_place and (untar or extract):
        target = os.path.join(datadir, ".nanotf-mirror", _hash_file(path)[:16])
        os.makedirs(target, exist_ok=True)
    if untar:
        untar_fpath = os.path.join(target, fname)
        if not os.path.exists(untar_fpath):
            _extract_archive(path, target, archive_format="tar")
        return untar_fpath
    if extract:
        _extract_archive(path, target, archive_format)
    return path


# -- archives -----------------------------------------------------------------------------------


def _safe_tar_members(archive: tarfile.TarFile, dest: str):
    root = os.path.realpath(dest)

    def inside(path: str) -> bool:
        return os.path.realpath(path).startswith(root + os.sep)

    for member in archive.getmembers():
        path = os.path.join(dest, member.name)
        link_ok = not (member.issym() or member.islnk()) or inside(
            os.path.join(os.path.dirname(path), member.linkname)
        )
        if inside(path) and link_ok and not (member.isdev() or member.isfifo()):
            yield member


def _extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Extracts a tar or zip archive into `path`; False when the format does not match.

    Members go to a staging folder first; each top-level entry then moves into place with one
    `os.replace` (merging file by file into an existing folder), so a folder that exists was
    extracted completely. Members that would land outside `path` are skipped.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else formats
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            opener: Any = tarfile.open
        elif kind == "zip" and zipfile.is_zipfile(file_path):
            opener = zipfile.ZipFile
        else:
            continue
        staging = tempfile.mkdtemp(prefix=".nanotf-extract-", dir=path)
        try:
            with opener(file_path) as archive:
                if kind == "tar":
                    members = list(_safe_tar_members(archive, staging))
                    # The 'data' filter (Python 3.12+, some backports) also drops special bits.
                    extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                    archive.extractall(staging, members=members, **extra)
                else:  # zipfile already drops absolute paths and '..' parts
                    archive.extractall(staging)
            _move_tree(staging, path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True
    return False


def _move_tree(src: str, dst: str) -> None:
    for entry in os.listdir(src):
        source, target = os.path.join(src, entry), os.path.join(dst, entry)
        if os.path.isdir(source) and not os.path.islink(source) and os.path.isdir(target):
            _move_tree(source, target)
        else:
            os.replace(source, target)
