"""Figures of Chapter 12, "Recurrent networks".

Defined in: Chapter 12, "Recurrent networks".

Drawing code only; the numbers come from :mod:`course_lib.rnn`.
"""

from __future__ import annotations

import numpy as np


def draw_gradient_norms(norms_by_scale: dict):
    """‖∂h_T/∂h_0‖ against T on a log scale, one line per scale of the recurrent kernel."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for scale, norms in norms_by_scale.items():
        ax.semilogy(np.arange(1, len(norms) + 1), norms, "o-", ms=3, label=f"Wh = {scale:g} × orthogonal")
    ax.set_xlabel("number of steps T between the signal and the loss")
    ax.set_ylabel(r"$\| \partial h_T / \partial h_0 \|$")
    ax.set_title("How much of a gradient survives T steps back in time")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def draw_forecast(t, series, start: int, predictions: dict):
    """The end of a series with several one-step-ahead forecasts of its test part drawn on top."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.4))
    ax.plot(t, series, color="0.6", lw=1, label="series")
    for name, values in predictions.items():
        ax.plot(t[start : start + len(values)], values, lw=1.2, label=name)
    ax.axvline(t[start], color="k", lw=0.6, ls=":")
    ax.set_xlabel("time step")
    ax.set_title("One-step-ahead forecasts on the test period (right of the dotted line)")
    ax.legend(fontsize=9, loc="upper left")
    fig.tight_layout()
    return fig
