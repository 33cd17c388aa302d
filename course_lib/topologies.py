"""Network topologies as graphs: the layered feed-forward network and the five classic topologies.

Defined in: Chapter 5, "Layers and forward propagation".

Plain data (nodes, edges, which edges are recurrent) that
:mod:`course_lib.figures.ch05` draws.
"""

from __future__ import annotations

TOPOLOGIES = (
    "single-layer feed-forward",
    "multilayer feed-forward",
    "single node with its own feedback",
    "single-layer recurrent",
    "multilayer recurrent",
)


def layered_graph(layer_sizes) -> dict:
    """Node positions and edges of a fully connected feed-forward network.

    Defined in: Chapter 5, "Layers and forward propagation".

    Returns ``{"nodes": {name: (x, y)}, "edges": [(src, dst, kind)], "layers": [[names]]}``.
    Layer l sits at x = l, its nodes spread vertically around y = 0; nodes
    are called ``"x1", "x2", …`` (inputs), ``"h1_1", …`` (hidden layer 1,
    unit 1) and ``"y1", …`` (outputs).  Every edge has kind ``"forward"``.
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes must be at least two positive integers, got {layer_sizes!r}")
    layers = []
    for depth, n in enumerate(sizes):
        if depth == 0:
            names = [f"x{i + 1}" for i in range(n)]
        elif depth == len(sizes) - 1:
            names = [f"y{i + 1}" for i in range(n)] if n > 1 else ["y"]
        else:
            names = [f"h{depth}_{i + 1}" for i in range(n)] if len(sizes) > 3 else [f"h{i + 1}" for i in range(n)]
        layers.append(names)
    nodes = {}
    for depth, names in enumerate(layers):
        n = len(names)
        for i, name in enumerate(names):
            nodes[name] = (float(depth), (n - 1) / 2.0 - i)
    edges = [(a, b, "forward") for left, right in zip(layers[:-1], layers[1:]) for a in left for b in right]
    return {"nodes": nodes, "edges": edges, "layers": layers}


def topology(name: str) -> dict:
    """Nodes and edges of one of the five classic network topologies (see :data:`TOPOLOGIES`).

    Defined in: Chapter 5, "Layers and forward propagation".

    Same format as :func:`layered_graph`, plus ``"caption"``: one sentence
    on what flows where.  Edges of kind ``"recurrent"`` carry a value from
    one *time step* to the next (a hidden state), not from the output layer
    back to the input layer.
    """
    if name == "single-layer feed-forward":
        g = layered_graph((3, 2))
        g["caption"] = "Inputs feed one layer of computing units directly; data flows left to right once."
    elif name == "multilayer feed-forward":
        g = layered_graph((3, 4, 2))
        g["caption"] = "Hidden layers sit between inputs and outputs; still one left-to-right pass, no loops."
    elif name == "single node with its own feedback":
        g = layered_graph((1, 1))
        g["edges"].append(("y", "y", "recurrent"))
        g["caption"] = "One unit whose output at time t is fed back as an extra input at time t + 1."
    elif name == "single-layer recurrent":
        g = layered_graph((2, 3, 1))
        hidden = g["layers"][1]
        g["edges"] += [(a, b, "recurrent") for a in hidden for b in hidden]
        g["caption"] = "The hidden layer's state at time t is an extra input to the same layer at time t + 1."
    elif name == "multilayer recurrent":
        g = layered_graph((2, 3, 3, 1))
        for layer in (1, 2):
            units = g["layers"][layer]
            g["edges"] += [(a, b, "recurrent") for a in units for b in units]
        g["caption"] = "Each hidden layer carries its own state forward in time and passes its output up."
    else:
        raise ValueError(f"name must be one of {list(TOPOLOGIES)}, got {name!r}")
    return g
