"""Builds a local dataset mirror folder for `NANOTF_DATASETS_MIRROR` from MNIST IDX files.

The mirror holds the four MNIST IDX files (`train-images-idx3-ubyte.gz`,
`train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`) at its top
level, where `tf.keras.datasets.mnist.load_data()` looks for them, and the same files under
`fashion-mnist/` as stand-ins of the same layout for `tf.keras.datasets.fashion_mnist.load_data()`.
These are not the canonical downloads, so the folder's manifest (`nanotf-mirror.json`) vouches for
them.

The source is `../shared/datasets` beside the checkout (5,000 real training digits in
`mnist-5k/`, the official 10,000 test digits in `mnist/`) or any folder holding the IDX files, at
its top level or in its sub-folders; a training pair (images + labels) and a test pair are each
taken from one folder.

Usage:
  python examples/make_mirror.py                        # ../shared/datasets -> ./nanotf-mirror
  python examples/make_mirror.py --source DIR --dest DIR [--copy] [--no-fashion]
  export NANOTF_DATASETS_MIRROR=...                     # the line it prints
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from typing import Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_SOURCE = os.path.normpath(os.path.join(REPO, "..", "shared", "datasets"))

TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FASHION = "fashion-mnist"
MANIFEST = "nanotf-mirror.json"


def _candidate_folders(source: str) -> list:
    """The source folder first, then its sub-folders in name order."""
    subs = sorted(
        os.path.join(source, name) for name in os.listdir(source)
        if os.path.isdir(os.path.join(source, name))
    )
    return [source] + subs


def find_pair(source: str, names: Sequence[str]) -> str:
    """The first folder under `source` that holds every file in `names`.

    Images and labels must come from the same folder: `../shared/datasets/mnist/` holds the 60,000
    official training labels but not the images, which only `mnist-5k/` has (with its own labels).

    Raises:
        FileNotFoundError: No folder holds all of `names`.
    """
    for folder in _candidate_folders(source):
        if all(os.path.isfile(os.path.join(folder, n)) for n in names):
            return folder
    raise FileNotFoundError(
        f"make_mirror: no folder in {source!r} (or its sub-folders) holds both "
        f"{' and '.join(names)}")


def _place(src: str, dest: str, copy: bool) -> None:
    """Links (or copies) `src` to `dest`, replacing what was there, without a half-written file."""
    tmp = f"{dest}.part"
    if os.path.lexists(tmp):
        os.remove(tmp)
    if not copy:
        try:
            os.symlink(os.path.abspath(src), tmp)
        except (OSError, NotImplementedError):  # no symlinks (e.g. Windows without privilege)
            copy = True
    if copy:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
    os.replace(tmp, dest)


def build_mirror(source: str, dest: str, copy: bool = False, fashion: bool = True) -> str:
    """Builds the mirror folder `dest` from the IDX files under `source`; returns its absolute path.

    Args:
        source: `../shared/datasets` or any folder of MNIST IDX files (top level or sub-folders).
        dest: The mirror folder to create or update.
        copy: Copy the files instead of symlinking them.
        fashion: Also place the files under `fashion-mnist/` as Fashion-MNIST stand-ins.

    Example:
      >>> build_mirror("../shared/datasets", "mirror")   # doctest: +SKIP
    """
    if not os.path.isdir(source):
        raise FileNotFoundError(f"make_mirror: source folder {source!r} does not exist")
    try:
        from nanotf._src.keras.data_utils import write_mirror_manifest
    except ImportError:  # run from a checkout without `pip install -e .`
        sys.path.insert(0, REPO)
        from nanotf._src.keras.data_utils import write_mirror_manifest

    placed = {}
    for pair in (TRAIN, TEST):
        folder = find_pair(source, pair)
        for name in pair:
            placed[name] = os.path.join(folder, name)
    dest = os.path.abspath(dest)
    targets = [dest] + ([os.path.join(dest, FASHION)] if fashion else [])
    for target in targets:
        os.makedirs(target, exist_ok=True)
        for name, src in placed.items():
            _place(src, os.path.join(target, name), copy)
    write_mirror_manifest(dest)
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: builds the mirror and prints the `export` line to use it."""
    parser = argparse.ArgumentParser(
        description="Build a NANOTF_DATASETS_MIRROR folder from MNIST IDX files.")
    parser.add_argument("--source", default=DEFAULT_SOURCE,
                        help="folder of MNIST IDX .gz files (default: %(default)s)")
    parser.add_argument("--dest", default="nanotf-mirror",
                        help="mirror folder to create (default: ./%(default)s)")
    parser.add_argument("--copy", action="store_true", help="copy files instead of symlinking")
    parser.add_argument("--no-fashion", action="store_true",
                        help="do not add the fashion-mnist/ stand-ins")
    args = parser.parse_args(argv)
    try:
        dest = build_mirror(args.source, args.dest, copy=args.copy, fashion=not args.no_fashion)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"Mirror folder {dest}:")
    for name in sorted(TRAIN + TEST):
        print(f"  {name}")
    if not args.no_fashion:
        print(f"  {FASHION}/ (the same files, as Fashion-MNIST stand-ins)")
    print(f"  {MANIFEST} (their sha256, which vouches for them)")
    print("To use it:")
    print(f"export NANOTF_DATASETS_MIRROR={shlex.quote(dest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
