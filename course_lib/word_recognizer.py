"""A spoken-word recognizer trained on synthetic voices made to sound like the real world.

Defined in: Chapter 14, "Speech recognition".

Training speech comes from four synthesisers (``espeak-ng`` in eight
accents and many voice variants, ``flite``, ``festival`` — with seven
Italian, Czech and Finnish voices reading respelled English, i.e. accented
speakers — and SVOX Pico) at many speeds and pitches.  Synthetic voices do
not sound like people, so every clean word
is also degraded the ways real recordings are: speed perturbation, gain,
room reverberation, background noise at 0–30 dB SNR, telephone band-limiting,
8-bit µ-law coding, leading and trailing noise.  The acoustic model is a small
CNN over :func:`course_lib.speech.features`; voices are split so that the
test voices are never trained on.  TensorFlow is imported only when a model
is built, trained or run.
"""

from __future__ import annotations

import functools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from course_lib import speech
from course_lib.real_voices import REAL_WORDS_FILE, RealWords, held_out_speaker, real_training_clips, real_words

_log = logging.getLogger(__name__)

#: The 14 words the recognizer knows, in the order of its output classes.
VOCABULARY = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "what",
    "is",
    "the",
    "time",
)
RATE = speech.FEATURE_RATE
ESPEAK_ACCENTS = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
ESPEAK_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt3")
#: Voices never used for training: the held-out test of the chapter ("engine:voice").
TEST_VOICES = (
    "flite:rms",
    "festival:ked",
    "espeak-ng:en-gb-x-rp+f2",
    "espeak-ng:en-us-nyc+m5",
    "espeak-ng:en-029+klatt3",
)


def all_voices() -> list[str]:
    """Every ``"engine:voice"`` the recognizer knows about, test voices included."""
    voices = [f"espeak-ng:{a}+{v}" for a in ESPEAK_ACCENTS for v in ESPEAK_VARIANTS]
    voices += [f"flite:{v}" for v in speech.FLITE_VOICES] + [f"festival:{v}" for v in speech.FESTIVAL_VOICES]
    return voices + [f"pico:{v}" for v in speech.PICO_VOICES]


#: How the foreign festival voices are made to say the vocabulary: English respelled by each language's rules.
#: They add accented speakers, each from a real person's recorded diphones, to the few English ones.
RESPELLINGS = {
    "it": dict(zip(VOCABULARY, "ziro uan tu tri for faiv sics seven eit nain uot is de taim".split())),
    "cs": dict(zip(VOCABULARY, "zírou uan tú trí fór fajv siks sevn ejt najn uot yz d tajm".split())),
    "fi": dict(zip(VOCABULARY, "siirou uan tuu trii foor faiv siks seven eit nain uot is de taim".split())),
}


def _text(word: str, voice: str) -> str:
    """What to ask ``voice`` ("engine:name") to read so that it says ``word``."""
    language = voice.split(":", 1)[1].split("-")[0]
    return RESPELLINGS[language][word] if voice.startswith("festival:") and language in RESPELLINGS else word


#: Recordings of each word per voice: espeak-ng has a hundred voices, the other engines a few each, so
#: their voices speak more takes — otherwise espeak's formant sound would dominate what the model learns.
TAKES = {"espeak-ng": 1, "flite": 5, "festival": 5, "pico": 5}


def synthesize_words(voices, words=VOCABULARY, takes=None, seed: int = 0) -> list[tuple[np.ndarray, str, str]]:
    """Recordings of every word by every voice, each at a random speed and pitch; ``(wave, word, voice)`` at 8 kHz.

    ``takes`` is a number of recordings per word and voice, or a dict by engine (default :data:`TAKES`).
    """
    rng = np.random.default_rng(seed)
    per_engine = TAKES if takes is None else takes if isinstance(takes, dict) else dict.fromkeys(speech.ENGINES, takes)
    jobs = [
        (word, voice, float(rng.uniform(110, 220)), float(rng.uniform(25, 75)))
        for voice in voices
        for word in words
        for _ in range(per_engine[voice.split(":", 1)[0]])
    ]

    def speak(indices):  # festival and Pico speak a batch of one voice in one process: start-up dominates
        word, voice, rate, pitch = jobs[indices[0]]
        engine, name = voice.split(":", 1)
        rates, pitches = ([jobs[i][k] for i in indices] for k in (2, 3))
        words = [_text(jobs[i][0], voice) for i in indices]
        if engine == "festival":
            waves = speech.synthesize_festival_batch(words, name, rates, sample_rate=RATE)
        elif engine == "pico":
            waves = speech.synthesize_pico_batch(words, name, rates, pitches, sample_rate=RATE)
        else:
            waves = [speech.synthesize(word, voice=name, rate=rate, pitch=pitch, sample_rate=RATE, engine=engine)]
        return [(i, (w, jobs[i][0], voice)) for i, w in zip(indices, waves)]

    batched = [v for v in dict.fromkeys(j[1] for j in jobs) if v.split(":")[0] in ("festival", "pico")]
    batches = [[i] for i, j in enumerate(jobs) if j[1] not in batched]
    batches += [[i for i, j in enumerate(jobs) if j[1] == v] for v in batched]
    with ThreadPoolExecutor(max_workers=4) as pool:  # the work happens in the synthesiser subprocesses
        done = dict(pair for batch in pool.map(speak, batches) for pair in batch)
    return [done[i] for i in range(len(jobs))]


def _room(rng, rt60: float) -> np.ndarray:
    """A synthetic room impulse response: a direct path and exponentially decaying noise."""
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    ir = rng.normal(size=n) * np.exp(-6.9 * t / rt60) * 0.3
    ir[0] = 1.0
    return ir / np.sqrt(np.sum(ir**2))


@functools.lru_cache(maxsize=1)
def _telephone_band():
    from scipy.signal import butter

    return butter(4, [300, 3400], btype="band", fs=RATE, output="sos")


def degrade(wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random "real world" version of a clean 8 kHz word (see the module docstring)."""
    from scipy.signal import fftconvolve, resample_poly, sosfilt

    x = resample_poly(wave, 100, int(rng.integers(88, 113))) if rng.random() < 0.7 else wave.copy()  # speed ±12 %
    if rng.random() < 0.5:
        x = fftconvolve(x, _room(rng, rng.uniform(0.1, 0.6)))[: len(x) + int(0.1 * RATE)]
    if rng.random() < 0.5:
        x = sosfilt(_telephone_band(), x)
    pad = rng.integers(0, int(0.3 * RATE), size=2)
    x = np.pad(x, (int(pad[0]), int(pad[1])))
    x = x / (np.max(np.abs(x)) + 1e-9) * 10 ** rng.uniform(-1.5, 0)  # gain: −30 to 0 dB peak
    if rng.random() < 0.85:
        noise = rng.normal(size=len(x))
        if rng.random() < 0.5:  # pink-ish noise: more energy at low frequencies, like rooms and traffic
            noise = np.cumsum(noise)
            noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
        snr_db = rng.uniform(0, 30)
        noise *= np.sqrt(np.mean(x**2) / (np.mean(noise**2) + 1e-12) / 10 ** (snr_db / 10))
        x = x + noise
    if rng.random() < 0.3:  # 8-bit µ-law, as on old telephone lines
        mu = 255.0
        y = np.sign(x) * np.log1p(mu * np.minimum(np.abs(x), 1)) / np.log1p(mu)
        y = np.round(y * 127) / 127
        x = np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu
    return np.clip(x, -1, 1).astype(np.float32)


def _warp(F: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vocal tract length perturbation: stretch the frequency axis by ±12 %, as a longer or shorter vocal tract would."""
    alpha = rng.uniform(0.88, 1.12)
    k = np.arange(F.shape[1])
    src = np.clip(k * alpha, 0, F.shape[1] - 1)
    return np.stack([np.interp(src, k, row) for row in F]).astype(np.float32)


def _mask(F: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SpecAugment: blank a random band of mel channels and a random stretch of frames."""
    F = F.copy()
    f0, fw = rng.integers(0, F.shape[1]), rng.integers(0, 7)
    t0, tw = rng.integers(0, F.shape[0]), rng.integers(0, 6)
    F[:, f0 : f0 + fw] = 0.0
    F[t0 : t0 + tw, :] = 0.0
    return F


def build_model(n_classes: int = len(VOCABULARY), n_frames: int = 40):
    """The acoustic model: a small CNN over (frames × mel bands) with a softmax over the words."""
    import keras

    L = keras.layers
    return keras.Sequential(
        [
            keras.Input((n_frames, speech.N_MELS, 1)),
            L.Conv2D(16, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(48, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dropout(0.3),
            L.Dense(64, activation="relu"),
            L.Dense(n_classes, activation="softmax"),
        ]
    )


class WordRecognizer:
    """Recognises one word per waveform; ``predict(waves, sample_rate)`` → list of words.

    Defined in: Chapter 14, "Speech recognition".
    """

    def __init__(self, model, vocabulary=VOCABULARY, n_frames: int = 40):
        self.model, self.vocabulary, self.n_frames = model, tuple(vocabulary), int(n_frames)

    def _batch(self, waves, sample_rate) -> np.ndarray:
        if isinstance(waves, np.ndarray) and waves.ndim == 1:
            waves = [waves]
        if isinstance(waves, (str, bytes)) or not hasattr(waves, "__len__") or len(waves) == 0:
            raise ValueError("waves must be a non-empty list of 1-D waveforms (one word each)")
        rate = speech.check_rate(sample_rate)
        return np.stack(
            [speech.features(speech.as_waveform(w, f"waves[{i}]"), rate, self.n_frames) for i, w in enumerate(waves)]
        )[..., None]

    def predict_proba(self, waves, sample_rate) -> np.ndarray:
        """Probabilities ``(len(waves), len(vocabulary))`` of each word."""
        return np.asarray(self.model(self._batch(waves, sample_rate), training=False))

    def predict(self, waves, sample_rate) -> list[str]:
        """The most probable word for each waveform (any sample rate, 8 kHz included)."""
        return [self.vocabulary[k] for k in self.predict_proba(waves, sample_rate).argmax(axis=1)]

    def save(self, path) -> None:
        """Write the weights and vocabulary to one ``.npz`` file (independent of the Keras file format)."""
        path = Path(path)
        arrays = {f"w{i}": w for i, w in enumerate(self.model.get_weights())}
        meta = json.dumps({"vocabulary": self.vocabulary, "n_frames": self.n_frames, "format": 1})
        with open(path, "wb") as f:
            np.savez_compressed(f, meta=np.array(meta), **arrays)


def load_word_recognizer(path) -> WordRecognizer:
    """Load a recognizer written by :meth:`WordRecognizer.save`.

    Defined in: Chapter 14, "Speech recognition".
    """
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        weights = [data[f"w{i}"] for i in range(len(data.files) - 1)]
    model = build_model(len(meta["vocabulary"]), meta["n_frames"])
    model.set_weights(weights)
    return WordRecognizer(model, meta["vocabulary"], meta["n_frames"])


def make_dataset(recordings, copies: int, seed: int, clean: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels: each recording clean (if ``clean``) and in ``copies`` degraded versions."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    X, y = [], []
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: extra BLAS threads only contend
        for wave, word, _ in recordings:
            if clean:
                X.append(speech.features(wave, RATE))
                y.append(VOCABULARY.index(word))
            for _ in range(copies):
                X.append(_warp(speech.features(degrade(wave, rng), RATE), rng))
                y.append(VOCABULARY.index(word))
    return np.stack(X)[..., None], np.array(y)


#: Degraded copies of each real training clip besides the clean one: 122 real clips against thousands of synthetic.
REAL_COPIES = 10


def train_word_recognizer(
    seed=0, voices=None, takes=None, copies=2, epochs=20, verbose=0, real=None, real_copies=REAL_COPIES
):
    """Synthesise, degrade and featurise the training words, add real people's digits, train the CNN.

    Defined in: Chapter 14, "Speech recognition".

    ``voices`` defaults to every voice except :data:`TEST_VOICES`.  ``real=None`` adds the digits of the
    training speakers of :func:`real_words` (:func:`real_training_clips`; each clean and in ``real_copies``
    degraded copies) when the pack is on this machine, else trains on synthetic voices only and logs so;
    ``False``: synthetic only; a :class:`RealWords`: that pack.  About two minutes on two CPU cores.
    """
    import keras

    voices = [v for v in all_voices() if v not in TEST_VOICES] if voices is None else list(voices)
    if set(voices) & set(TEST_VOICES):
        raise ValueError(f"the held-out test voices must not be trained on: {sorted(set(voices) & set(TEST_VOICES))}")
    if real is not None and real is not False and not isinstance(real, RealWords):
        raise ValueError(f"real must be None, False or a RealWords pack, got {real!r}")
    clips = [] if real is False else real_training_clips(real)
    if real is None and not clips:
        _log.info("the real-voice pack %s was not found: training on synthetic voices only", REAL_WORDS_FILE)
    recordings = synthesize_words(voices, takes=takes, seed=seed)
    X, y = make_dataset(recordings, copies=copies, seed=seed + 1)
    if clips:
        X_real, y_real = make_dataset(clips, copies=real_copies, seed=seed + 3)
        X, y = np.concatenate([X, X_real]), np.concatenate([y, y_real])
    rng = np.random.default_rng(seed + 2)
    X = np.stack([_mask(x, rng) if rng.random() < 0.5 else x for x in X])
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()  # the same seed gives the same recognizer, run after run
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=epochs, batch_size=64, shuffle=True, verbose=verbose)
    return WordRecognizer(model)


__all__ = ["REAL_COPIES", "TEST_VOICES", "VOCABULARY", "WordRecognizer", "all_voices", "load_word_recognizer"]
__all__ += ["RealWords", "held_out_speaker", "real_training_clips", "real_words", "train_word_recognizer"]
