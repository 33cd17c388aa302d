"""The Python side of chapter 14's microphone bridges, without a browser, and the sentence report on a recording.

The JavaScript recorders run under Node.js with a fake microphone (a known ramp of samples), and what they
send — a binary buffer for the widget, base64 text for Colab's ``eval_js`` — is fed to the Python side exactly
as the comm message or ``eval_js`` delivers it.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest

from course_lib import language_model, microphone, word_recognizer

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the recorder's JavaScript")

RATE = 44100
#: The fake microphone's samples: a ramp, so any reordering, truncation or wrong dtype shows.
RAMP = (np.arange(RATE // 10) / (RATE // 10) - 0.5).astype(np.float32)

_FAKE_BROWSER = """
const ramp = new Float32Array(__N__).map((_, i) => i / __N__ - 0.5);
let stopped = false;
Object.defineProperty(globalThis, "navigator", { configurable: true, value: { mediaDevices: {
  getUserMedia: async (constraints) => {
    if (!constraints.audio) throw new Error("asked for no audio");
    if (__DENY__) { const e = new Error("Permission denied"); e.name = "NotAllowedError"; throw e; }
    return { getTracks: () => [{ stop: () => { stopped = true; } }] };
  } } } });
globalThis.MediaRecorder = class {
  start() { setTimeout(() => { this.ondataavailable({ data: new Blob([new Uint8Array([1, 2, 3])]) }); }, 1); }
  stop() { setTimeout(() => this.onstop(), 1); }
};
globalThis.AudioContext = class {
  async decodeAudioData(buffer) {
    if (buffer.byteLength !== 3) throw new Error("the recorded chunks were not passed on");
    return { sampleRate: __RATE__, duration: __N__ / __RATE__, getChannelData: (c) => (c === 0 ? ramp : null) };
  }
  async close() {}
};
globalThis.setTimeout = ((original) => (f, ms) => original(f, Math.min(ms, 5)))(globalThis.setTimeout);
"""


def _run_node(script: str):
    result = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _fake_browser(deny: bool = False) -> str:
    fake = _FAKE_BROWSER.replace("__N__", str(len(RAMP))).replace("__RATE__", str(RATE))
    return fake.replace("__DENY__", "true" if deny else "false")


def _widget_js_run(deny: bool = False):
    """Render the widget's module with a fake DOM and model, press Record, and return what it set on the model."""
    script = (
        _fake_browser(deny)
        + """
const state = { seconds: 0.1, status: "", samples: null, sample_rate: 0 };
let saved = 0;
const model = { get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes: () => { saved++; },
                on: () => {} };
const made = [];
globalThis.document = { createElement: (tag) => { const e = { tag, style: {} }; made.push(e); return e; } };
const el = { append: (...children) => { el.children = children; } };
const module = await import("data:text/javascript," + encodeURIComponent(__ESM__));
module.default.render({ model, el });
const button = made.find((e) => e.tag === "button");
await button.onclick();
const bytes = state.samples === null ? new Uint8Array(0)
  : new Uint8Array(state.samples.buffer, state.samples.byteOffset, state.samples.byteLength);
console.log(JSON.stringify({ label: button.textContent, disabled: button.disabled, saved, status: state.status,
  sample_rate: state.sample_rate, samples: Buffer.from(bytes).toString("base64"), stopped }));
"""
    ).replace("__ESM__", json.dumps(microphone._ESM))
    return _run_node(script)


def _comm_update(widget, state: dict, buffers: dict) -> None:
    """Deliver a front-end ``update`` message to ``widget`` as the kernel's comm does (binary buffers apart)."""
    msg = {
        "content": {"data": {"method": "update", "state": state, "buffer_paths": [[k] for k in buffers]}},
        "buffers": [memoryview(v) for v in buffers.values()],
    }
    widget._handle_msg(msg)


def test_the_widget_traits_are_the_ones_its_javascript_uses():
    widget = microphone.microphone(seconds=1.0)
    used = set(re.findall(r"model\.(?:get|set)\(\"(\w+)\"", microphone._ESM))
    assert used == {"samples", "sample_rate", "seconds", "status"}
    assert used <= set(widget.keys), used - set(widget.keys)


def test_a_recording_message_from_the_front_end_reaches_the_observer_with_its_rate():
    widget = microphone.microphone(seconds=1.0)
    heard = []
    widget.observe(lambda change: heard.append(widget.wave()), names="samples")
    state = {"sample_rate": 48000, "status": "recorded 0.1 s at 48000 Hz"}
    _comm_update(widget, state, {"samples": RAMP.astype("<f4").tobytes()})
    assert len(heard) == 1, "the observer must run once per recording"
    wave, rate = heard[0]
    assert rate == 48000, "sample_rate must be set before the observer runs (same message)"
    assert wave.dtype == np.float32 and np.array_equal(wave, RAMP)
    assert widget.status.startswith("recorded")


@needs_node
def test_the_widget_javascript_sends_float32_samples_that_python_reads_back():
    sent = _widget_js_run()
    assert sent["label"].endswith("Record") and not sent["disabled"] and sent["stopped"], sent
    assert sent["status"] == f"recorded 0.1 s at {RATE} Hz" and sent["saved"] >= 2
    widget = microphone.microphone(seconds=1.0)
    _comm_update(widget, {"sample_rate": sent["sample_rate"]}, {"samples": base64.b64decode(sent["samples"])})
    wave, rate = widget.wave()
    assert rate == RATE and np.array_equal(wave, RAMP)


@needs_node
def test_the_widget_says_so_when_the_microphone_is_refused():
    sent = _widget_js_run(deny=True)
    assert sent["status"].startswith("no microphone available") and sent["samples"] == "" and not sent["disabled"]


@needs_node
@pytest.mark.parametrize("deny", [False, True])
def test_the_colab_recorder_returns_base64_samples_that_python_reads_back(deny):
    script = (
        _fake_browser(deny)
        + "console.log(JSON.stringify(await "
        + microphone._COLAB_JS.replace("SECONDS", "0.1")
        + "));"
    )
    answer = _run_node(script)
    if deny:
        with pytest.raises(RuntimeError, match="could not record.*NotAllowedError"):
            microphone.samples_from_payload(answer)
    else:
        wave, rate = microphone.samples_from_payload(answer)
        assert rate == RATE and np.array_equal(wave, RAMP)


def test_record_uses_colab_eval_js_and_refuses_elsewhere(monkeypatch):
    with pytest.raises(RuntimeError, match="microphone\\(\\)"):
        microphone.record(seconds=1)
    calls = []

    def eval_js(script, timeout_sec=None):
        calls.append((script, timeout_sec))
        return {"sample_rate": 16000, "samples": base64.b64encode(RAMP.astype("<f4").tobytes()).decode()}

    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(eval_js=eval_js)
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    assert microphone.in_colab()
    wave, rate = microphone.record(seconds=3)
    assert rate == 16000 and np.array_equal(wave, RAMP)
    script, timeout = calls[0]
    assert "getUserMedia" in script and "(3.0)" in script and "SECONDS" not in script and timeout > 3


@pytest.mark.parametrize(
    "payload, error, message",
    [
        ("abc", ValueError, "must be a dict"),
        ({"samples": "AAAA"}, ValueError, "sample_rate"),
        ({"samples": "not base64!", "sample_rate": 8000}, ValueError, "base64"),
        ({"samples": base64.b64encode(b"abc").decode(), "sample_rate": 8000}, ValueError, "multiple of 4"),
        ({"samples": "", "sample_rate": 8000}, ValueError, "nothing recorded"),
        ({"samples": "AAAAAA==", "sample_rate": 300}, ValueError, "sample_rate"),
        ({"error": "NotFoundError: no device"}, RuntimeError, "no device"),
    ],
)
def test_bad_answers_from_the_browser_get_clear_errors(payload, error, message):
    with pytest.raises(error, match=message):
        microphone.samples_from_payload(payload)


def test_bad_recording_lengths_are_rejected():
    for seconds in (0, 0.2, 60, True, "2"):
        with pytest.raises(ValueError, match="between 0.5 and 30"):
            microphone.microphone(seconds=seconds)
        with pytest.raises(ValueError, match="between 0.5 and 30"):
            microphone.record(seconds=seconds)


# --- the sentence report -------------------------------------------------------------------------------------

VOCAB = list(word_recognizer.VOCABULARY)
NUMBERS = "zero one two three four five six seven eight nine".split()
CORPUS = [["what", "is", "the", "time"]] * 20 + [
    ["the", "time", "is", h, m] for h in NUMBERS[1:] for m in ("zero", "five")
]
LOG_P = np.log(language_model.bigram_matrix(CORPUS, VOCAB, k=0.1))


def _probabilities(**chosen) -> np.ndarray:
    """A probability row: the given words get their probability, the rest share what is left."""
    p = np.zeros(len(VOCAB))
    for word, value in chosen.items():
        p[VOCAB.index(word)] = value
    p[p == 0] = (1 - p.sum()) / (len(VOCAB) - len(chosen))
    return p


class FakeRecognizer:
    """Stands in for a trained WordRecognizer: returns fixed probabilities, one row per piece, and remembers calls."""

    vocabulary = tuple(VOCAB)

    def __init__(self, rows):
        self.rows, self.calls = np.array(rows), []

    def predict_proba(self, waves, sample_rate):
        self.calls.append(([len(w) for w in waves], sample_rate))
        return self.rows[: len(waves)]


def _spoken(n_words: int, rate: int) -> np.ndarray:
    """``n_words`` bursts of a vowel-like sound with 0.3 s pauses, as speech.split_words expects."""
    t = np.arange(int(0.3 * rate)) / rate
    burst = (0.5 * np.sin(2 * np.pi * 220 * t) * np.hanning(len(t))).astype(np.float32)
    pause = np.zeros(int(0.3 * rate), np.float32)
    noise = np.random.default_rng(0).normal(scale=1e-4, size=(2 * n_words + 1) * len(pause)).astype(np.float32)
    return np.concatenate([pause] + [burst, pause] * n_words) + noise


ROWS = [
    _probabilities(what=0.95),
    _probabilities(**{"is": 0.8, "six": 0.1}),
    _probabilities(two=0.45, the=0.40),  # unsure: the acoustic model barely prefers a digit
    _probabilities(nine=0.7, time=0.25),  # sure, but wrong: the language model changes it
]


def test_decode_sentence_reports_candidates_changes_and_doubts():
    recognizer = FakeRecognizer(ROWS)
    report = language_model.decode_sentence(recognizer, _spoken(4, 44100), 44100, None, LOG_P, lm_weight=2.0)
    assert [len(lengths) for lengths, _ in recognizer.calls] == [4] and recognizer.calls[0][1] == 44100
    assert report.acoustic == ["what", "is", "two", "nine"]
    assert report.decoded == ["what", "is", "the", "time"]
    assert [w.changed for w in report.words] == [False, False, True, True]
    assert report.unsure == [3] and report.sentence == "what is ? time"
    assert report.words[2].candidates[:2] == (("two", pytest.approx(0.45)), ("the", pytest.approx(0.40)))
    assert len(report.words[0].candidates) == 3
    text = str(report)
    assert text.startswith('I heard: "what is ? time"')
    assert "I am not sure about word 3" in text and "45 %" in text and "'the'" in text
    assert "changed 'nine' to 'time'" in text


def test_a_higher_threshold_doubts_more_and_a_zero_threshold_never():
    probabilities = np.array(ROWS)
    strict = language_model.sentence_report(probabilities, VOCAB, LOG_P, 2.0, unsure_below=0.9)
    assert strict.unsure == [2, 3, 4] and strict.sentence == "what ? ? ?"
    assert language_model.sentence_report(probabilities, VOCAB, LOG_P, 2.0, unsure_below=0).unsure == []


def test_a_silent_recording_is_reported_as_nothing_heard():
    recognizer = FakeRecognizer(ROWS)
    report = language_model.decode_sentence(recognizer, np.zeros(8000, np.float32), 8000, VOCAB, LOG_P)
    assert report.words == () and recognizer.calls == [] and "I heard no words" in str(report)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"probabilities": np.ones((2, 3)) / 3}, "one column per vocabulary word"),
        ({"probabilities": np.log(np.array(ROWS))}, "in \\[0, 1\\]"),
        ({"probabilities": np.array(ROWS)[0]}, "2-D"),
        ({"unsure_below": 1.5}, "between 0 and 1"),
        ({"top": 0}, "top"),
    ],
)
def test_bad_report_arguments_get_clear_errors(kwargs, message):
    arguments = {"probabilities": np.array(ROWS), "vocabulary": VOCAB, "log_bigram": LOG_P} | kwargs
    with pytest.raises(ValueError, match=message):
        language_model.sentence_report(**arguments)


def test_decode_sentence_needs_a_recognizer_and_a_language_model():
    with pytest.raises(ValueError, match="log_bigram is required"):
        language_model.decode_sentence(FakeRecognizer(ROWS), _spoken(1, 8000), 8000)
    with pytest.raises(ValueError, match="predict_proba"):
        language_model.decode_sentence(object(), _spoken(1, 8000), 8000, VOCAB, LOG_P)
