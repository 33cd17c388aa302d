"""Recording your own voice in the notebook: a microphone button that hands the waveform to Python.

Defined in: Chapter 14, "Speech recognition".

The browser records (``getUserMedia`` and ``MediaRecorder``), decodes the
recording to floating-point samples (``AudioContext.decodeAudioData``) and
sends them to the kernel as little-endian float32 bytes.  It works where
custom widgets do — JupyterLab, Jupyter Notebook 7, VS Code, and Colab
after ``google.colab.output.enable_custom_widget_manager()`` — and needs the
page to be allowed to use the microphone.  The published site has no kernel,
so there the chapter offers a WAV upload instead.
"""

from __future__ import annotations

import numpy as np

_ESM = """
function render({ model, el }) {
  const button = document.createElement("button");
  button.textContent = "\\u25CF Record";
  button.className = "jupyter-button";
  const status = document.createElement("span");
  status.style.marginLeft = "0.8em";
  const show = () => { status.textContent = model.get("status"); };
  model.on("change:status", show);
  show();
  button.onclick = async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      model.set("status", "no microphone available: " + err.message);
      model.save_changes();
      return;
    }
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((track) => track.stop());
      try {
        const context = new AudioContext();
        const audio = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
        const samples = audio.getChannelData(0).slice();
        model.set("sample_rate", audio.sampleRate);
        model.set("samples", new DataView(samples.buffer));
        model.set("status", "recorded " + audio.duration.toFixed(1) + " s at " + audio.sampleRate + " Hz");
        await context.close();
      } catch (err) {
        model.set("status", "could not decode the recording: " + err.message);
      }
      model.save_changes();
      button.disabled = false;
    };
    button.disabled = true;
    model.set("status", "recording... speak now");
    model.save_changes();
    recorder.start();
    setTimeout(() => recorder.stop(), 1000 * model.get("seconds"));
  };
  el.append(button, status);
}
export default { render };
"""


def microphone(seconds: float = 2.0):
    """A widget with a *Record* button; after recording, ``widget.wave()`` returns ``(samples, sample_rate)``.

    Defined in: Chapter 14, "Speech recognition".

    ``widget.observe(callback, names="samples")`` runs ``callback`` after each
    recording.  Imports ``anywidget`` when called.
    """
    import anywidget
    import traitlets
    from ipywidgets.widgets.trait_types import bytes_serialization

    if not (isinstance(seconds, (int, float)) and 0.5 <= seconds <= 30):
        raise ValueError(f"seconds must be a number between 0.5 and 30, got {seconds!r}")

    class Microphone(anywidget.AnyWidget):
        _esm = _ESM
        samples = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)
        sample_rate = traitlets.Int(0).tag(sync=True)
        seconds = traitlets.Float(2.0).tag(sync=True)
        status = traitlets.Unicode("press Record, then say one word").tag(sync=True)

        def wave(self):
            """The last recording as ``(float32 samples, sample rate)``; raises if nothing was recorded yet."""
            return samples_from_bytes(self.samples, self.sample_rate)

    return Microphone(seconds=float(seconds))


def samples_from_bytes(data, sample_rate: int):
    """Little-endian float32 bytes from the browser → ``(samples, sample_rate)``, with a clear error when empty.

    Defined in: Chapter 14, "Speech recognition".
    """
    data = bytes(data)
    if not data or sample_rate <= 0:
        raise ValueError("nothing recorded yet: press Record and speak first")
    if len(data) % 4:
        raise ValueError(f"recording bytes must be float32 samples (a multiple of 4 bytes), got {len(data)}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32), int(sample_rate)


__all__ = ["microphone", "samples_from_bytes"]
