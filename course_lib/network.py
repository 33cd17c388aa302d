"""A stack of layers: building it, its weights, and the forward pass.

Defined in: Chapter 9, "Training a network end to end".

:class:`Network` is the part of a model that does not depend on how it is
trained: the layers, their initial weights (seeded), ``get_weights`` /
``set_weights`` in Keras' order, ``summary`` and the forward pass.
:class:`course_lib.model.Sequential` adds Keras' training interface
(``compile``, ``fit``, ``evaluate``, ``predict``).
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape, check_whole
from course_lib.layer import Layer, as_shape


def two_layer_gradients(X, Y, params) -> dict:
    """Gradients of the mean categorical cross-entropy of a ReLU → softmax network with one hidden layer.

    Defined in: Chapter 9, "Training a network end to end".

    The backward pass of the training loop, written out for ``X (m, n)``,
    one-hot ``Y (m, k)`` and ``params`` with ``W1 (n, h)``, ``b1 (h,)``,
    ``W2 (h, k)``, ``b2 (k,)``: forward (Z1, A1 = ReLU(Z1), softmax output A2),
    then dZ2 = (A2 − Y) / m, dW2 = A1ᵀ dZ2, db2 = Σ dZ2, dZ1 = (dZ2 W2ᵀ) ⊙ [Z1 > 0],
    dW1 = Xᵀ dZ1, db1 = Σ dZ1.  Returns a dict with the keys and shapes of ``params``.
    """
    from course_lib.activations import relu, softmax

    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1, b1 = as_float_array(params["W1"], "W1", ndim=2), as_float_array(params["b1"], "b1", ndim=1)
    W2, b2 = as_float_array(params["W2"], "W2", ndim=2), as_float_array(params["b2"], "b2", ndim=1)
    n, h = W1.shape
    k = W2.shape[1]
    check_shape(X, "X", (None, n))
    check_shape(Y, "Y", (X.shape[0], k))
    check_shape(b1, "b1", (h,))
    check_shape(W2, "W2", (h, k))
    check_shape(b2, "b2", (k,))
    Z1 = X @ W1 + b1
    A1 = relu(Z1)
    A2 = softmax(A1 @ W2 + b2)
    dZ2 = (A2 - Y) / X.shape[0]
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


class Network:
    """Layers, weights and the forward pass of a from-scratch model (see :class:`course_lib.model.Sequential`).

    Defined in: Chapter 9, "Training a network end to end".
    """

    def __init__(self, layers=None, input_dim=None, seed: int = 0, dtype="float32", input_shape=None):
        layers = [] if layers is None else list(layers)
        for n, layer in enumerate(layers):
            self._check_layer(layer, layers[:n])
        self.seed = check_whole(seed, "seed", minimum=0)
        if str(dtype) not in ("float32", "float64", "<class 'numpy.float32'>", "<class 'numpy.float64'>"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        self.layers = layers
        self.dtype = np.dtype(dtype)
        self.optimizer = None
        self.loss = None
        self.metrics: tuple[str, ...] = ()
        self.params: dict[str, np.ndarray] = {}
        self.input_shape: tuple[int, ...] | None = None
        self._shuffle_rng = np.random.default_rng([self.seed, 1])
        if input_dim is not None and input_shape is not None:
            raise ValueError("pass input_dim (flat inputs) or input_shape (e.g. images), not both")
        if input_dim is not None or input_shape is not None:
            self.build(input_dim if input_shape is None else input_shape)

    @staticmethod
    def _check_layer(layer, below=()) -> None:
        if not isinstance(layer, Layer):
            kind = type(layer).__module__.split(".")[0]
            extra = " (a Keras layer cannot be mixed into a course_lib model)" if kind == "keras" else ""
            raise ValueError(f"layers must be course_lib layers (Dense, Conv2D, ...), got {layer!r}{extra}")
        if any(other.name == layer.name for other in below):  # Keras' rule and message
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name {layer.name!r} is already "
                "the name of a layer in this model. Update the `name` argument to pass a unique name."
            )

    def add(self, layer) -> None:
        """Append ``layer`` on top of the stack, like Keras' ``Sequential.add``: on a built model the
        earlier layers keep their weights and only the new one is built, from the previous output shape."""
        self._check_layer(layer, self.layers)
        built = self.built  # before the append: an unbuilt layer on top makes the model "unbuilt"
        self.layers.append(layer)
        if built:
            rng = np.random.default_rng([self.seed, len(self.layers)])
            layer.build(self.layers[-2].output_shape, rng, self.dtype)
            self._collect_params()

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    def build(self, input_shape) -> None:
        """Create every layer's weights (from the model's seed) for samples of shape ``input_shape``.

        An int ``n`` means flat samples of ``n`` features; images are ``(H, W, C)``.
        """
        self._require_layers()
        rng = np.random.default_rng(self.seed)
        shape = as_shape(input_shape)
        self.input_shape = shape
        for layer in self.layers:
            layer.build(shape, rng, self.dtype)
            shape = layer.output_shape
        self._collect_params()

    def _collect_params(self) -> None:
        """``params``: every layer's arrays under the book's names ``W1, b1, W2, b2, ...``."""
        self.params = {
            f"{key}{i}": arr for i, layer in enumerate(self.layers, start=1) for key, arr in layer.params.items()
        }

    def _require_layers(self) -> None:
        if not self.layers:
            raise RuntimeError("the model has no layers yet: pass a list of layers or call add()")

    def _require_built(self) -> None:
        self._require_layers()
        if not self.built:
            raise RuntimeError("the model has no weights yet: pass input_dim=..., call build(), fit() or predict()")

    def _weights(self) -> list[np.ndarray]:
        return [arr for layer in self.layers for arr in layer.params.values()]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in Keras' order: ``[W1, b1, W2, b2, ...]`` (kernel, then bias if any, per layer)."""
        self._require_built()
        return [p.copy() for p in self._weights()]

    def set_weights(self, weights) -> None:
        """Overwrite the weights from a list in Keras' order (e.g. ``keras_model.get_weights()``)."""
        self._require_built()
        weights = list(weights)
        targets = self._weights()
        if len(weights) != len(targets):
            raise ValueError(
                f"weights must be a list of {len(targets)} arrays (kernel, bias per layer), got {len(weights)}"
            )
        for i, (target, new) in enumerate(zip(targets, weights)):
            new = as_float_array(new, f"weights[{i}]")
            check_shape(new, f"weights[{i}]", target.shape)
            target[...] = new  # in place: the optimiser keeps tracking the same arrays

    def count_params(self) -> int:
        """Number of trainable numbers, summed over the layers."""
        self._require_built()
        return sum(layer.count_params() for layer in self.layers)

    def summary(self) -> None:
        """Print one line per layer (Keras' name and type, output shape, parameters), like Keras' ``summary()``."""
        self._require_built()
        lines = [f"{'Layer (type)':<32}{'Output shape':<18}{'Param #':>10}", "=" * 60]
        for layer in self.layers:
            shape = "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
            lines.append(f"{f'{layer.name} ({type(layer).__name__})':<32}{shape:<18}{layer.count_params():>10,}")
        lines += ["=" * 60, f"Total params: {self.count_params():,}  (dtype {self.dtype.name})"]
        print("\n".join(lines))

    def _check_X(self, X) -> np.ndarray:
        self._require_layers()
        if self.built:
            X = as_float_array(X, "X", ndim=1 + len(self.input_shape))
        else:
            X = as_float_array(X, "X")
            if X.ndim < 2:
                raise ValueError(f"X must be a batch, one sample per row: at least 2-D, got shape {X.shape}")
            self.build(X.shape[1:])
        if X.shape[1:] != self.input_shape:
            wanted = ", ".join(map(str, self.input_shape))
            raise ValueError(f"X must have shape (m, {wanted}) for this model, got {X.shape}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def _grads(self) -> dict[str, np.ndarray]:
        return {f"{key}{i}": arr for i, layer in enumerate(self.layers, start=1) for key, arr in layer.grads.items()}
