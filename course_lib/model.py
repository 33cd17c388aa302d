"""A from-scratch multilayer perceptron with Keras' names: ``Dense``, ``Sequential``, ``fit``, ``predict``.

Defined in: Chapter 9, "Training a network end to end".

Everything the earlier chapters built (dense layers, activations,
cross-entropy, backpropagation, Adam) assembled into a model you train with
one call::

    model = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=Adam(learning_rate=1e-3), loss="categorical_crossentropy")
    history = model.fit(X_train, y_train, epochs=10, batch_size=32, validation_data=(X_test, y_test))

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

import time
from numbers import Integral, Real

import numpy as np

from course_lib import optim
from course_lib._validation import as_float_array, check_shape
from course_lib.backprop import dense_backward
from course_lib.datasets import check_labels

CHAPTER = 'Chapter 9, "Training a network end to end"'

ACTIVATIONS = (None, "linear", "relu", "sigmoid", "tanh", "softmax")
INITIALIZERS = ("glorot_uniform", "he_normal", "zeros", "constant")
LOSSES = ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mse")
EPSILON = 1e-7  # Keras' clipping of probabilities inside the cross-entropies


# --------------------------------------------------------------------------
# Initialisation


def glorot_limit(n_in: int, n_out: int) -> float:
    """The Glorot (Xavier) uniform limit sqrt(6 / (n_in + n_out)).

    Defined in: Chapter 9, "Training a network end to end".

    Weights drawn uniformly from [−limit, limit] have variance
    2 / (n_in + n_out), which keeps the size of the signal roughly constant
    from layer to layer, forwards and backwards.
    """
    return float(np.sqrt(6.0 / (n_in + n_out)))


def init_dense(n_in: int, n_out: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Glorot-uniform weights ``W (n_in, n_out)`` and zero biases ``b (n_out,)`` for a dense layer.

    Defined in: Chapter 9, "Training a network end to end".

    The exact recipe (so that a result can be reproduced)::

        rng = np.random.default_rng(seed)
        limit = np.sqrt(6 / (n_in + n_out))
        W = rng.uniform(-limit, limit, size=(n_in, n_out))
        b = np.zeros(n_out)

    Random weights break the symmetry between hidden units; the limit keeps
    their scale sensible.  Biases may start at zero: the weights already
    make every unit different.
    """
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_in + n_out))
    W = rng.uniform(-limit, limit, size=(n_in, n_out))
    return W, np.zeros(n_out)


def softmax_cross_entropy_backward(probs, Y) -> np.ndarray:
    """∂L/∂Z of the mean categorical cross-entropy of a softmax output: ``(probs − Y) / m``.

    Defined in: Chapter 9, "Training a network end to end".

    ``probs`` ``(m, k)`` are the softmax outputs, ``Y`` ``(m, k)`` the one-hot
    targets.  The softmax Jacobian and the derivative of −log cancel so
    neatly that the whole output layer's error signal is "prediction minus
    target", averaged over the batch.  (The sigmoid with binary
    cross-entropy gives the same formula.)
    """
    probs = as_float_array(probs, "probs", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_shape(Y, "Y", probs.shape)
    return (probs - Y) / probs.shape[0]


def max_column_difference(W) -> float:
    """The largest difference between any column of ``W`` and the first one (0.0 ⇔ all units identical).

    Defined in: Chapter 9, "Training a network end to end".

    Column ``j`` of a kernel holds hidden unit ``j``'s incoming weights, so
    this number measures how different the hidden units are.
    """
    W = as_float_array(W, "W", ndim=2)
    return float(np.max(np.abs(W - W[:, :1])))


# --------------------------------------------------------------------------
# The layer


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: stable for any z and keeps the dtype (float32 stays float32).
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softmax(z: np.ndarray) -> np.ndarray:
    # course_lib.activations.softmax without its argument checks (this runs on every batch).
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


#: The activations of the training loop: the formulas of course_lib.activations, minus the
#: per-call argument checks (tests compare them with the checked versions).
_FORWARD = {
    None: lambda z: z,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
}


class Dense:
    """A fully connected layer ``A = activation(X @ W + b)``, named like ``keras.layers.Dense``.

    Defined in: Chapter 9, "Training a network end to end".

    Parameters
    ----------
    units : int
        Number of neurons (columns of the output).
    activation : None, "linear", "relu", "sigmoid", "tanh" or "softmax"
    kernel_initializer : "glorot_uniform" (default), "he_normal", "zeros" or "constant"
        ``he_normal`` draws from N(0, 2 / n_in) (Keras truncates it at two
        standard deviations; the difference does not matter here).
        ``"constant"`` fills the kernel with ``constant_value``: every unit
        then starts identical — the experiment of the chapter.
    constant_value : float, default 0.05
        The value used by ``kernel_initializer="constant"``.

    After :meth:`build`, ``params`` is ``{"W": kernel (n_in, units), "b": bias (units,)}``
    and, after :meth:`backward`, ``grads`` holds arrays of the same shapes.
    """

    def __init__(self, units: int, activation=None, kernel_initializer: str = "glorot_uniform", constant_value=0.05):
        if isinstance(units, bool) or not isinstance(units, Integral) or units < 1:
            raise ValueError(f"units must be a whole number >= 1, got {units!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {ACTIVATIONS}")
        if kernel_initializer not in INITIALIZERS:
            raise ValueError(f"unknown kernel_initializer {kernel_initializer!r}; choose one of {INITIALIZERS}")
        if isinstance(constant_value, bool) or not isinstance(constant_value, Real):
            raise ValueError(f"constant_value must be a number, got {constant_value!r}")
        self.units = int(units)
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.constant_value = float(constant_value)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._f = _FORWARD[activation]
        self._cache: tuple = ()

    @property
    def built(self) -> bool:
        return bool(self.params)

    @property
    def n_in(self) -> int:
        return self.params["W"].shape[0]

    def build(self, n_in: int, rng: np.random.Generator, dtype="float32") -> None:
        """Create the kernel ``W (n_in, units)`` with the layer's initialiser and a zero bias."""
        if isinstance(n_in, bool) or not isinstance(n_in, Integral) or n_in < 1:
            raise ValueError(f"n_in must be a whole number >= 1, got {n_in!r}")
        shape = (int(n_in), self.units)
        if self.kernel_initializer == "glorot_uniform":
            limit = glorot_limit(*shape)
            W = rng.uniform(-limit, limit, size=shape)
        elif self.kernel_initializer == "he_normal":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=shape)
        elif self.kernel_initializer == "zeros":
            W = np.zeros(shape)
        else:
            W = np.full(shape, self.constant_value)
        self.params = {"W": W.astype(dtype), "b": np.zeros(self.units, dtype=dtype)}
        self.grads = {}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``A = activation(X @ W + b)``; remembers ``X`` and ``A`` for :meth:`backward`.

        ``X`` must already be a 2-D array of the layer's dtype
        (:meth:`Sequential.predict` validates what users pass in).
        """
        Z = X @ self.params["W"] + self.params["b"]
        A = self._f(Z)
        self._cache = (X, Z, A)
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        """From ``dA = ∂L/∂A`` compute ``dZ``, the gradients ``grads["W"], grads["b"]``, and return ``dX``.

        The activation's derivative turns ``dA`` into ``dZ``, then
        :func:`course_lib.backprop.dense_backward` does the rest.
        """
        X, Z, A = self._cache
        act = self.activation
        if act == "relu":
            dZ = dA * (Z > 0)
        elif act == "sigmoid":
            dZ = dA * A * (1.0 - A)
        elif act == "tanh":
            dZ = dA * (1.0 - A * A)
        elif act == "softmax":  # the softmax Jacobian applied to dA, row by row
            dZ = A * (dA - np.sum(dA * A, axis=1, keepdims=True))
        else:
            dZ = dA
        return self.backward_from_dZ(dZ, need_dX)

    def backward_from_dZ(self, dZ: np.ndarray, need_dX: bool = True):
        """Like :meth:`backward` when ``dZ = ∂L/∂Z`` is already known (the fused softmax + cross-entropy).

        The first layer of a network needs no ``dX`` (nothing comes before
        it), so ``need_dX=False`` skips that matrix product — the same
        formulas as ``dense_backward``, one product fewer.
        """
        X = self._cache[0]
        W = self.params["W"]
        if need_dX:
            dX, dW, db = dense_backward(dZ, X, W)
        else:
            dX, dW, db = None, X.T @ dZ, dZ.sum(axis=0)
        self.grads = {"W": dW, "b": db}
        return dX

    def count_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        return f"Dense({self.units}, activation={self.activation!r})"


# --------------------------------------------------------------------------
# The optimiser step of the training loop


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
    """What ``fit`` returns, like Keras' ``History``: ``history`` maps a metric name to its value per epoch."""

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.fit_seconds = 0.0

    def _append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class Sequential:
    """A stack of :class:`Dense` layers trained by backpropagation, with Keras' method names.

    Defined in: Chapter 9, "Training a network end to end".

    Parameters
    ----------
    layers : list of Dense
    input_dim : int, optional
        Number of input features.  When omitted the model is built on the
        first call of ``fit``/``predict`` from the width of ``X``.
    seed : int, default 0
        Seeds the initial weights and the shuffling of every epoch: the same
        seed gives the same model, the same training and the same numbers.
    dtype : "float32" (default) or "float64"
    """

    def __init__(self, layers, input_dim: int | None = None, seed: int = 0, dtype="float32"):
        layers = list(layers)
        if not layers or not all(isinstance(layer, Dense) for layer in layers):
            raise ValueError("layers must be a non-empty list of Dense layers")
        if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        self.layers = layers
        self.seed = int(seed)
        self.dtype = np.dtype(dtype)
        self.optimizer = None
        self.loss = None
        self._shuffle_rng = np.random.default_rng([self.seed, 1])
        if input_dim is not None:
            self.build(input_dim)

    # --- building and weights ------------------------------------------

    @property
    def built(self) -> bool:
        return self.layers[0].built

    def build(self, input_dim: int) -> None:
        """Create every layer's weights (from the model's seed) for ``input_dim`` input features."""
        rng = np.random.default_rng(self.seed)
        n_in = input_dim
        for layer in self.layers:
            layer.build(n_in, rng, self.dtype)
            n_in = layer.units
        self.params = {}
        for i, layer in enumerate(self.layers, start=1):
            self.params[f"W{i}"] = layer.params["W"]
            self.params[f"b{i}"] = layer.params["b"]

    def _require_built(self) -> None:
        if not self.built:
            raise RuntimeError("the model has no weights yet: pass input_dim=..., call build(), fit() or predict()")

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in Keras' order: ``[W1, b1, W2, b2, ...]`` (kernel, bias per layer)."""
        self._require_built()
        return [p.copy() for layer in self.layers for p in (layer.params["W"], layer.params["b"])]

    def set_weights(self, weights) -> None:
        """Overwrite the weights from a list in Keras' order (e.g. ``keras_model.get_weights()``)."""
        self._require_built()
        weights = list(weights)
        targets = [p for layer in self.layers for p in (layer.params["W"], layer.params["b"])]
        if len(weights) != len(targets):
            raise ValueError(
                f"weights must be a list of {len(targets)} arrays (kernel, bias per layer), got {len(weights)}"
            )
        for i, (target, new) in enumerate(zip(targets, weights)):
            new = as_float_array(new, f"weights[{i}]")
            check_shape(new, f"weights[{i}]", target.shape)
            target[...] = new  # in place: the optimiser keeps tracking the same arrays

    def count_params(self) -> int:
        """Number of trainable numbers: Σ (n_in·units + units) over the layers."""
        self._require_built()
        return sum(layer.count_params() for layer in self.layers)

    def summary(self) -> None:
        """Print one line per layer (output shape, number of parameters), like Keras' ``summary()``."""
        self._require_built()
        lines = [f"{'Layer':<28}{'Output shape':<18}{'Param #':>10}", "=" * 56]
        for i, layer in enumerate(self.layers, start=1):
            name = f"dense_{i} ({layer.activation or 'linear'})"
            lines.append(f"{name:<28}{f'(None, {layer.units})':<18}{layer.count_params():>10,}")
        lines += ["=" * 56, f"Total params: {self.count_params():,}  (dtype {self.dtype.name})"]
        print("\n".join(lines))

    # --- compiling ------------------------------------------------------

    def compile(self, optimizer="adam", loss: str = "categorical_crossentropy") -> None:
        """Choose the optimiser (``"adam"``, ``"sgd"`` or an instance of ``course_lib.optim.Adam``/``SGD``) and the loss.

        ``"categorical_crossentropy"`` needs a softmax output and accepts
        integer labels ``(m,)`` (one-hot encoded internally) or one-hot rows;
        ``"binary_crossentropy"`` needs one sigmoid unit; ``"mse"`` works
        with any output.  For the two cross-entropies the output layer's
        error is the fused ``(A − Y) / m``.
        """
        if isinstance(optimizer, str):
            names = {"adam": optim.Adam, "sgd": optim.SGD}
            if optimizer.lower() not in names:
                raise ValueError(f"unknown optimizer {optimizer!r}; use 'adam', 'sgd' or an optimizer object")
            optimizer = names[optimizer.lower()]()
        elif not callable(getattr(optimizer, "apply", None)):
            raise ValueError(
                f"optimizer must be 'adam', 'sgd' or have an apply(params, grads) method, got {optimizer!r}"
            )
        if loss == "sparse_categorical_crossentropy":
            loss = "categorical_crossentropy"
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {LOSSES}")
        last = self.layers[-1]
        if loss == "categorical_crossentropy" and last.activation != "softmax":
            raise ValueError("loss='categorical_crossentropy' needs a softmax output layer")
        if loss == "binary_crossentropy" and (last.activation != "sigmoid" or last.units != 1):
            raise ValueError("loss='binary_crossentropy' needs an output layer Dense(1, activation='sigmoid')")
        self.optimizer = optimizer
        self.loss = loss

    # --- data -------------------------------------------------------------

    def _check_X(self, X) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        if not self.built:
            self.build(X.shape[1])
        n_in = self.layers[0].n_in
        if X.shape[1] != n_in:
            raise ValueError(f"X must have shape (m, {n_in}) for this model, got {X.shape}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def _targets(self, y, m: int) -> np.ndarray:
        """The targets as a float array shaped like the output ``(m, k)``."""
        k = self.layers[-1].units
        arr = np.asarray(y)
        if arr.ndim == 0 or arr.shape[0] != m:
            raise ValueError(f"y must have {m} entries, one per row of X, got shape {arr.shape}")
        if self.loss == "categorical_crossentropy" and arr.ndim == 1:
            labels = check_labels(arr, "y")
            if labels.min() < 0 or labels.max() >= k:
                raise ValueError(f"y must hold labels 0 .. {k - 1} for a softmax of {k} units")
            Y = np.zeros((m, k), dtype=self.dtype)
            Y[np.arange(m), labels] = 1.0
            return Y
        Y = as_float_array(arr, "y", ndim=(1, 2))
        if Y.ndim == 1:
            Y = Y[:, None]
        check_shape(Y, "y", (m, k))
        return np.ascontiguousarray(Y, dtype=self.dtype)

    # --- the computations -------------------------------------------------

    def _forward(self, X: np.ndarray) -> np.ndarray:
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def _loss_value(self, A: np.ndarray, Y: np.ndarray) -> float:
        """The mean loss of outputs ``A`` against targets ``Y`` (as Keras computes it)."""
        if self.loss == "categorical_crossentropy":
            return float(-np.sum(Y * np.log(np.clip(A, EPSILON, 1.0 - EPSILON))) / A.shape[0])
        if self.loss == "binary_crossentropy":
            P = np.clip(A, EPSILON, 1.0 - EPSILON)
            return float(-np.mean(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P)))
        return float(np.mean((A - Y) ** 2))

    def _n_correct(self, A: np.ndarray, Y: np.ndarray) -> int:
        if A.shape[1] == 1:
            return int(np.sum((A > 0.5) == (Y > 0.5)))
        return int(np.sum(A.argmax(axis=1) == Y.argmax(axis=1)))

    def _backward(self, A: np.ndarray, Y: np.ndarray) -> None:
        """Backpropagate the loss of outputs ``A`` against ``Y``; fills every layer's ``grads``."""
        m = A.shape[0]
        last = len(self.layers) - 1
        if self.loss == "mse":  # Keras: mean over outputs, then over samples
            dX = self.layers[-1].backward(2.0 * (A - Y) / (m * A.shape[1]), need_dX=last > 0)
        else:  # softmax + categorical or sigmoid + binary cross-entropy: dZ = (A − Y) / m
            dX = self.layers[-1].backward_from_dZ((A - Y) / m, need_dX=last > 0)
        for i in range(last - 1, -1, -1):
            dX = self.layers[i].backward(dX, need_dX=i > 0)

    def _grads(self) -> dict[str, np.ndarray]:
        grads = {}
        for i, layer in enumerate(self.layers, start=1):
            grads[f"W{i}"] = layer.grads["W"]
            grads[f"b{i}"] = layer.grads["b"]
        return grads

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

    # --- the Keras-like interface -----------------------------------------

    def fit(self, X, y, epochs: int = 1, batch_size: int = 32, validation_data=None, verbose: int = 1, shuffle=True):
        """Train with mini-batch gradient descent; returns a :class:`History`.

        One *iteration* updates the weights from one batch of ``batch_size``
        samples; one *epoch* is ⌈m / batch_size⌉ iterations, one pass over the
        (reshuffled) training set.  After each epoch the history records the
        mean training loss and accuracy over that epoch's batches (as Keras
        reports them) and, with ``validation_data=(X_val, y_val)``, the
        validation loss and accuracy.  ``verbose=1`` shows a progress bar
        (tqdm, removed when done); ``verbose=0`` prints nothing.
        """
        self._require_compiled()
        for name, value in (("epochs", epochs), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        X = self._check_X(X)
        m = X.shape[0]
        Y = self._targets(y, m)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val)")
            X_val = self._check_X(validation_data[0])
            Y_val = self._targets(validation_data[1], X_val.shape[0])
        history = History()
        bar = None
        if verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs, desc="training", unit="epoch", leave=False)
        params, optimizer, layers = self.params, self.optimizer, self.layers
        start = time.perf_counter()
        for epoch in range(epochs):
            order = self._shuffle_rng.permutation(m) if shuffle else None
            total_loss, correct = 0.0, 0
            for first in range(0, m, batch_size):
                if order is None:
                    Xb, Yb = X[first : first + batch_size], Y[first : first + batch_size]
                else:
                    idx = order[first : first + batch_size]
                    Xb, Yb = X[idx], Y[idx]
                A = Xb
                for layer in layers:
                    A = layer.forward(A)
                total_loss += self._loss_value(A, Yb) * A.shape[0]
                correct += self._n_correct(A, Yb)
                self._backward(A, Yb)
                _apply_update(optimizer, params, self._grads())
            logs = {"loss": total_loss / m, "accuracy": correct / m}
            if validation_data is not None:
                A_val = self._forward(X_val)
                logs["val_loss"] = self._loss_value(A_val, Y_val)
                logs["val_accuracy"] = self._n_correct(A_val, Y_val) / X_val.shape[0]
            history._append(epoch, logs)
            if bar is not None:
                bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
                bar.update(1)
        history.fit_seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
        return history

    def predict(self, X) -> np.ndarray:
        """The network's outputs for ``X (m, n_in)``: class probabilities ``(m, k)`` for a softmax model."""
        return self._forward(self._check_X(X))

    def evaluate(self, X, y) -> tuple[float, float]:
        """``(loss, accuracy)`` on ``(X, y)``, like Keras' ``evaluate`` with ``metrics=["accuracy"]``."""
        self._require_compiled()
        X = self._check_X(X)
        Y = self._targets(y, X.shape[0])
        A = self._forward(X)
        return self._loss_value(A, Y), self._n_correct(A, Y) / X.shape[0]

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, seed={self.seed}, dtype={self.dtype.name!r})"


def to_keras(model: Sequential, dtype: str | None = None):
    """A Keras model with the same architecture and a copy of ``model``'s weights (TensorFlow imported here).

    Defined in: Chapter 9, "Training a network end to end".

    ``keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation), ...])``
    then ``set_weights(model.get_weights())``: both models now compute the
    same function.  ``dtype`` defaults to the model's.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    model._require_built()
    dtype = dtype or model.dtype.name
    clone = keras.Sequential(
        [keras.Input((model.layers[0].n_in,), dtype=dtype)]
        + [keras.layers.Dense(layer.units, activation=layer.activation, dtype=dtype) for layer in model.layers]
    )
    clone.set_weights(model.get_weights())
    return clone


__all__ = [
    "Dense",
    "History",
    "Sequential",
    "glorot_limit",
    "init_dense",
    "max_column_difference",
    "softmax_cross_entropy_backward",
    "to_keras",
]
