"""Interactive demos: thin ipywidgets front-ends over tested drawing functions.

Defined in: Preface, "How to use this course".

Every demo goes through :func:`slider_demo`, which first draws the default
state as an ordinary (static) figure — so the published site, which has no
running kernel, never shows a blank — and then the live sliders, which work
in Colab, Binder, JupyterHub and JupyterLab.
"""

from __future__ import annotations

from collections.abc import Callable

LIVE_NOTE = "Sliders appear here when this notebook runs live (Colab, Binder, Lab)."


class _LiveWidget:
    """Wraps a widget so its plain-text fallback is a helpful note, not a widget repr."""

    def __init__(self, widget):
        self.widget = widget

    def _repr_mimebundle_(self, **kwargs):
        data = self.widget._repr_mimebundle_(**kwargs) or {}
        if isinstance(data, tuple):
            data = data[0]
        data["text/plain"] = LIVE_NOTE
        return data


def slider_demo(draw: Callable, **controls):
    """Show ``draw(**defaults)`` as a static figure, then the same drawing driven by sliders.

    Defined in: Preface, "How to use this course".

    ``draw`` must accept the control names as keyword arguments and draw
    with matplotlib (it may return the figure).  ``controls`` are ipywidgets
    controls (``FloatSlider(value=..., min=..., max=...)``) or anything
    ``ipywidgets.interactive`` accepts as an abbreviation.  Returns the live
    widget wrapper (also displayed).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    live = _LiveWidget(widgets.interactive(draw, **controls))
    draw(**live.widget.kwargs)  # the sliders' initial values, as ipywidgets chose them
    plt.show()
    display(live)
    return live
