"""Fill Keras' download cache from local copies, so data sets load offline.

Defined in: Chapter 11, "Convolutional networks".

Learners load Fashion-MNIST and the cats-vs-dogs photos the usual way
(``keras.datasets.fashion_mnist.load_data()`` and ``keras.utils.get_file``),
which download into ``$KERAS_HOME/datasets`` (``~/.keras/datasets`` by
default) the first time and read the cache afterwards.  On a machine without
network (CI, a lab without internet) the same calls work once the cache holds
the files; this module puts them there from

* the Debian package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``), and
* copies of ``cats_and_dogs_filtered.zip``, ``shakespeare.txt`` and ``real_words_8k.npz`` (real people's voices,
  chapter 14; into ``$KERAS_HOME/datasets``) and of the ImageNet-pretrained MobileNetV2 weights (into ``$KERAS_HOME/models``) in a data folder (``COURSE_DATA_DIR``).

Run it as ``python -m course_lib.keras_cache [DATA_DIR]``.  It never downloads
and never overwrites a file that is already cached.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
CATS_AND_DOGS_ZIP = "cats_and_dogs_filtered.zip"
CATS_AND_DOGS_URL = "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip"
SHAKESPEARE_TXT = "shakespeare.txt"
SHAKESPEARE_URL = "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt"
#: Chapter 14's pack of real people saying the recognizer's words (CC BY-SA 4.0; never committed to the project).
REAL_WORDS_NPZ = "real_words_8k.npz"
#: The file name under which ``keras.applications.MobileNetV2(include_top=False, weights="imagenet")`` looks in
#: ``$KERAS_HOME/models`` (224-pixel weights; at another input size pass its path as ``weights=``).
MOBILENET_V2_NO_TOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"


def keras_datasets_dir() -> Path:
    """The folder where ``keras.utils.get_file`` caches data sets (``$KERAS_HOME/datasets``).

    Defined in: Chapter 11, "Convolutional networks".
    """
    if "KERAS_HOME" in os.environ:  # the same rule as keras.src.backend.config
        return Path(os.environ["KERAS_HOME"]) / "datasets"
    base = os.path.expanduser("~")
    return Path(base if os.access(base, os.W_OK) else "/tmp") / ".keras" / "datasets"


def keras_models_dir() -> Path:
    """The folder where Keras caches pretrained weights (``$KERAS_HOME/models``).

    Defined in: Chapter 11, "Convolutional networks".
    """
    return keras_datasets_dir().parent / "models"


def _copy_if_missing(src: Path, dst: Path) -> bool:
    if dst.exists() or not src.is_file():
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)
    return True


def seed_keras_cache(data_dir=None, fashion_dir=FASHION_MNIST_DEBIAN) -> list[str]:
    """Copy the local data sets that exist into Keras' cache; return the names copied.

    Defined in: Chapter 11, "Convolutional networks".

    ``data_dir`` is the folder holding ``cats_and_dogs_filtered.zip``
    (default: ``$COURSE_DATA_DIR``, else ``../shared/data`` next to the
    project).  Files that are missing locally are skipped; files already
    in the cache are left alone.
    """
    if data_dir is None:
        data_dir = os.environ.get("COURSE_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
    data_dir, fashion_dir = Path(data_dir), Path(fashion_dir)
    cache = keras_datasets_dir()
    copied = []
    for name in FASHION_MNIST_FILES:
        if _copy_if_missing(fashion_dir / name, cache / "fashion-mnist" / name):
            copied.append(f"fashion-mnist/{name}")
    for name in (CATS_AND_DOGS_ZIP, SHAKESPEARE_TXT, REAL_WORDS_NPZ):
        if _copy_if_missing(data_dir / name, cache / name):
            copied.append(name)
    if _copy_if_missing(data_dir / MOBILENET_V2_NO_TOP, keras_models_dir() / MOBILENET_V2_NO_TOP):
        copied.append(f"models/{MOBILENET_V2_NO_TOP}")
    return copied


def main(argv=None) -> int:
    """``python -m course_lib.keras_cache [DATA_DIR]``: seed the cache and say what was copied; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    copied = seed_keras_cache(argv[0] if argv else None)
    cache = keras_datasets_dir()
    missing = [f"fashion-mnist/{n}" for n in FASHION_MNIST_FILES if not (cache / "fashion-mnist" / n).exists()]
    missing += [name for name in (CATS_AND_DOGS_ZIP, SHAKESPEARE_TXT) if not (cache / name).exists()]
    if not (keras_models_dir() / MOBILENET_V2_NO_TOP).exists():
        missing.append(f"models/{MOBILENET_V2_NO_TOP}")
    print(f"Keras cache {cache}: copied {len(copied)} file(s)" + (f"; still missing {missing}" if missing else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
