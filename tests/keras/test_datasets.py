"""Tests for `tf.keras.datasets`, offline: small fixtures served from a mirror folder.

Expected values marked "tf_keras" come from tf_keras 2.21's loaders (TF_USE_LEGACY_KERAS=1), run on
the same fixture files (its `get_file` replaced to return them). Two deliberate differences:
sequences always come back as a 1-D object array (Keras builds a 2-D one when all sequences have
the same length), and IDX arrays are writable (Keras's are read-only views).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from nanotf._src.keras import datasets
from nanotf._src.keras.data_utils import URLFetchError, write_mirror_manifest

IDX_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def idx_bytes(array: np.ndarray) -> bytes:
    dims = b"".join(struct.pack(">I", d) for d in array.shape)
    head = struct.pack(">I", 0x800 + array.ndim) + dims
    return gzip.compress(head + array.astype(np.uint8).tobytes())


def write_idx_set(folder: Path, n_train: int = 6, n_test: int = 4, seed: int = 0) -> list:
    rng = np.random.RandomState(seed)
    arrays = [
        rng.randint(0, 256, (n_train, 28, 28)),
        rng.randint(0, 10, n_train),
        rng.randint(0, 256, (n_test, 28, 28)),
        rng.randint(0, 10, n_test),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(IDX_NAMES, arrays):
        (folder / name).write_bytes(idx_bytes(array))
    return arrays


def object_array(seqs: list) -> np.ndarray:
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def as_lists(split) -> tuple:
    x, y = split
    return [list(map(int, s)) for s in x], [int(v) for v in y]


def refuse_network(url, *args, **kwargs):
    """Stands in for urlopen: these tests never reach a real host."""
    raise urllib.error.URLError(ConnectionRefusedError(111, "network disabled in tests"))


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """An empty mirror folder, set as NANOTF_DATASETS_MIRROR, with KERAS_HOME in tmp."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(folder))
    monkeypatch.setattr("urllib.request.urlopen", refuse_network)
    return folder


# -- MNIST, Fashion-MNIST -----------------------------------------------------------------------


def test_mnist_from_idx_files_in_mirror(mirror, tmp_path):
    arrays = write_idx_set(mirror)
    write_mirror_manifest(mirror)
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    for got, want in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8 and np.array_equal(got, want)
    assert x_train.shape == (6, 28, 28) and y_test.shape == (4,)
    assert not (tmp_path / "keras" / "datasets" / IDX_NAMES[0]).exists()


def test_mnist_npz_in_mirror_is_preferred(mirror):
    write_idx_set(mirror)
    x = np.full((2, 28, 28), 7, np.uint8)
    np.savez(mirror / "mnist.npz", x_train=x, y_train=np.array([1, 2], np.uint8),
             x_test=x[:1], y_test=np.array([3], np.uint8))
    write_mirror_manifest(mirror)
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    assert x_train.shape == (2, 28, 28) and y_test.tolist() == [3]


def test_mnist_idx_inconsistent_counts_rejected(mirror):
    write_idx_set(mirror)
    (mirror / IDX_NAMES[1]).write_bytes(idx_bytes(np.zeros(5)))  # 5 labels for 6 images
    write_mirror_manifest(mirror)
    with pytest.raises(ValueError, match=r"Inconsistent IDX pair.*\(6, 28, 28\).*5 labels"):
        datasets.mnist.load_data()


def test_mnist_idx_truncated_or_unvouched_rejected(mirror):
    write_idx_set(mirror)
    body = (mirror / IDX_NAMES[2]).read_bytes()
    (mirror / IDX_NAMES[2]).write_bytes(body[: len(body) // 2])
    write_mirror_manifest(mirror)
    with pytest.raises(ValueError, match="not a complete gzip file"):
        datasets.mnist.load_data()
    (mirror / "nanotf-mirror.json").unlink()
    with pytest.raises(ValueError, match="refused"):
        datasets.mnist.load_data()


def test_mnist_idx_missing_file_is_named(mirror):
    write_idx_set(mirror)
    (mirror / IDX_NAMES[3]).unlink()
    write_mirror_manifest(mirror)
    with pytest.raises(URLFetchError, match="no file named t10k-labels-idx1-ubyte.gz"):
        datasets.mnist.load_data()


def test_fashion_mnist_reads_its_subfolder_only(mirror):
    write_idx_set(mirror)  # MNIST-named files at the top level must not be taken
    write_mirror_manifest(mirror)
    with pytest.raises((URLFetchError, ValueError), match="fashion-mnist"):
        datasets.fashion_mnist.load_data()
    arrays = write_idx_set(mirror / "fashion-mnist", n_train=3, n_test=2, seed=1)
    write_mirror_manifest(mirror)
    (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist.load_data()
    for got, want in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8 and np.array_equal(got, want)


def shared_datasets() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    for candidate in (here.parent / "shared" / "datasets", Path("/work/shared/datasets")):
        if (candidate / "mnist-5k").is_dir() and (candidate / "mnist").is_dir():
            return candidate
    return None


def test_mnist_from_shared_data_mirror(mirror, tmp_path):
    shared = shared_datasets()
    if shared is None:
        pytest.skip("../shared/datasets (MNIST IDX files) is absent")
    # mnist-5k: 5,000 training digits with their labels; mnist/: the official test set.
    for name in IDX_NAMES:
        src = shared / ("mnist-5k" if name.startswith("train") else "mnist") / name
        (mirror / name).symlink_to(src)
    write_mirror_manifest(mirror)
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    assert x_train.shape == (5000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.dtype == y_test.dtype == x_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [500] * 10
    assert hashlib.md5(y_test.tobytes()).hexdigest() == hashlib.md5(
        gzip.open(shared / "mnist" / IDX_NAMES[3]).read()[8:]).hexdigest()
    assert int(x_test.max()) == 255 and y_test[:5].tolist() == [7, 2, 1, 0, 4]


# -- CIFAR --------------------------------------------------------------------------------------


def cifar_tar(path: Path, top: str, batches: dict) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, batch in batches.items():
            body = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def test_cifar10_from_mirror(mirror):
    rng = np.random.RandomState(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {n: {b"data": rng.randint(0, 256, (2, 3072)).astype(np.uint8),
                   b"labels": [int(i), 9 - int(i)], b"batch_label": b"x"} for i, n in
               enumerate(names)}
    cifar_tar(mirror / "cifar-10-python.tar.gz", "cifar-10-batches-py", batches)
    write_mirror_manifest(mirror)
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_train.dtype == y_test.dtype == np.uint8
    assert y_train[:, 0].tolist() == [0, 9, 1, 8, 2, 7, 3, 6, 4, 5]
    first = batches["data_batch_1"][b"data"][0].reshape(3, 32, 32)
    assert np.array_equal(x_train[0], first.transpose(1, 2, 0))  # channels_last
    assert np.array_equal(x_test[1], batches["test_batch"][b"data"][1].reshape(3, 32, 32)
                          .transpose(1, 2, 0))


def test_cifar100_label_modes(mirror):
    rng = np.random.RandomState(1)
    batches = {s: {b"data": rng.randint(0, 256, (3, 3072)).astype(np.uint8),
                   b"fine_labels": [11, 22, 33], b"coarse_labels": [1, 2, 3]}
               for s in ("train", "test")}
    cifar_tar(mirror / "cifar-100-python.tar.gz", "cifar-100-python", batches)
    write_mirror_manifest(mirror)
    (_, y_fine), _ = datasets.cifar100.load_data()
    (x_train, y_coarse), _ = datasets.cifar100.load_data(label_mode="coarse")
    assert y_fine.dtype == np.int64 and y_fine[:, 0].tolist() == [11, 22, 33]
    assert y_coarse[:, 0].tolist() == [1, 2, 3] and x_train.shape == (3, 32, 32, 3)
    with pytest.raises(ValueError, match="label_mode"):
        datasets.cifar100.load_data(label_mode="medium")


def test_cifar_pickle_cannot_run_code(mirror):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    cifar_tar(mirror / "cifar-100-python.tar.gz", "cifar-100-python",
              {"train": {b"data": Evil()}, "test": {}})
    write_mirror_manifest(mirror)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
        datasets.cifar100.load_data()


# -- IMDB, Reuters, Boston ----------------------------------------------------------------------


@pytest.fixture
def text_mirror(mirror):
    np.savez(mirror / "imdb.npz",
             x_train=object_array([[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [2, 2], [11, 3, 1, 7]]),
             y_train=np.array([0, 1, 1, 0, 1]),
             x_test=object_array([[3, 4], [12, 1, 1], [5, 6, 7, 8, 9, 10, 11], [2]]),
             y_test=np.array([1, 0, 0, 1]))
    np.savez(mirror / "reuters.npz",
             x=object_array([[1, 2], [3, 4, 5], [6], [7, 8, 9, 1], [2, 3, 3], [10, 1],
                             [4, 4, 4, 4, 4], [5, 9]]),
             y=np.array([3, 1, 4, 1, 5, 9, 2, 6]))
    np.savez(mirror / "boston_housing.npz", x=np.arange(130.0).reshape(10, 13) / 10,
             y=np.arange(10.0))
    write_mirror_manifest(mirror)
    return mirror


# tf_keras: (kwargs, (train seqs, train labels), (test seqs, test labels))
IMDB_CASES = [
    ({}, ([[1, 7, 8], [1, 4, 5, 6], [1, 5, 5], [1, 9, 10, 11, 12, 13], [1, 14, 6, 4, 10]],
          [1, 0, 0, 1, 1]),
     ([[1, 6, 7], [1, 2, 4, 4], [1, 5], [1, 8, 9, 10, 11, 12, 13, 14]], [1, 0, 1, 0])),
    ({"num_words": 8, "skip_top": 2},
     ([[2, 7, 2], [2, 4, 5, 6], [2, 5, 5], [2, 2, 2, 2, 2, 2], [2, 2, 6, 4, 2]], [1, 0, 0, 1, 1]),
     ([[2, 6, 7], [2, 2, 4, 4], [2, 5], [2, 2, 2, 2, 2, 2, 2, 2]], [1, 0, 1, 0])),
    ({"maxlen": 5}, ([[1, 7, 8], [1, 4, 5, 6], [1, 5, 5]], [1, 0, 0]),
     ([[1, 6, 7], [1, 2, 4, 4], [1, 5]], [1, 0, 1])),
    ({"start_char": None, "index_from": 1, "oov_char": None, "num_words": 9},
     ([[5, 6], [2, 3, 4], [3, 3], [7, 8], [4, 2, 8]], [1, 0, 0, 1, 1]),
     ([[4, 5], [2, 2], [3], [6, 7, 8]], [1, 0, 1, 0])),
    ({"seed": 7}, ([[1, 4, 5, 6], [1, 5, 5], [1, 9, 10, 11, 12, 13], [1, 7, 8], [1, 14, 6, 4, 10]],
                   [0, 0, 1, 1, 1]),
     ([[1, 8, 9, 10, 11, 12, 13, 14], [1, 2, 4, 4], [1, 6, 7], [1, 5]], [0, 0, 1, 1])),
]
REUTERS_CASES = [
    ({}, ([[1, 6, 7, 8], [1, 10, 11, 12, 4], [1, 7, 7, 7, 7, 7], [1, 4, 5], [1, 8, 12], [1, 9]],
          [1, 1, 2, 3, 6, 4]), ([[1, 5, 6, 6], [1, 2, 4]], [5, 9])),
    ({"num_words": 8, "skip_top": 3, "test_split": 0.25},
     ([[2, 6, 7, 2], [2, 2, 2, 2, 4], [2, 7, 7, 7, 7, 7], [2, 4, 5], [2, 2, 2], [2, 2]],
      [1, 1, 2, 3, 6, 4]), ([[2, 5, 6, 6], [2, 2, 4]], [5, 9])),
    ({"maxlen": 4}, ([[1, 4, 5], [1, 8, 12], [1, 9]], [3, 6, 4]), ([[1, 2, 4]], [9])),
    ({"seed": 1, "oov_char": None, "num_words": 10},
     ([[1, 8], [1, 9], [1, 6, 7, 8], [1, 7, 7, 7, 7, 7], [1, 4, 5], [1, 5, 6, 6]],
      [6, 4, 1, 2, 3, 5]), ([[1, 4], [1, 4]], [1, 9])),
]


@pytest.mark.parametrize("kwargs,train,test", IMDB_CASES)
def test_imdb_matches_tf_keras(text_mirror, kwargs, train, test):
    (x_train, y_train), (x_test, y_test) = datasets.imdb.load_data(**kwargs)
    assert x_train.dtype == object and x_train.ndim == 1 and y_train.dtype == np.int64
    assert (as_lists((x_train, y_train)), as_lists((x_test, y_test))) == (train, test)


@pytest.mark.parametrize("kwargs,train,test", REUTERS_CASES)
def test_reuters_matches_tf_keras(text_mirror, kwargs, train, test):
    (x_train, y_train), (x_test, y_test) = datasets.reuters.load_data(**kwargs)
    assert x_test.ndim == 1  # 1-D even when all sequences have the same length
    assert (as_lists((x_train, y_train)), as_lists((x_test, y_test))) == (train, test)


def test_sequence_loaders_arguments(text_mirror, caplog):
    (x_a, _), _ = datasets.imdb.load_data(nb_words=8, skip_top=2)
    assert as_lists((x_a, [0] * 5))[0] == IMDB_CASES[1][1][0]
    assert "renamed `num_words`" in caplog.text
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        datasets.reuters.load_data(bogus=1)
    with pytest.raises(ValueError, match="maxlen=2"):
        datasets.imdb.load_data(maxlen=2)
    (x_b, _), _ = datasets.imdb.load_data(start_char=None, index_from=0)  # Keras 2 crashes here
    assert sorted(map(len, x_b)) == [2, 2, 3, 4, 5]


def test_word_index_and_label_names(mirror):
    (mirror / "imdb_word_index.json").write_text('{"the": 1, "and": 2}')
    (mirror / "reuters_word_index.json").write_text('{"said": 1}')
    write_mirror_manifest(mirror)
    assert datasets.imdb.get_word_index() == {"the": 1, "and": 2}
    assert datasets.reuters.get_word_index() == {"said": 1}
    names = datasets.reuters.get_label_names()
    assert len(names) == 46 and names[:3] == ("cocoa", "grain", "veg-oil") and names[-1] == "lead"


def test_boston_housing_matches_tf_keras(text_mirror):
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data()
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13) and x_train.dtype == np.float64
    assert x_train[:, 0].tolist() == [11.7, 3.9, 7.8, 1.3, 0.0, 9.1, 5.2, 10.4]  # tf_keras
    assert y_test.tolist() == [2.0, 5.0]
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data(test_split=0.3, seed=1)
    assert y_train.tolist() == [2.0, 9.0, 6.0, 4.0, 0.0, 3.0, 1.0]  # tf_keras
    assert x_test[:, 0].tolist() == [9.1, 10.4, 6.5]
    with pytest.raises(AssertionError, match="test_split"):
        datasets.boston_housing.load_data(test_split=1.0)


def test_offline_without_mirror_file_raises_clear_error(mirror):
    with pytest.raises(URLFetchError) as err:
        datasets.imdb.load_data()
    text = str(err.value)
    assert "imdb.npz" in text and "NANOTF_DATASETS_MIRROR" in text
    assert "storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz" in text


def test_namespaces_look_like_modules():
    assert datasets.mnist.load_data.__name__ == "load_data"
    assert datasets.mnist.__name__ == "nanotf.keras.datasets.mnist"
    assert callable(datasets.imdb.get_word_index) and datasets.cifar100.load_data.__doc__
