"""`tf.keras.datasets`: the Keras 2 data sets, as NumPy arrays, offline first.

Each loader fetches the same file, from the same origin, checked against the same hash and
cached at the same place as Keras 2 (`~/.keras/datasets` or `$KERAS_HOME/datasets`), through
`get_file`; see `nanotf._src.keras.data_utils` for the cache and the `NANOTF_DATASETS_MIRROR`
setting (a URL prefix or a local folder tried before the origin, whose files may be vouched for
by a `nanotf-mirror.json` manifest).

MNIST from IDX files: when `NANOTF_DATASETS_MIRROR` names a local folder that holds no
`mnist.npz` but holds the four IDX files (`train-images-idx3-ubyte.gz`,
`train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`, the
format of the original MNIST downloads), `mnist.load_data` reads those instead, whatever the
number of images in them (e.g. a 5,000-image training subset), after checking that each file is
either the canonical one or vouched for by the manifest, and that image and label counts agree.
Fashion-MNIST is cached under `datasets/fashion-mnist/`, so a mirror holds it in a
`fashion-mnist/` subfolder.
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import os
import pickle
import types
import zlib
from typing import Any, Callable

import numpy as np

from nanotf._src.keras.data_utils import (
    _is_url,
    cache_base,
    get_file,
    mirror_keys,
    mirror_setting,
    obtain,
    validate_file,
)

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]

_GCS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_IDX_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
_MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# md5 of the original MNIST IDX downloads (LeCun et al.), for IDX files found in a mirror.
_MNIST_IDX_MD5 = dict(zip(_IDX_NAMES, (
    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "d53e105ee54ea40749a09fcbcd1e9432",
    "9fb629c4189551a2d022fa330f9573f3",
    "ec29112dd5afa0611ce80d1b7f02629c",
)))
# Keras passes no hash for Fashion-MNIST; these are the md5 published by Zalando Research.
_FASHION_MD5 = dict(zip(_IDX_NAMES, (
    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "25c81989df183df01b3e8a0aad5dffbe",
    "bef4ecab320f06d8554ea6380940ec79",
    "bb300cfdad3c16e7a12a480ee83cd310",
)))
_logger = logging.getLogger("nanotf")


def _prepare_cache_dir(cache_dir: str | None) -> str | None:
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    return cache_dir


# -- IDX (MNIST, Fashion-MNIST) -----------------------------------------------------------------


def _read_idx(path: str, ndim: int) -> np.ndarray:
    """Reads a gzip-compressed IDX file of uint8: images (ndim 3) or labels (ndim 1)."""
    try:
        with gzip.open(path, "rb") as f:
            data = bytearray(f.read())  # gzip checks its CRC and length: truncation shows here
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path} is not a complete gzip file: {e}") from None
    magic = 0x800 + ndim
    head = 4 + 4 * ndim
    if len(data) < head or int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"{path} is not an IDX file of uint8 with {ndim} dimensions "
                         f"(magic number {magic} expected).")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(data) - head != int(np.prod(dims)):
        raise ValueError(f"{path}: the header announces shape {dims} ({int(np.prod(dims))} "
                         f"bytes) but {len(data) - head} bytes of data follow.")
    return np.frombuffer(data, np.uint8, offset=head).reshape(dims)


def _idx_split(images_path: str, labels_path: str) -> tuple:
    x, y = _read_idx(images_path, 3), _read_idx(labels_path, 1)
    if x.shape[0] != y.shape[0] or x.shape[1:] != (28, 28):
        raise ValueError(f"Inconsistent IDX pair: {images_path} holds images of shape {x.shape}, "
                         f"{labels_path} holds {y.shape[0]} labels; expected (N, 28, 28) and N.")
    return x, y


def _idx_dataset(paths: list) -> tuple:
    """(x_train, y_train), (x_test, y_test) from paths in `_IDX_NAMES` order."""
    return _idx_split(paths[0], paths[1]), _idx_split(paths[2], paths[3])


# -- MNIST, Fashion-MNIST -----------------------------------------------------------------------


def _mnist_load_data(path: str = "mnist.npz", cache_dir: str | None = None) -> tuple:
    """Loads the MNIST dataset of handwritten digits.

    60,000 28x28 grayscale training images of the 10 digits and 10,000 test images. Offline,
    a local `NANOTF_DATASETS_MIRROR` folder may hold the four original IDX files instead of
    `mnist.npz`; any number of images is then accepted (see the module docstring).

    Args:
        path: Where to cache the data, relative to `~/.keras/datasets`.
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shape `(N, 28, 28)` and `(N,)`.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    >>> x_train.shape, y_test.dtype
    ((60000, 28, 28), dtype('uint8'))
    """
    cache_dir = _prepare_cache_dir(cache_dir)
    origin = _GCS + "mnist.npz"
    base = cache_base(cache_dir)
    npz_path = os.path.join(base, "datasets", path)
    folder = mirror_setting()
    if folder and not _is_url(folder) and _mirror_prefers_idx(folder, npz_path, origin, base):
        if not (os.path.exists(npz_path) and validate_file(npz_path, _MNIST_NPZ_SHA256)):
            paths = [
                obtain(os.path.join(base, "datasets", name), None, md5, "md5", base=base,
                       use_origin=False, copy=False)[0]
                for name, md5 in _MNIST_IDX_MD5.items()
            ]
            return _idx_dataset(paths)
    fpath = get_file(path, origin=origin, file_hash=_MNIST_NPZ_SHA256, cache_dir=cache_dir)
    with np.load(fpath, allow_pickle=True) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _mirror_prefers_idx(folder: str, npz_path: str, origin: str, base: str) -> bool:
    folder = os.path.expanduser(folder)
    keys = mirror_keys(npz_path, origin, base)
    has_npz = any(os.path.isfile(os.path.join(folder, *k.split("/"))) for k in keys)
    return not has_npz and any(os.path.isfile(os.path.join(folder, n)) for n in _IDX_NAMES)


def _fashion_mnist_load_data(cache_dir: str | None = None) -> tuple:
    """Loads the Fashion-MNIST dataset: 28x28 grayscale images of 10 kinds of clothing.

    Args:
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shape `(N, 28, 28)` and `(N,)`
        (60,000 training and 10,000 test images).

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.fashion_mnist.load_data()
    """
    cache_dir = _prepare_cache_dir(cache_dir)
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [
        get_file(name, origin=_GCS + name, file_hash=md5, cache_dir=cache_dir,
                 cache_subdir=subdir)
        for name, md5 in _FASHION_MD5.items()
    ]
    return _idx_dataset(paths)


# -- CIFAR --------------------------------------------------------------------------------------


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and NumPy arrays only: a data file cannot run code."""

    _ALLOWED = {
        "_reconstruct": np.zeros(1).__reduce__()[0],
        "scalar": np.float64(0).__reduce__()[0],
        "ndarray": np.ndarray,
        "dtype": np.dtype,
    }

    def find_class(self, module: str, name: str) -> Any:
        if module.split(".")[0] == "numpy" and name in self._ALLOWED:
            return self._ALLOWED[name]
        if (module, name) == ("_codecs", "encode"):  # how Python 3 protocol 2 stores bytes
            return codecs.encode
        raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a data file.")


def _load_batch(fpath: str, label_key: str = "labels") -> tuple:
    """Reads one CIFAR pickle batch: data as (N, 3, 32, 32) uint8, and the labels."""
    with open(fpath, "rb") as f:
        batch = _ArrayUnpickler(f, encoding="bytes").load()
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def _to_channels_last(x: np.ndarray) -> np.ndarray:
    # nanotf follows Keras's default image_data_format, 'channels_last'.
    return x.transpose(0, 2, 3, 1)


def _cifar10_load_data(cache_dir: str | None = None) -> tuple:
    """Loads the CIFAR10 dataset: 32x32 color images in 10 classes.

    Args:
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(N, 32, 32, 3)` and uint8
        labels of shape `(N, 1)` (50,000 training and 10,000 test images).

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.cifar10.load_data()
    """
    path = get_file(
        "cifar-10-batches-py",
        origin="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        untar=True,
        file_hash="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        cache_dir=_prepare_cache_dir(cache_dir),
    )
    parts = [_load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts])
    y_train = np.concatenate([np.asarray(y, np.uint8) for _, y in parts])
    x_test, y_test = _load_batch(os.path.join(path, "test_batch"))
    y_test = np.asarray(y_test, np.uint8)
    return (
        (_to_channels_last(x_train), y_train.reshape(-1, 1)),
        (_to_channels_last(x_test), y_test.reshape(-1, 1)),
    )


def _cifar100_load_data(label_mode: str = "fine", cache_dir: str | None = None) -> tuple:
    """Loads the CIFAR100 dataset: 32x32 color images in 100 fine (20 coarse) classes.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape `(N, 32, 32, 3)` and int64
        labels of shape `(N, 1)` (50,000 training and 10,000 test images).

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.cifar100.load_data(label_mode="coarse")
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.'
        )
    path = get_file(
        "cifar-100-python",
        origin="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        untar=True,
        file_hash="85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
        cache_dir=_prepare_cache_dir(cache_dir),
    )
    out = []
    for split in ("train", "test"):
        x, y = _load_batch(os.path.join(path, split), label_key=label_mode + "_labels")
        out.append((_to_channels_last(x), np.asarray(y, np.int64).reshape(-1, 1)))
    return tuple(out)


# -- IMDB, Reuters ------------------------------------------------------------------------------


def _check_kwargs(num_words: int | None, kwargs: dict) -> int | None:
    if "nb_words" in kwargs:
        _logger.warning("The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    return num_words


def _shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> list:
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]


def _mark(seqs: Any, start_char: int | None, index_from: int) -> list:
    """Shifts word indices by `index_from` and prepends `start_char`, as Keras does."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in seqs]
    if index_from:
        return [[w + index_from for w in x] for x in seqs]
    return [list(x) for x in seqs]


def _remove_long_seq(maxlen: int, seqs: list, labels: Any) -> tuple:
    # Strictly shorter than maxlen (the start mark counts), as Keras 2.
    kept = [(x, y) for x, y in zip(seqs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def _cut_vocabulary(seqs: list, num_words: int | None, skip_top: int, oov_char: int | None):
    if not num_words:
        # As Keras 2: the largest index itself then falls outside [skip_top, num_words).
        num_words = max(max(x) for x in seqs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in seqs]
    return [[w for w in x if skip_top <= w < num_words] for x in seqs]


def _object_array(seqs: list) -> np.ndarray:
    # Always 1-D, even when every sequence has the same length.
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def _imdb_load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
                    maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
                    oov_char: int | None = 2, index_from: int = 3,
                    cache_dir: str | None = None, **kwargs: Any) -> tuple:
    """Loads the IMDB movie review sentiment dataset: 25,000 train and 25,000 test reviews.

    Reviews are lists of word indices, words ranked by frequency (index 3 is the 3rd most frequent
    word with the default `index_from=3`); 0 is padding, 1 the start mark, 2 out-of-vocabulary.

    Args:
        path: Where to cache the data, relative to `~/.keras/datasets`.
        num_words: Keep only the `num_words` most frequent words (others become `oov_char`).
        skip_top: Treat the `skip_top` most frequent words as out-of-vocabulary too.
        maxlen: Drop sequences of `maxlen` or more words (start mark included). None: keep all.
        seed: Seed for the shuffling.
        start_char: Marks the start of each sequence (None: no mark).
        oov_char: Replaces cut words (None: cut words are removed).
        index_from: Offset added to every word index.
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.
        **kwargs: Only the legacy `nb_words` (renamed `num_words`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, int labels 0/1.

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.imdb.load_data(num_words=10000)
    """
    num_words = _check_kwargs(num_words, kwargs)
    fpath = get_file(path, origin=_GCS + "imdb.npz",
                     file_hash="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
                     cache_dir=_prepare_cache_dir(cache_dir))
    with np.load(fpath, allow_pickle=True) as f:
        x_train, labels_train, x_test, labels_test = (
            f["x_train"], f["y_train"], f["x_test"], f["y_test"])
    rng = np.random.RandomState(seed)
    x_train, labels_train = _shuffled(rng, x_train, labels_train)
    x_test, labels_test = _shuffled(rng, x_test, labels_test)
    x_train, x_test = _mark(x_train, start_char, index_from), _mark(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = _remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept. Increase maxlen.")
    xs = _cut_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (_object_array(xs[:idx]), labels[:idx]), (_object_array(xs[idx:]), labels[idx:])


def _reuters_load_data(path: str = "reuters.npz", num_words: int | None = None,
                       skip_top: int = 0, maxlen: int | None = None, test_split: float = 0.2,
                       seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
                       index_from: int = 3, cache_dir: str | None = None,
                       **kwargs: Any) -> tuple:
    """Loads the Reuters newswire classification dataset: 11,228 newswires over 46 topics.

    Sequences are encoded as in `imdb.load_data` (same `num_words`, `skip_top`, `maxlen`,
    `seed`, `start_char`, `oov_char`, `index_from` arguments).

    Args:
        path: Where to cache the data, relative to `~/.keras/datasets`.
        test_split: Fraction of the (shuffled) newswires used as test data.
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.
        **kwargs: Only the legacy `nb_words` (renamed `num_words`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of ints, int topic labels.

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.reuters.load_data(num_words=10000)
    """
    num_words = _check_kwargs(num_words, kwargs)
    fpath = get_file(path, origin=_GCS + "reuters.npz",
                     file_hash="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
                     cache_dir=_prepare_cache_dir(cache_dir))
    with np.load(fpath, allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    xs, labels = _shuffled(np.random.RandomState(seed), xs, labels)
    xs = _mark(xs, start_char, index_from)
    if maxlen:
        xs, labels = _remove_long_seq(maxlen, xs, labels)
    xs = _cut_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    labels = np.array(labels)
    return (_object_array(xs[:idx]), labels[:idx]), (_object_array(xs[idx:]), labels[idx:])


def _word_index(path: str, origin: str, md5: str) -> dict:
    with open(get_file(path, origin=origin, file_hash=md5)) as f:
        return json.load(f)


def _imdb_get_word_index(path: str = "imdb_word_index.json") -> dict:
    """Retrieves a dict mapping words to their index in the IMDB dataset.

    Example:

    >>> index = tf.keras.datasets.imdb.get_word_index()  # add `index_from` to match load_data
    """
    return _word_index(path, _GCS + "imdb_word_index.json", "bfafd718b763782e994055a2d397834f")


def _reuters_get_word_index(path: str = "reuters_word_index.json") -> dict:
    """Retrieves a dict mapping words to their index in the Reuters dataset.

    Example:

    >>> index = tf.keras.datasets.reuters.get_word_index()  # add `index_from` to match load_data
    """
    return _word_index(path, _GCS + "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921")


_REUTERS_LABELS = (
    "cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves "
    "ship cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin "
    "strategic-metal livestock retail ipi iron-steel rubber heat jobs lei bop zinc orange "
    "pet-chem dlr gas silver wpi hog lead"
).split()


def _reuters_get_label_names() -> tuple:
    """Returns the 46 Reuters topic names, indexed like the labels of `load_data`."""
    return tuple(_REUTERS_LABELS)


# -- Boston housing -----------------------------------------------------------------------------


def _boston_housing_load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
                              seed: int = 113, cache_dir: str | None = None) -> tuple:
    """Loads the Boston Housing price regression dataset (506 samples, 13 features).

    Args:
        path: Where to cache the data, relative to `~/.keras/datasets`.
        test_split: Fraction of the (shuffled) samples kept as test data, in [0, 1).
        seed: Seed for the shuffling.
        cache_dir: Cache root; None means `$KERAS_HOME` or `~/.keras`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays `(N, 13)` and prices `(N,)`.

    Example:

    >>> (x_train, y_train), _ = tf.keras.datasets.boston_housing.load_data()
    """
    if not 0 <= test_split < 1:
        raise AssertionError(f"test_split must be in [0, 1). Received: test_split={test_split}")
    fpath = get_file(path, origin=_GCS + "boston_housing.npz",
                     file_hash="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
                     cache_dir=_prepare_cache_dir(cache_dir))
    with np.load(fpath, allow_pickle=True) as f:
        x, y = _shuffled(np.random.RandomState(seed), f["x"], f["y"])
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


# -- namespaces (tf.keras.datasets.<name>) ------------------------------------------------------


def _namespace(name: str, doc: str, **members: Callable) -> types.ModuleType:
    module = types.ModuleType(f"nanotf.keras.datasets.{name}", doc)
    for attr, fn in members.items():
        fn.__name__ = fn.__qualname__ = attr
        fn.__module__ = module.__name__
        setattr(module, attr, fn)
    return module


mnist = _namespace("mnist", "MNIST handwritten digits dataset.", load_data=_mnist_load_data)
fashion_mnist = _namespace(
    "fashion_mnist", "Fashion-MNIST dataset.", load_data=_fashion_mnist_load_data)
cifar10 = _namespace("cifar10", "CIFAR10 small images classification dataset.",
                     load_data=_cifar10_load_data)
cifar100 = _namespace("cifar100", "CIFAR100 small images classification dataset.",
                      load_data=_cifar100_load_data)
imdb = _namespace("imdb", "IMDB sentiment classification dataset.", load_data=_imdb_load_data,
                  get_word_index=_imdb_get_word_index)
reuters = _namespace("reuters", "Reuters topic classification dataset.",
                     load_data=_reuters_load_data, get_word_index=_reuters_get_word_index,
                     get_label_names=_reuters_get_label_names)
boston_housing = _namespace("boston_housing", "Boston housing price regression dataset.",
                            load_data=_boston_housing_load_data)
