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

The MNIST benchmark does the same at a realistic size: 784 → 256 → 128 → 10
on the 4,000 training images of the MNIST subset, 3 epochs, batch 32.  It also
times float64 against float32, and course_lib's ``fit`` beside a CPU-bound
neighbour process: one that uses one BLAS thread (two notebooks of the book
running at once, each limited like ``fit``) and one that takes every core.
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


def fit_course_lib(X, y, hidden=(HIDDEN,), epochs=EPOCHS, seed=0, dtype="float32"):
    from course_lib import optim
    from course_lib.dense import Dense
    from course_lib.model import Sequential

    layers = [Dense(units, activation="relu") for units in hidden] + [Dense(CLASSES, activation="softmax")]
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer=optim.Adam(learning_rate=LR), loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=BATCH, verbose=0)
    return time.perf_counter() - start, model


def fit_minimal_numpy(X, y, hidden=(HIDDEN,), epochs=EPOCHS, seed=0):
    """The same network, optimiser and per-epoch loss/accuracy report, written as tersely as numpy allows.

    Like ``fit``, it runs with one BLAS thread, so the ratio of the two measures
    course_lib's own overhead, not a threading difference.
    """
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    m, n_in = X.shape
    sizes = (n_in, *hidden, CLASSES)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6 / (a + b))
        params += [rng.uniform(-limit, limit, (a, b)).astype(np.float32), np.zeros(b, np.float32)]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    Y = np.eye(CLASSES, dtype=np.float32)[y]
    t = 0
    history = []
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(epochs):
            total_loss, correct = 0.0, 0
            order = rng.permutation(m)
            for first in range(0, m, BATCH):
                idx = order[first : first + BATCH]
                Xb, Yb = X[idx], Y[idx]
                As, Zs = [Xb], []
                for i in range(0, len(params), 2):
                    Z = As[-1] @ params[i] + params[i + 1]
                    Zs.append(Z)
                    if i + 2 < len(params):
                        As.append(np.maximum(Z, 0))
                E = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = E / E.sum(axis=1, keepdims=True)
                # The same per-epoch report as fit() (and Keras): mean loss and accuracy.
                total_loss -= float(np.sum(Yb * np.log(np.clip(A, 1e-7, 1 - 1e-7))))
                correct += int(np.sum(A.argmax(1) == Yb.argmax(1)))
                dZ = (A - Yb) / len(idx)
                grads = [None] * len(params)
                for i in range(len(params) - 2, -1, -2):
                    grads[i], grads[i + 1] = As[i // 2].T @ dZ, dZ.sum(0)
                    if i:
                        dZ = (dZ @ params[i].T) * (Zs[i // 2 - 1] > 0)
                t += 1
                alpha = LR * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                for p, g, m1, v1 in zip(params, grads, ms, vs):
                    m1 += 0.1 * (g - m1)
                    v1 += 0.001 * (g * g - v1)
                    p -= alpha * m1 / (np.sqrt(v1) + 1e-7)
            history.append((total_loss / m, correct / m))
    return time.perf_counter() - start


def keras_model(n_in=64, hidden=(HIDDEN,), seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((n_in,), dtype="float32")]
        + [keras.layers.Dense(units, activation="relu") for units in hidden]
        + [keras.layers.Dense(CLASSES, activation="softmax")]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LR), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def fit_keras(model, X, y, epochs=EPOCHS):
    start = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=BATCH, verbose=0)
    return time.perf_counter() - start


#: A CPU-bound neighbour, like a second notebook training beside this one: numpy matrix
#: products for ever.  Run with one BLAS thread (as course_lib's fit runs) it is the book's
#: own situation; run with numpy's default threads it takes every core it can get.
NEIGHBOUR = "import numpy as np\na = np.random.default_rng(0).random((600, 600))\nwhile True:\n    a @ a\n"


def _time_beside_neighbour(fit, blas_threads: str | None) -> float:
    env = dict(os.environ)
    if blas_threads:
        env.update(OPENBLAS_NUM_THREADS=blas_threads, OMP_NUM_THREADS=blas_threads, MKL_NUM_THREADS=blas_threads)
    neighbour = subprocess.Popen([sys.executable, "-c", NEIGHBOUR], env=env)
    try:
        time.sleep(1.0)  # let it get going
        return statistics.median(fit() for _ in range(3))
    finally:
        neighbour.kill()
        neighbour.wait()


def mnist_benchmarks(epochs: int = 3) -> dict:
    """The MNIST-size MLP (784-256-128-10, batch 32, the 5,000-image subset): speed against Keras and
    against minimal numpy, float64 against float32, and the slowdown when a CPU-bound neighbour runs."""
    from course_lib import datasets

    X_train, _, y_train, _ = datasets.load_mnist_subset(test_size=0.2, seed=0)
    X_train = X_train.astype(np.float32)
    hidden = (256, 128)
    ours = [fit_course_lib(X_train, y_train, hidden, epochs)[0] for _ in range(3)]
    ours64 = [fit_course_lib(X_train, y_train, hidden, epochs, dtype="float64")[0] for _ in range(3)]
    minimal = [fit_minimal_numpy(X_train, y_train, hidden, epochs) for _ in range(3)]
    model_k = keras_model(784, hidden)
    fit_keras(model_k, X_train, y_train, epochs=1)  # trace the training step once
    keras_times = [fit_keras(model_k, X_train, y_train, epochs) for _ in range(3)]

    def fit():
        return fit_course_lib(X_train, y_train, hidden, epochs)[0]

    beside_one = _time_beside_neighbour(fit, "1")
    beside_all = _time_beside_neighbour(fit, None)
    t_ours = statistics.median(ours)
    return {
        "mnist_mlp_fit_s": t_ours,
        "mnist_mlp_keras_fit_s": statistics.median(keras_times),
        "mnist_mlp_speedup_vs_keras": statistics.median(keras_times) / t_ours,
        "mnist_mlp_overhead_vs_minimal_numpy": t_ours / statistics.median(minimal),
        "mnist_mlp_float64_vs_float32": statistics.median(ours64) / t_ours,
        "mlp_fit_slowdown_under_contention": beside_one / t_ours,
        "mlp_fit_slowdown_beside_all_core_blas_neighbour": beside_all / t_ours,
    }


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


def rnn_benchmark() -> tuple[float, float]:
    """A SimpleRNN forward + backward (32 sequences of 50 steps, 8 features, 32 units, float32): course_lib's
    rnn_forward + rnn_backward against keras.layers.SimpleRNN under tf.GradientTape."""
    import keras
    import tensorflow as tf

    from course_lib import rnn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 50, 8)).astype(np.float32)
    Wx, Wh = (rng.normal(scale=0.3, size=s).astype(np.float32) for s in ((8, 32), (32, 32)))
    b, h0 = np.zeros(32, np.float32), np.zeros((32, 32), np.float32)
    dH = rng.normal(size=(32, 50, 32)).astype(np.float32)

    def ours():
        start = time.perf_counter()
        H = rnn.rnn_forward(X, h0, Wx, Wh, b)
        rnn.rnn_backward(dH, X, H, h0, Wx, Wh)
        return time.perf_counter() - start

    layer = keras.layers.SimpleRNN(32, return_sequences=True)
    layer.build((None, 50, 8))
    layer.set_weights([Wx, Wh, b])
    Xt, dHt = tf.constant(X), tf.constant(dH)

    def theirs():
        start = time.perf_counter()
        with tf.GradientTape() as tape:
            tape.watch(Xt)
            H = layer(Xt)
        tape.gradient(H, [Xt, *layer.trainable_variables], output_gradients=dHt)
        return time.perf_counter() - start

    theirs()
    return statistics.median(ours() for _ in range(7)), statistics.median(theirs() for _ in range(7))


#: Both sides of the convolution benchmarks run on ONE thread — numpy's BLAS and TensorFlow's intra- and
#: inter-op pools — as the book's notebooks run and as course_lib's ``fit`` always runs.  TensorFlow fixes its
#: thread pools when it starts, so these benchmarks run in a process of their own started with this environment.
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


def conv_benchmarks() -> dict:
    """SimpleRNN against TensorFlow (this process), then the convolution benchmarks (:func:`_conv_measurements`,
    in a one-thread process of their own)."""
    import json

    rnn_ours, rnn_tf = rnn_benchmark()
    env = os.environ | ONE_THREAD
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--conv"], env=env, capture_output=True, text=True
    )
    if child.returncode:
        raise RuntimeError(f"the one-thread convolution benchmarks failed:\n{child.stderr[-3000:]}")
    return {"rnn_bptt_s": rnn_ours, "rnn_bptt_vs_tf": rnn_ours / rnn_tf, **json.loads(child.stdout.splitlines()[-1])}


def _conv_measurements() -> dict:
    """conv2d forward + backward against TensorFlow (32×28×28×8 input, 3×3×8×16 kernel, float32), and one
    epoch of a small CNN (Conv2D(8, 3, relu) → MaxPooling2D → Flatten → Dense(10)) on the MNIST subset
    against the same model in Keras; both sides on one thread (:data:`ONE_THREAD`).

    "Ours" is the path the layers run (:mod:`course_lib.conv_fast`); the chapter's readable
    ``conv.conv2d`` + ``conv.conv2d_backward`` is timed too.  Ours, the readable path and TensorFlow take
    turns, and so do our epoch and Keras' epoch, so a busy machine slows both sides alike; figures are medians.
    The ``_vs_`` figures compare wall-clock times; the ``_cpu_vs_`` ones the CPU time of the whole process (all
    threads), which a machine busy with other work disturbs far less.
    """
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from course_lib import conv, conv_fast, datasets, optim
    from course_lib.conv_layers import Conv2D, Flatten, MaxPooling2D
    from course_lib.dense import Dense
    from course_lib.model import Sequential

    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 28, 28, 8)).astype(np.float32)
    W = rng.normal(size=(3, 3, 8, 16)).astype(np.float32)
    b = np.zeros(16, np.float32)
    dY = rng.normal(size=(32, 26, 26, 16)).astype(np.float32)

    def ours():
        _, cols = conv_fast.conv2d_forward(X, W, b, 1, "valid")
        conv_fast.conv2d_gradients(dY, X.shape, cols, W, 1, "valid")

    def readable():
        conv.conv2d(X, W, b)
        conv.conv2d_backward(dY, X, W)

    Xt, Wt, dYt = tf.constant(X), tf.Variable(W), tf.constant(dY)

    def theirs():
        with tf.GradientTape() as tape:
            tape.watch(Xt)
            Y = tf.nn.conv2d(Xt, Wt, 1, "VALID") + b
        tape.gradient(Y, [Xt, Wt], output_gradients=dYt)

    ours(), readable(), theirs()
    times = {"ours": [], "readable": [], "tf": []}  # (wall, CPU) seconds
    for _ in range(25):
        for name, run in (("ours", ours), ("readable", readable), ("tf", theirs)):
            times[name].append(_timed(run)[1:])
    (t_ours, c_ours), (t_readable, _), (t_tf, c_tf) = (_medians(times[k]) for k in ("ours", "readable", "tf"))

    X_train, _, y_train, _ = datasets.load_mnist_subset(test_size=0.2, seed=0)
    images = X_train.reshape(-1, 28, 28, 1).astype(np.float32)

    def cnn_epoch():
        model = Sequential(
            [Conv2D(8, 3, activation="relu"), MaxPooling2D(), Flatten(), Dense(10, activation="softmax")]
        )
        model.compile(optimizer=optim.Adam(learning_rate=1e-3), loss="categorical_crossentropy")
        return model.fit(images, y_train, epochs=1, batch_size=BATCH, verbose=0)

    keras.utils.set_random_seed(0)
    k = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.MaxPooling2D(),
         keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )  # fmt: skip
    k.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    k.fit(images, y_train, epochs=1, batch_size=BATCH, verbose=0)  # trace once

    def keras_epoch():
        k.fit(images, y_train, epochs=1, batch_size=BATCH, verbose=0)

    ours_epochs, keras_epochs = [], []
    for _ in range(7):
        history, _, cpu = _timed(cnn_epoch)
        ours_epochs.append((history.fit_seconds, cpu))  # the training loop's own clock, as for Keras' fit
        keras_epochs.append(_timed(keras_epoch)[1:])
    (t_cnn, c_cnn), (t_keras, c_keras) = _medians(ours_epochs), _medians(keras_epochs)
    return {
        "conv2d_fwd_bwd_s": t_ours,
        "conv2d_fwd_bwd_vs_tf": t_ours / t_tf,
        "conv2d_fwd_bwd_cpu_vs_tf": c_ours / c_tf,
        "conv2d_readable_fwd_bwd_vs_tf": t_readable / t_tf,
        "cnn_epoch_s": t_cnn,
        "keras_cnn_epoch_s": t_keras,
        "cnn_fit_vs_keras": t_cnn / t_keras,
        "cnn_fit_cpu_vs_keras": c_cnn / c_keras,
    }


def _timed(run):
    """``(result, wall seconds, CPU seconds of the whole process — all its threads)`` of ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _medians(pairs) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def speech_benchmarks() -> dict:
    """Chapter 14: seconds of audio featurised per second of compute, and the recognizer's training time."""
    import shutil

    from course_lib import speech, word_recognizer

    if shutil.which("espeak-ng") is None:
        return {}
    wave = speech.synthesize("what is the time", sample_rate=16000)
    speech.features(wave, 16000)
    start, n = time.perf_counter(), 200
    for _ in range(n):
        speech.features(wave, 16000)
    rtf = n * len(wave) / 16000 / (time.perf_counter() - start)
    start = time.perf_counter()
    word_recognizer.train_word_recognizer(seed=0)
    return {"speech_features_realtime_factor": rtf, "word_recognizer_train_s": time.perf_counter() - start}


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
    mnist = mnist_benchmarks()
    print("setup: MNIST subset (4,000 train), 784-256-128-10 relu/softmax, Adam, float32, batch 32, 3 epochs")
    for name, value in mnist.items():
        print(f"{name}: {value:.{4 if name.endswith('_s') else 2}f}")
    print(
        "setup: SimpleRNN 32x50x8 -> 32 units float32; conv2d 32x28x28x8 * 3x3x8x16 float32 (course_lib.conv_fast,"
        " the layers' path; readable: course_lib.conv); CNN Conv2D(8)-MaxPool-Flatten-Dense(10), MNIST subset,"
        " 1 epoch, batch 32; conv2d and CNN: both sides one thread (BLAS 1, TF intra-op 1, inter-op 1), medians of"
        " alternating runs, wall clock (_vs_) and process CPU time (_cpu_vs_)"
    )
    for name, value in conv_benchmarks().items():
        print(f"{name}: {value:.{4 if name.endswith('_s') else 2}f}")
    for name, value in speech_benchmarks().items():
        print(f"{name}: {value:.{1 if name.endswith('_s') else 0}f}")
    print(f"import_course_lib_s: {imp:.3f}")
    print(f"import_course_lib_checks_s: {imp_checks:.3f}")
    print(f"import_loads_tensorflow: {imp_tf or checks_tf}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--conv"]:  # the one-thread child process of conv_benchmarks
        import json

        print(json.dumps(_conv_measurements()))
    else:
        main()
