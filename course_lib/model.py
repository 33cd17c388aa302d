"""A from-scratch multilayer perceptron with Keras' names: ``Dense``, ``Sequential``, ``fit``, ``predict``.

Defined in: Chapter 9, "Training a network end to end".

Everything the earlier chapters built (dense layers, activations,
cross-entropy, backpropagation, Adam) assembled into a model you train with
one call::

    model = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=Adam(learning_rate=1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=10, batch_size=32, validation_split=0.1)

``Dense`` lives in :mod:`course_lib.dense`, the initial weights in
:mod:`course_lib.initializers`.

The names and the order of the weights match Keras 3, so
``keras_model.set_weights(model.get_weights())`` copies a trained model into
Keras (see :func:`to_keras`).

Floating-point type
-------------------
Models compute in ``float32`` by default, like Keras: it halves the memory
traffic of every matrix product and makes training about twice as fast, and
its ~7 significant digits are far more than gradient descent needs.  Pass
``dtype="float64"`` to compare with Keras or finite differences to 1e-6
(the tests do).

Only numpy is imported at the top; ``tqdm`` (the progress bar) is imported
when ``fit`` shows one, and TensorFlow only inside :func:`to_keras`.
"""

from __future__ import annotations

import math
import time
from numbers import Real

import numpy as np

from course_lib import optim
from course_lib._validation import as_float_array, check_shape, check_whole
from course_lib.datasets import check_labels
from course_lib.losses import output_loss
from course_lib.metrics import count_correct
from course_lib.network import Network

CHAPTER = 'Chapter 9, "Training a network end to end"'

LOSSES = ("categorical_crossentropy", "binary_crossentropy", "mse")
#: Other names Keras accepts for the same losses.
LOSS_ALIASES = {
    "sparse_categorical_crossentropy": "categorical_crossentropy",
    "mean_squared_error": "mse",
}
#: Keras' two names for the accuracy; the history uses the name you chose ("acc" → "acc", "val_acc").
METRICS = ("accuracy", "acc")


def _apply_update(optimizer, params: dict, grads: dict) -> None:
    """One optimiser step inside ``fit``.

    ``fit`` has validated the data and owns the parameter arrays, so it uses
    the course optimisers' unchecked :meth:`~course_lib.optim.SGD.update`
    (re-checking every dict on every batch costs more than the arithmetic of
    a small network); any other optimiser object is simply ``apply``-ed.
    """
    if isinstance(optimizer, (optim.SGD, optim.Adam)):
        optimizer.update(params, grads)
    else:
        optimizer.apply(params, grads)


# --------------------------------------------------------------------------
# The model


class History:
    """What ``fit`` returns, like Keras' ``History``: ``history`` maps a metric name to its value per epoch,
    ``params`` is ``{"verbose", "epochs", "steps"}`` (steps: batches per epoch), ``model`` the trained model."""

    def __init__(self, model=None, params: dict | None = None):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.model = model
        self.params = {} if params is None else dict(params)
        self.fit_seconds = 0.0

    def _append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class Sequential(Network):
    """A stack of :class:`Dense` layers trained by backpropagation, with Keras' method names.

    Defined in: Chapter 9, "Training a network end to end".

    Parameters
    ----------
    layers : list of Dense, optional
        The layers, first to last; more can be appended with :meth:`add`.
    input_dim : int, optional
        Number of input features.  When omitted the model is built on the
        first call of ``fit``/``predict`` from the width of ``X``.
    seed : int, default 0
        Seeds the initial weights and the shuffling of every epoch: the same
        seed gives the same model, the same training and the same numbers.
    dtype : "float32" (default) or "float64"

    Notes
    -----
    As in Keras, every argument of ``fit``/``evaluate``/``predict`` after
    ``X`` and ``y`` is keyword-only (``fit(X, y, 8, 3)`` would be ambiguous).
    """

    def compile(self, optimizer="adam", loss: str = "categorical_crossentropy", metrics=None) -> None:
        """Choose the optimiser, the loss and the metrics, like Keras' ``compile``.

        ``optimizer`` is ``"adam"``, ``"sgd"`` or an instance of
        ``course_lib.optim.Adam``/``SGD``.  ``loss`` is
        ``"categorical_crossentropy"`` (softmax output; integer labels
        ``(m,)`` or ``(m, 1)``, or one-hot rows; alias
        ``"sparse_categorical_crossentropy"``), ``"binary_crossentropy"`` (one
        sigmoid unit) or ``"mse"`` (alias ``"mean_squared_error"``, any
        output).  ``metrics=["accuracy"]`` (or ``["acc"]``, then the history
        keys are ``acc`` and ``val_acc``, as in Keras) adds the accuracy to
        ``fit``'s history and to ``evaluate``; it needs class targets.
        """
        self._require_layers()
        self.optimizer = self._optimizer(optimizer)
        if not isinstance(loss, str):
            raise ValueError(f"loss must be the name of a loss, one of {LOSSES}, got {loss!r}")
        loss = LOSS_ALIASES.get(loss, loss)
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {LOSSES + tuple(LOSS_ALIASES)}")
        last = self.layers[-1]
        if loss == "categorical_crossentropy" and last.activation != "softmax":
            raise ValueError("loss='categorical_crossentropy' needs a softmax output layer")
        if loss == "binary_crossentropy" and (last.activation != "sigmoid" or getattr(last, "units", 0) != 1):
            raise ValueError("loss='binary_crossentropy' needs an output layer Dense(1, activation='sigmoid')")
        metrics = [] if metrics is None else metrics
        if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
            raise ValueError(f"metrics must be a list of names such as ['accuracy'], got {metrics!r}")
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; this model supports {list(METRICS)}")
        self.loss = loss
        self.metrics = tuple(metrics)

    @staticmethod
    def _optimizer(optimizer):
        if isinstance(optimizer, str):
            names = {"adam": optim.Adam, "sgd": optim.SGD}
            if optimizer.lower() not in names:
                raise ValueError(f"unknown optimizer {optimizer!r}; use 'adam', 'sgd' or an optimizer object")
            return names[optimizer.lower()]()
        if type(optimizer).__module__.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
            raise ValueError(
                f"{type(optimizer).__name__} is a Keras optimizer: it updates TensorFlow variables, not the numpy"
                " arrays of a course_lib model. Use course_lib.optim.Adam(learning_rate=...) or"
                " course_lib.optim.SGD(...), or the name 'adam' / 'sgd'."
            )
        if not callable(getattr(optimizer, "apply", None)):
            raise ValueError(
                f"optimizer must be 'adam', 'sgd' or have an apply(params, grads) method, got {optimizer!r}"
            )
        return optimizer

    def _targets(self, y, m: int) -> np.ndarray:
        """The targets as a float array shaped like the output: ``(m, k)``, or ``(m, T, k)`` for sequences.

        Class labels (``categorical_crossentropy``) may come without the last
        axis, ``(m,)`` or ``(m, T)``, or with a last axis of 1; other
        targets may omit a last axis of 1, as Keras allows.
        """
        out = (m,) + self.layers[-1].output_shape
        if y is None or isinstance(y, (str, bytes)):
            raise ValueError(f"y must be an array of {m} targets, got {y!r}")
        arr = np.asarray(y)
        if arr.ndim == 0 or arr.shape[0] != m:
            raise ValueError(f"y must have {m} entries, one per row of X, got shape {arr.shape}")
        k = out[-1]
        if self.loss == "categorical_crossentropy" and arr.shape == out[:-1] + (1,) and k > 1:
            arr = arr[..., 0]  # labels (m, 1), as Keras' sparse loss accepts them
        if self.loss == "categorical_crossentropy" and arr.shape == out[:-1]:
            labels = check_labels(arr.reshape(-1), "y").reshape(arr.shape)
            if labels.min() < 0 or labels.max() >= k:
                raise ValueError(f"y must hold labels 0 .. {k - 1} for a softmax of {k} units")
            return np.eye(k, dtype=self.dtype)[labels]
        Y = as_float_array(arr, "y")
        if Y.shape == out[:-1] and k == 1:
            Y = Y[..., None]
        check_shape(Y, "y", out)
        if self.loss == "binary_crossentropy" and not np.all((Y >= 0) & (Y <= 1)):
            raise ValueError("binary_crossentropy needs targets in [0, 1] (labels 0 and 1)")
        if self.metrics and self.loss == "mse" and not np.all(np.isin(Y, (0.0, 1.0))):
            raise ValueError(
                "metrics=['accuracy'] needs class targets (0 or 1, or one-hot rows); these targets are"
                " real numbers (a regression), where accuracy means nothing: compile without metrics"
            )
        return np.ascontiguousarray(Y, dtype=self.dtype)

    def _loss_value(self, A: np.ndarray, Y: np.ndarray) -> float:
        """The mean loss of the latest forward pass, outputs ``A``, against ``Y``, as Keras computes it.

        The cross-entropies come from the output layer's logits
        (:func:`course_lib.losses.output_loss`).
        """
        return output_loss(self.loss, A, None if self.loss == "mse" else self.layers[-1].logits, Y)

    def _backward(self, A: np.ndarray, Y: np.ndarray) -> None:
        """Backpropagate the loss of outputs ``A`` against ``Y``; fills every layer's ``grads``.

        The mean is over every output for MSE and binary cross-entropy, over
        every prediction (sample, or sample and time step) for the
        categorical one: that count divides the gradient.
        """
        last = len(self.layers) - 1
        if self.loss == "mse":
            dX = self.layers[-1].backward(2.0 * (A - Y) / A.size, need_dX=last > 0)
        else:  # softmax + categorical or sigmoid + binary cross-entropy: dZ = (A − Y) / n
            n = A.size // A.shape[-1] if self.loss == "categorical_crossentropy" else A.size
            dX = self.layers[-1].backward_from_dZ((A - Y) / n, need_dX=last > 0)
        for i in range(last - 1, -1, -1):
            dX = self.layers[i].backward(dX, need_dX=i > 0)

    def compute_gradients(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """The mean loss on ``(X, y)`` and its gradient for every parameter (keys ``W1, b1, ...``), without updating."""
        self._require_compiled()
        X = self._check_X(X)
        Y = self._targets(y, X.shape[0])
        A = self._forward(X)
        loss = self._loss_value(A, Y)
        self._backward(A, Y)
        return loss, {k: v.copy() for k, v in self._grads().items()}

    def _require_compiled(self) -> None:
        if self.loss is None:
            raise RuntimeError("call compile(optimizer=..., loss=...) first")

    def _logs(self, A: np.ndarray, Y: np.ndarray, prefix: str = "") -> dict[str, float]:
        logs = {f"{prefix}loss": self._loss_value(A, Y)}
        if self.metrics:
            correct, total = count_correct(A, Y)
            logs.update({f"{prefix}{name}": correct / total for name in self.metrics})
        return logs

    def fit(
        self,
        X,
        y,
        *,
        epochs: int = 1,
        batch_size: int = 32,
        validation_data=None,
        validation_split: float = 0.0,
        verbose: int = 1,
        shuffle: bool = True,
    ):
        """Train with mini-batch gradient descent; returns a :class:`History`.

        One *iteration* updates the weights from one batch of ``batch_size``
        samples; one *epoch* is ⌈m / batch_size⌉ iterations, one pass over the
        (reshuffled) training set.  After each epoch the history records the
        mean training loss (and, with ``metrics=["accuracy"]``, accuracy) over
        that epoch's batches, as Keras reports them, and the same on the
        validation data: ``validation_data=(X_val, y_val)``, or
        ``validation_split=0.2`` to hold out the *last* 20 % of ``X, y``
        before shuffling, exactly as Keras does (the first ⌊0.8·m⌋ samples
        train, the other m − ⌊0.8·m⌋ validate).  ``verbose=1`` shows a
        progress bar (tqdm, removed when done); ``verbose=0`` prints nothing.

        The loop runs with one BLAS thread (threadpoolctl): for layers of this
        size that is as fast as several, and a second notebook running beside
        it no longer halves the speed of both.
        """
        self._require_compiled()
        epochs, batch_size = check_whole(epochs, "epochs"), check_whole(batch_size, "batch_size")
        if isinstance(validation_split, bool) or not isinstance(validation_split, Real):
            raise ValueError(f"validation_split must be a number in [0, 1), got {validation_split!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
        if validation_split and validation_data is not None:
            raise ValueError("pass validation_data or validation_split, not both")
        X = self._check_X(X)
        Y = self._targets(y, X.shape[0])
        if validation_split:  # Keras: the first ⌊m·(1 − split)⌋ samples train, the rest validate
            m = X.shape[0]
            n_train = math.floor(m * (1.0 - validation_split))
            if n_train in (0, m):
                raise ValueError(
                    f"validation_split={validation_split} of {m} samples leaves {n_train} for training and"
                    f" {m - n_train} for validation; both need at least one (Keras refuses this split too)"
                )
            X, X_val, Y, Y_val = X[:n_train], X[n_train:], Y[:n_train], Y[n_train:]
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0])
            Y_val = self._targets(validation_data[1], X_val.shape[0])
        validate = bool(validation_split) or validation_data is not None
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return self._train(X, Y, epochs, batch_size, (X_val, Y_val) if validate else None, verbose, shuffle)

    def _train(self, X, Y, epochs, batch_size, validation, verbose, shuffle) -> History:
        m = X.shape[0]
        history = History(self, {"verbose": verbose, "epochs": epochs, "steps": math.ceil(m / batch_size)})
        bar = None
        if verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs, desc="training", unit="epoch", leave=False)
        params, optimizer = self.params, self.optimizer
        start = time.perf_counter()
        for epoch in range(epochs):
            order = self._shuffle_rng.permutation(m) if shuffle else None
            total_loss, correct, total = 0.0, 0, 0
            for first in range(0, m, batch_size):
                if order is None:
                    Xb, Yb = X[first : first + batch_size], Y[first : first + batch_size]
                else:
                    idx = order[first : first + batch_size]
                    Xb, Yb = X[idx], Y[idx]
                A = self._forward(Xb)
                total_loss += self._loss_value(A, Yb) * A.shape[0]
                if self.metrics:
                    hits, n = count_correct(A, Yb)
                    correct, total = correct + hits, total + n
                self._backward(A, Yb)
                _apply_update(optimizer, params, self._grads())
            logs = {"loss": total_loss / m} | {name: correct / total for name in self.metrics}
            if validation is not None:
                logs.update(self._logs(self._forward(validation[0]), validation[1], prefix="val_"))
            history._append(epoch, logs)
            if bar is not None:
                bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
                bar.update(1)
        history.fit_seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
        return history

    def predict(self, X, *, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """The network's outputs for ``X (m, n_in)``: class probabilities ``(m, k)`` for a softmax model.

        ``batch_size`` and ``verbose`` are accepted for Keras compatibility;
        the whole of ``X`` goes through in one pass and nothing is printed.
        """
        if batch_size is not None:
            check_whole(batch_size, "batch_size")
        return self._forward(self._check_X(X))

    def __call__(self, X) -> np.ndarray:
        """``model(X)`` is ``model.predict(X)``, as in Keras."""
        return self.predict(X)

    def evaluate(self, X, y, *, batch_size: int | None = None, verbose: int = 0):
        """The loss on ``(X, y)`` — or ``[loss, accuracy]`` with ``metrics=["accuracy"]`` — like Keras' ``evaluate``."""
        self._require_compiled()
        if batch_size is not None:
            check_whole(batch_size, "batch_size")
        X = self._check_X(X)
        Y = self._targets(y, X.shape[0])
        logs = self._logs(self._forward(X), Y)
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, seed={self.seed}, dtype={self.dtype.name!r})"


__all__ = ["History", "Sequential"]
