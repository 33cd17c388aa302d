"""Speed benchmarks of course_lib, run by ``make bench``: one ``name: value`` line per figure.

Every figure is a ratio or a difference measured within ONE run of this
script (medians over repeats), so it holds on a noisy or slow machine.

The training benchmark fits the chapter-9 network — 64 inputs → Dense(64,
relu) → Dense(10, softmax), Adam(learning_rate=0.003), batch size 32, 20 epochs —
on the scikit-learn 8×8 digits in float32 three ways: with
``course_lib.model.Sequential``, with a minimal hand-written numpy loop of the
same network, and with Keras (``jit_compile`` left at its default,
``verbose=0``).  Keras is timed on a second ``fit`` call of an already
trained model, so its one-off graph tracing is NOT counted (the conservative
choice); the first-call time is printed as well.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HIDDEN, CLASSES, BATCH, EPOCHS, LR = 64, 10, 32, 20, 3e-3


def _data():
    from course_lib import datasets

    X_train, X_test, y_train, y_test = datasets.load_digits_8x8(test_size=0.25, seed=0)
    return X_train.astype(np.float32), X_test.astype(np.float32), y_train, y_test


def fit_course_lib(X, y, seed=0):
    from course_lib import optim
    from course_lib.dense import Dense
    from course_lib.model import Sequential

    model = Sequential([Dense(HIDDEN, activation="relu"), Dense(CLASSES, activation="softmax")], seed=seed)
    model.compile(optimizer=optim.Adam(learning_rate=LR), loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    return time.perf_counter() - start, model


def fit_minimal_numpy(X, y, seed=0):
    """The same network, optimiser and per-epoch loss/accuracy report, written as tersely as numpy allows."""
    rng = np.random.default_rng(seed)
    m, n_in = X.shape
    lim1, lim2 = np.sqrt(6 / (n_in + HIDDEN)), np.sqrt(6 / (HIDDEN + CLASSES))
    params = [
        rng.uniform(-lim1, lim1, (n_in, HIDDEN)).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        rng.uniform(-lim2, lim2, (HIDDEN, CLASSES)).astype(np.float32),
        np.zeros(CLASSES, np.float32),
    ]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    Y = np.eye(CLASSES, dtype=np.float32)[y]
    t = 0
    history = []
    start = time.perf_counter()
    for _ in range(EPOCHS):
        total_loss, correct = 0.0, 0
        order = rng.permutation(m)
        for first in range(0, m, BATCH):
            idx = order[first : first + BATCH]
            Xb, Yb = X[idx], Y[idx]
            W1, b1, W2, b2 = params
            Z1 = Xb @ W1 + b1
            A1 = np.maximum(Z1, 0)
            Z2 = A1 @ W2 + b2
            E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
            A2 = E / E.sum(axis=1, keepdims=True)
            # The same per-epoch report as fit() (and Keras): mean loss and accuracy.
            total_loss -= float(np.sum(Yb * np.log(np.clip(A2, 1e-7, 1 - 1e-7))))
            correct += int(np.sum(A2.argmax(1) == Yb.argmax(1)))
            dZ2 = (A2 - Yb) / len(idx)
            dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
            grads = [Xb.T @ dZ1, dZ1.sum(0), A1.T @ dZ2, dZ2.sum(0)]
            t += 1
            alpha = LR * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            for p, g, m1, v1 in zip(params, grads, ms, vs):
                m1 += 0.1 * (g - m1)
                v1 += 0.001 * (g * g - v1)
                p -= alpha * m1 / (np.sqrt(v1) + 1e-7)
        history.append((total_loss / m, correct / m))
    return time.perf_counter() - start


def keras_model(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((64,), dtype="float32"),
            keras.layers.Dense(HIDDEN, activation="relu"),
            keras.layers.Dense(CLASSES, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LR), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def fit_keras(model, X, y):
    start = time.perf_counter()
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    return time.perf_counter() - start


def import_time(statement: str, repeats: int = 5) -> tuple[float, bool]:
    """Median wall time of ``statement`` in fresh interpreters, and whether TensorFlow got loaded."""
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - t, 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    times, loads_tf = [], False
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        seconds, tf_flag = out.stdout.split()
        times.append(float(seconds))
        loads_tf = loads_tf or tf_flag == "True"
    return statistics.median(times), loads_tf


def main() -> None:
    X_train, X_test, y_train, y_test = _data()

    ours = [fit_course_lib(X_train, y_train)[0] for _ in range(7)]
    minimal = [fit_minimal_numpy(X_train, y_train) for _ in range(7)]

    model_k = keras_model()
    keras_first = fit_keras(model_k, X_train, y_train)  # includes tracing the training step
    keras_times = [fit_keras(model_k, X_train, y_train) for _ in range(5)]

    # Accuracy after the same training (one fresh fit each, same seed).
    _, ours_model = fit_course_lib(X_train, y_train)
    ours_acc = ours_model.evaluate(X_test, y_test)[1]
    fresh = keras_model()
    fit_keras(fresh, X_train, y_train)
    keras_acc = float(fresh.evaluate(X_test, y_test, verbose=0)[1])

    t_ours, t_min, t_keras = statistics.median(ours), statistics.median(minimal), statistics.median(keras_times)
    imp, imp_tf = import_time("import course_lib")
    imp_checks, checks_tf = import_time("import course_lib.checks")

    print(f"setup: 8x8 digits ({len(X_train)} train), 64-{HIDDEN}-{CLASSES} relu/softmax, Adam, float32, "
          f"batch {BATCH}, {EPOCHS} epochs")  # fmt: skip
    print(f"course_lib_fit_s: {t_ours:.4f}")
    print(f"minimal_numpy_fit_s: {t_min:.4f}")
    print(f"keras_fit_s: {t_keras:.4f}")
    print(f"keras_first_fit_s: {keras_first:.4f}")
    print(f"course_lib_test_accuracy: {ours_acc:.4f}")
    print(f"keras_test_accuracy: {keras_acc:.4f}")
    print(f"mlp_fit_speedup_vs_keras: {t_keras / t_ours:.2f}")
    print(f"mlp_fit_overhead_vs_minimal_numpy: {t_ours / t_min:.2f}")
    print(f"mlp_accuracy_gap_vs_keras: {100 * (keras_acc - ours_acc):+.2f}")
    print(f"import_course_lib_s: {imp:.3f}")
    print(f"import_course_lib_checks_s: {imp_checks:.3f}")
    print(f"import_loads_tensorflow: {imp_tf or checks_tf}")


if __name__ == "__main__":
    main()
