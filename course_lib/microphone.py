"""Recording your own voice in the notebook: a microphone button that hands the waveform to Python, and WAV uploads.

Defined in: Chapter 14, "Speech recognition".

The browser records (``getUserMedia`` and ``MediaRecorder``), decodes the
recording to floating-point samples (``AudioContext.decodeAudioData``) and
sends them to the kernel as little-endian float32 bytes.  Two bridges carry
them:

* :func:`microphone`, a widget (``anywidget``), sends them as a binary buffer
  of the ``samples`` trait.  It works where custom widgets do — JupyterLab,
  Jupyter Notebook 7 and classic Notebook (with the ``anywidget`` extension),
  VS Code, and Colab after ``google.colab.output.enable_custom_widget_manager()``.
* :func:`record`, for Colab without custom widgets, runs the same recorder
  with ``google.colab.output.eval_js`` and receives ``{"sample_rate": …,
  "samples": base64 text}``.

Both need the page to be allowed to use the microphone.  The published site
has no kernel, so there the chapter offers a WAV upload instead:
:func:`upload` makes the upload button and :func:`wave_from_upload` turns
what it (or Colab's ``files.upload()``) returns into a mono 8 kHz waveform.
"""

from __future__ import annotations

import base64
import binascii
import struct
import sys

import numpy as np

from course_lib.audio import FEATURE_RATE, as_waveform, check_rate, read_wav, resample

_RECORDER_JS = """
async function recordSamples(seconds, onStart) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start();
  onStart();
  setTimeout(() => recorder.stop(), 1000 * seconds);
  await stopped;
  stream.getTracks().forEach((track) => track.stop());
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
    return { samples: audio.getChannelData(0).slice(), sampleRate: audio.sampleRate, duration: audio.duration };
  } finally {
    await context.close();
  }
}
"""

_ESM = (
    _RECORDER_JS
    + """
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
    button.disabled = true;
    try {
      const audio = await recordSamples(model.get("seconds"), () => {
        model.set("status", "recording... speak now");
        model.save_changes();
      });
      model.set("sample_rate", audio.sampleRate);
      model.set("samples", new DataView(audio.samples.buffer));
      model.set("status", "recorded " + audio.duration.toFixed(1) + " s at " + audio.sampleRate + " Hz");
    } catch (err) {
      const what = err.name === "NotAllowedError" || err.name === "NotFoundError" ? "no microphone available: "
        : "could not record: ";
      model.set("status", what + err.message);
    }
    model.save_changes();
    button.disabled = false;
  };
  el.append(button, status);
}
export default { render };
"""
)

#: What ``record`` asks Colab's browser to evaluate: record, then send the samples back as base64 text.
_COLAB_JS = (
    """
(async (seconds) => {
"""
    + _RECORDER_JS
    + """
  try {
    const audio = await recordSamples(seconds, () => {});
    const bytes = new Uint8Array(audio.samples.buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return { sample_rate: audio.sampleRate, samples: btoa(text) };
  } catch (err) {
    return { error: err.name + ": " + err.message };
  }
})(SECONDS)
"""
)


def _bytes_from_json(js, obj):
    """The widget's binary buffer (a ``memoryview`` from the comm message) as ``bytes``."""
    return None if js is None else bytes(js)


def microphone(seconds: float = 2.0):
    """A widget with a *Record* button; after recording, ``widget.wave()`` returns ``(samples, sample_rate)``.

    Defined in: Chapter 14, "Speech recognition".

    ``widget.observe(callback, names="samples")`` runs ``callback`` after each
    recording.  Imports ``anywidget`` when called.
    """
    import anywidget
    import traitlets

    _check_seconds(seconds)

    class Microphone(anywidget.AnyWidget):
        _esm = _ESM
        samples = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
        sample_rate = traitlets.Int(0).tag(sync=True)
        seconds = traitlets.Float(2.0).tag(sync=True)
        status = traitlets.Unicode("press Record, then speak").tag(sync=True)

        def wave(self):
            """The last recording as ``(float32 samples, sample rate)``; raises if nothing was recorded yet."""
            return samples_from_bytes(self.samples, self.sample_rate)

    return Microphone(seconds=float(seconds))


def _check_seconds(seconds) -> float:
    if isinstance(seconds, bool) or not (isinstance(seconds, (int, float)) and 0.5 <= seconds <= 30):
        raise ValueError(f"seconds must be a number between 0.5 and 30, got {seconds!r}")
    return float(seconds)


def samples_from_bytes(data, sample_rate: int):
    """Little-endian float32 bytes from the browser → ``(samples, sample_rate)``, with a clear error when empty.

    Defined in: Chapter 14, "Speech recognition".
    """
    data = bytes(data)
    if not data or not sample_rate or sample_rate <= 0:
        raise ValueError("nothing recorded yet: press Record and speak first")
    if len(data) % 4:
        raise ValueError(f"recording bytes must be float32 samples (a multiple of 4 bytes), got {len(data)}")
    rate = check_rate(sample_rate)
    return as_waveform(np.frombuffer(data, dtype="<f4"), "the recording"), rate


def samples_from_payload(payload):
    """What the Colab recorder returns (``{"sample_rate": …, "samples": base64 float32}``) → ``(samples, rate)``.

    Defined in: Chapter 14, "Speech recognition".
    """
    if not isinstance(payload, dict):
        raise ValueError(f"the browser's answer must be a dict, got {type(payload).__name__}")
    if "error" in payload:
        raise RuntimeError(f"the browser could not record (is a microphone allowed for this page?): {payload['error']}")
    if "samples" not in payload or "sample_rate" not in payload:
        raise ValueError(f"the browser's answer needs 'samples' and 'sample_rate', got keys {sorted(payload)}")
    try:
        data = base64.b64decode(payload["samples"], validate=True)
    except (binascii.Error, TypeError, ValueError) as err:
        raise ValueError(f"the recording must be base64 text of float32 samples: {err}") from None
    return samples_from_bytes(data, payload["sample_rate"])


def in_colab() -> bool:
    """Whether this kernel runs on Google Colab.

    Defined in: Chapter 14, "Speech recognition".
    """
    return "google.colab" in sys.modules


def record(seconds: float = 4.0):
    """Record ``seconds`` from the browser's microphone on Colab; returns ``(float32 samples, sample rate)``.

    Defined in: Chapter 14, "Speech recognition".

    Blocks until the recording is done (the browser asks for permission the
    first time).  Elsewhere use :func:`microphone`, a widget.
    """
    seconds = _check_seconds(seconds)
    if not in_colab():
        raise RuntimeError("record() uses Colab's browser bridge; in JupyterLab or Notebook use microphone() instead")
    from google.colab import output

    print(f"recording {seconds:g} s... speak now")
    answer = output.eval_js(_COLAB_JS.replace("SECONDS", repr(seconds)), timeout_sec=seconds + 60)
    return samples_from_payload(answer)


def upload(description: str = "Upload a WAV"):
    """An upload button for one ``.wav`` file (an ``ipywidgets.FileUpload``); read it with :func:`wave_from_upload`.

    Defined in: Chapter 14, "Speech recognition".
    """
    import ipywidgets

    return ipywidgets.FileUpload(accept=".wav,audio/wav,audio/x-wav", multiple=False, description=description)


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """``(name, content)`` of every uploaded file, whichever way it was uploaded.

    Defined in: Chapter 14, "Speech recognition".

    Accepts ``FileUpload.value`` from ipywidgets 8 (a tuple of dicts with
    ``name`` and ``content``), from ipywidgets 7 (a dict ``name → {"metadata":
    …, "content": …}``) and what Colab's ``files.upload()`` returns (a dict
    ``name → bytes``).
    """
    if hasattr(value, "value") and not isinstance(value, (dict, list, tuple)):
        value = value.value  # the FileUpload widget itself
    files = []
    if isinstance(value, dict):
        for name, item in value.items():
            content = item.get("content") if isinstance(item, dict) else item
            files.append((str(name), content))
    elif isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, dict) or "content" not in item:
                raise ValueError(
                    f"an uploaded file must be a dict with 'name' and 'content' (ipywidgets 8), got {item!r:.80}"
                )
            files.append((str(item.get("name", "upload")), item["content"]))
    else:
        raise ValueError(f"expected the FileUpload's value or Colab's files.upload() dict, got {type(value).__name__}")
    for name, content in files:
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise ValueError(f"the content of {name!r} must be bytes, got {type(content).__name__}")
    return [(name, bytes(content)) for name, content in files]


def wave_from_upload(value, target_rate: int = FEATURE_RATE):
    """The last uploaded WAV as ``(mono float32 waveform at target_rate, target_rate)``; clear errors otherwise.

    Defined in: Chapter 14, "Speech recognition".

    Stereo files are averaged to mono, 8-, 16-, 24- and 32-bit and float
    files scaled to [-1, 1], and any sample rate brought to ``target_rate``
    (8 kHz, the rate the recognizer's features use).
    """
    target_rate = check_rate(target_rate)
    files = uploaded_files(value)
    if not files:
        raise ValueError("nothing uploaded yet: press the upload button and choose a .wav file")
    name, content = files[-1]
    if content[:4] not in (b"RIFF", b"RIFX"):
        kind = "empty" if not content else f"starts with {content[:4]!r}"
        raise ValueError(
            f"{name!r} is not a WAV file ({kind}): save or export the recording as .wav (PCM) and upload that"
        )
    try:
        wave, rate = read_wav(content)
    except (ValueError, EOFError, struct.error) as err:  # scipy raises all three on broken or truncated files
        raise ValueError(f"could not read {name!r} as a WAV file ({err}): is it cut short? Export it again") from None
    return resample(wave, rate, target_rate), target_rate


__all__ = [
    "in_colab",
    "microphone",
    "record",
    "samples_from_bytes",
    "samples_from_payload",
    "upload",
    "uploaded_files",
    "wave_from_upload",
]
