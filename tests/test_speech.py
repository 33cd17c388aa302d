"""Chapter 14's signal processing and word recognizer, on synthetic audio the tests make."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

from course_lib import real_voices, speech, word_recognizer

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt.txt)")


def tone(freq, seconds=0.5, rate=16000, amplitude=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_frames_overlap_and_pad_short_signals():
    x = np.arange(10, dtype=np.float32)
    F = speech.frames(x, 4, 2)
    np.testing.assert_array_equal(F[:, 0], [0, 2, 4, 6])
    np.testing.assert_array_equal(F[1], [2, 3, 4, 5])
    assert speech.frames(np.ones(3), 4, 2).shape == (1, 4)


def test_mel_filterbank_is_triangles_on_the_mel_scale():
    fb = speech.mel_filterbank(40, 256, 8000)
    assert fb.shape == (129, 40) and fb.min() >= 0 and fb.max() <= 1
    peaks = fb.argmax(axis=0)
    assert np.all(np.diff(peaks) >= 0), "filters move up in frequency"
    widths = (fb > 0).sum(axis=0)
    assert widths[-1] > 3 * widths[2], "high-frequency filters are wider (mel scale)"


def test_a_tone_lights_up_the_mel_band_of_its_frequency():
    low, high = speech.log_mel_spectrogram(tone(300), 16000), speech.log_mel_spectrogram(tone(2500), 16000)
    assert low.shape[1] == speech.N_MELS and abs(low.shape[0] - 48) <= 2  # 0.5 s, 10 ms hop
    assert low.mean(axis=0).argmax() < high.mean(axis=0).argmax()


def test_features_do_not_depend_on_sample_rate_loudness_or_leading_silence():
    from scipy.signal import resample_poly

    pad = np.zeros(800, np.float32)  # every real recording starts and ends with a little silence
    x16 = np.concatenate([pad, tone(400, 0.2), tone(1200, 0.2), tone(2000, 0.2), pad])
    x8 = resample_poly(x16, 1, 2).astype(np.float32)
    quiet_padded = np.concatenate([np.zeros(4000, np.float32), 0.05 * x16, np.zeros(2000, np.float32)])
    f16, f8, fq = speech.features(x16, 16000), speech.features(x8, 8000), speech.features(quiet_padded, 16000)
    assert f16.shape == (40, speech.N_MELS) and f16.dtype == np.float32
    assert np.corrcoef(f16.ravel(), f8.ravel())[0, 1] > 0.95
    assert np.corrcoef(f16.ravel(), fq.ravel())[0, 1] > 0.9


@pytest.mark.parametrize(
    "wave, rate, message",
    [
        ("hello", 8000, "1-D array"),
        (np.zeros((2, 100)), 8000, "1-D"),
        (np.array([]), 8000, "non-empty"),
        (np.array([0.0, np.nan]), 8000, "NaN"),
        (np.zeros(100), 0, "sample_rate"),
        (np.zeros(100), 8000.5, "whole number"),
        (np.zeros(100), "8k", "sample_rate"),
    ],
)
def test_bad_audio_gets_a_clear_error(wave, rate, message):
    with pytest.raises(ValueError, match=message):
        speech.features(wave, rate)


def test_int16_pcm_is_scaled_and_wav_files_round_trip():
    from scipy.io import wavfile

    pcm = (tone(440) * 32767).astype(np.int16)
    buf = io.BytesIO()
    wavfile.write(buf, 16000, np.stack([pcm, pcm], axis=1))  # stereo
    wave, rate = speech.read_wav(buf.getvalue())
    assert rate == 16000 and wave.dtype == np.float32 and abs(float(np.abs(wave).max()) - 0.5) < 0.01


@needs_espeak
def test_synthesize_speaks_at_the_requested_rate_and_rejects_bad_arguments():
    wave = speech.synthesize("seven", sample_rate=8000)
    assert wave.dtype == np.float32 and wave.ndim == 1 and 0.2 < len(wave) / 8000 < 2.0
    slow = speech.synthesize("seven", rate=100, sample_rate=8000)
    assert len(slow) > len(wave)
    for kwargs, message in [({"text": ""}, "non-empty"), ({"engine": "sam"}, "engine"), ({"rate": 5}, "rate")]:
        with pytest.raises(ValueError, match=message):
            speech.synthesize(**({"text": "one"} | kwargs))


@needs_espeak
def test_degraded_copies_stay_in_range_and_differ():
    rng = np.random.default_rng(0)
    clean = speech.synthesize("three", sample_rate=8000)
    copies = [word_recognizer.degrade(clean, rng) for _ in range(5)]
    assert all(c.dtype == np.float32 and np.abs(c).max() <= 1 for c in copies)
    assert len({round(float(np.std(c)), 4) for c in copies}) == 5


def test_training_refuses_the_held_out_voices():
    with pytest.raises(ValueError, match="held-out"):
        word_recognizer.train_word_recognizer(voices=[word_recognizer.TEST_VOICES[0]])


@needs_espeak
def test_a_small_recognizer_learns_words_saves_and_loads(tmp_path):
    voices = [f"espeak-ng:{a}+{v}" for a in ("en-us", "en-gb") for v in ("m1", "f2", "m3")]
    rec = word_recognizer.train_word_recognizer(seed=0, voices=voices, takes=1, copies=2, epochs=15, real=False)
    held_out = word_recognizer.synthesize_words(["espeak-ng:en-gb-scotland+m4"], seed=5)
    waves = [w for w, _, _ in held_out]
    truth = [word for _, word, _ in held_out]
    words = rec.predict(waves, 8000)
    assert len(words) == len(truth) and set(words) <= set(word_recognizer.VOCABULARY)
    assert np.mean(np.array(words) == np.array(truth)) >= 0.6
    from scipy.signal import resample_poly

    at_16k = [resample_poly(w, 2, 1).astype(np.float32) for w in waves]
    assert np.mean(np.array(rec.predict(at_16k, 16000)) == np.array(words)) >= 0.8, "any sample rate works"
    path = tmp_path / "recognizer.npz"
    rec.save(path)
    loaded = word_recognizer.load_word_recognizer(path)
    np.testing.assert_allclose(loaded.predict_proba(waves, 8000), rec.predict_proba(waves, 8000), atol=1e-5)
    assert rec.predict(waves[0], 8000) == words[:1], "one waveform on its own is a list of one"
    with pytest.raises(ValueError, match="non-empty list"):
        rec.predict([], 8000)


@pytest.mark.skipif(shutil.which("festival") is None, reason="festival is not installed (apt.txt)")
def test_festival_batch_gives_the_same_words_as_one_call_each():
    waves = speech.synthesize_festival_batch(["one", "seven"], "kal", [160, 120], sample_rate=8000)
    assert len(waves) == 2 and all(w.dtype == np.float32 and w.ndim == 1 for w in waves)
    single = speech.synthesize("one", voice="kal", engine="festival", sample_rate=8000)
    assert abs(len(waves[0]) - len(single)) < 0.05 * 8000
    slower = speech.synthesize_festival_batch(["seven", "seven"], "kal", [200, 110], sample_rate=8000)
    assert len(slower[1]) > len(slower[0])
    with pytest.raises(ValueError, match="quotes"):
        speech.synthesize_festival_batch(['say "hi"'])
    with pytest.raises(ValueError, match="festival voice"):
        speech.synthesize_festival_batch(["one"], voice="nobody")


@pytest.mark.skipif(shutil.which("festival") is None, reason="festival is not installed (apt.txt)")
def test_foreign_festival_voices_say_the_vocabulary_through_respellings():
    voices = [f"festival:{v}" for v in ("it-pc", "cs-krb", "fi-mv")]
    recordings = word_recognizer.synthesize_words(voices, words=("seven", "zero"), takes=1, seed=0)
    assert [(word, voice) for _, word, voice in recordings] == [(w, v) for v in voices for w in ("seven", "zero")]
    assert all(w.ndim == 1 and 0.2 * 8000 < len(w) < 2 * 8000 for w, _, _ in recordings)
    assert word_recognizer._text("zero", "festival:cs-krb") == "zírou", "Czech voices read iso-8859-2 text"
    assert (
        word_recognizer._text("zero", "festival:kal") == "zero" and word_recognizer._text("one", "pico:en-GB") == "one"
    )
    with pytest.raises(ValueError, match="iso-8859-2"):
        speech.synthesize_festival_batch(["日本"], "cs-ph")


@pytest.mark.skipif(shutil.which("festival") is None, reason="festival is not installed (apt.txt)")
def test_a_festival_voice_that_is_not_installed_says_so(monkeypatch):
    from course_lib import synthesis

    monkeypatch.setitem(synthesis.FESTIVAL_VOICES, "zz", "voice_not_installed_diphone")
    with pytest.raises(RuntimeError, match="'zz' is not installed"):
        speech.synthesize_festival_batch(["one"], "zz", sample_rate=8000)


@pytest.mark.skipif(shutil.which("festival") is None, reason="festival is not installed (apt.txt)")
def test_festival_batch_carries_on_past_a_voice_that_crashes(monkeypatch):
    import subprocess

    real_run, calls = subprocess.run, []

    def crash_once(cmd, **kwargs):  # the first run dies after the first text, as festival does on a bad diphone
        calls.append(cmd)
        result = real_run(cmd, **kwargs)
        if len(calls) == 1:
            for extra in sorted(Path(cmd[-1]).parent.glob("*.wav"))[1:]:
                extra.unlink()
            return subprocess.CompletedProcess(cmd, -11, b"", b"")
        return result

    from pathlib import Path

    monkeypatch.setattr(subprocess, "run", crash_once)
    waves = speech.synthesize_festival_batch(["one", "two", "three"], "kal", sample_rate=8000)
    assert len(calls) == 2 and len(waves) == 3 and all(len(w) > 1000 for w in waves)


def test_pico_speaks_at_the_requested_speed_and_rejects_markup():
    pytest.importorskip("ttspico")
    slow = speech.synthesize("what is the time", engine="pico", voice="en-GB", rate=100, sample_rate=8000)
    fast = speech.synthesize("what is the time", engine="pico", voice="en-GB", rate=250, sample_rate=8000)
    assert slow.dtype == np.float32 and len(slow) > 1.5 * len(fast) > 0
    low, high = speech.synthesize_pico_batch(["nine", "nine"], "en-US", pitches=[10, 90], sample_rate=16000)

    def f0(x, rate=16000):  # the lag (50–500 Hz) at which the waveform best matches itself
        ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
        lags = np.arange(rate // 500, rate // 50)
        return rate / lags[np.argmax(ac[lags])]

    assert f0(high) > 1.5 * f0(low), "a higher pitch setting gives a higher fundamental frequency"
    with pytest.raises(ValueError, match="markup"):
        speech.synthesize("<speed level='10'>one</speed>", engine="pico")
    with pytest.raises(ValueError, match="pico voice"):
        speech.synthesize("one", engine="pico", voice="kal")


def test_split_words_finds_each_burst_between_pauses():
    rate = 8000
    pause = np.zeros(int(0.25 * rate), np.float32)
    bursts = [tone(300, 0.3, rate), tone(900, 0.2, rate), tone(1500, 0.4, rate)]
    x = np.concatenate([pause, bursts[0], pause, bursts[1], pause, bursts[2], pause])
    x = x + np.random.default_rng(0).normal(scale=1e-3, size=len(x)).astype(np.float32)
    parts = speech.split_words(x, rate)
    assert len(parts) == 3
    for part, burst in zip(parts, bursts):
        assert abs(len(part) - len(burst)) < 0.1 * rate
    click = np.concatenate([pause, tone(300, 0.02, rate), pause, bursts[0], pause])
    assert len(speech.split_words(click, rate)) == 1, "a 20 ms click is not a word"
    short_gap = np.concatenate([bursts[0], np.zeros(int(0.05 * rate), np.float32), bursts[1]])
    assert len(speech.split_words(short_gap, rate)) == 1, "a 50 ms gap inside a word does not split it"


def test_the_microphone_widget_hands_its_recording_to_python():
    from course_lib import microphone

    widget = microphone.microphone(seconds=1.5)
    assert widget.seconds == 1.5 and "Record" in widget.status
    with pytest.raises(ValueError, match="nothing recorded"):
        widget.wave()
    widget.samples = np.array([0.0, 0.5, -0.25], dtype="<f4").tobytes()
    widget.sample_rate = 48000
    wave, rate = widget.wave()
    assert rate == 48000 and wave.dtype == np.float32 and wave.tolist() == [0.0, 0.5, -0.25]
    with pytest.raises(ValueError, match="multiple of 4"):
        microphone.samples_from_bytes(b"abc", 8000)
    with pytest.raises(ValueError, match="between 0.5 and 30"):
        microphone.microphone(seconds=0)


@pytest.mark.skipif(shutil.which("festival") is None, reason="festival is not installed (apt.txt)")
def test_every_festival_voice_says_the_same_text_the_same_way_twice():
    """A recognizer is reproducible only if its training words are: no voice may vary from run to run."""
    voices = [f"festival:{v}" for v in speech.FESTIVAL_VOICES]
    first, again = (word_recognizer.synthesize_words(voices, takes=2, seed=5) for _ in range(2))
    differ = sorted({voice for (a, _, voice), (b, _, _) in zip(first, again) if not np.array_equal(a, b)})
    assert not differ, f"these voices gave different sound for the same text and speed: {differ}"


def test_the_speaker_split_is_the_fixed_hash_rule():
    import hashlib

    for name in ("sc-0a7c2a8d", "wuw2-session00017", "someone"):
        expected = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 == 0
        assert word_recognizer.held_out_speaker(name) is expected
    names = [f"speaker-{i}" for i in range(600)]
    share = np.mean([word_recognizer.held_out_speaker(n) for n in names])
    assert 0.28 < share < 0.39, "about a third of the speakers are held out"
    with pytest.raises(ValueError, match="speaker"):
        word_recognizer.held_out_speaker(3)


def _tiny_pack(path, words=("one", "the"), speakers=("sc-a", "wuw2-session00001")):
    clips = [np.full(400 + 100 * i, 1000 * (i + 1), np.int16) for i in range(len(words))]
    offsets = np.cumsum([0] + [len(c) for c in clips])
    corpus = ["speech_commands_v0.01" if s.startswith("sc-") else "wuw_corpus_ii" for s in speakers]
    np.savez(
        path,
        audio=np.concatenate(clips),
        offsets=offsets,
        words=np.array(words),
        speakers=np.array(speakers),
        corpus=np.array(corpus),
        sources=np.array(["x", "y"]),
        sample_rate=np.array(8000),
    )


def test_real_words_reads_the_pack_and_says_none_when_it_is_absent(tmp_path, monkeypatch):
    _tiny_pack(tmp_path / "pack.npz")
    pack = word_recognizer.real_words(tmp_path / "pack.npz")
    assert len(pack) == 2 and list(pack.words) == ["one", "the"] and pack.sample_rate == 8000
    assert all(w.dtype == np.float32 and w.ndim == 1 and np.abs(w).max() <= 1 for w in pack.waves)
    assert len(pack.waves[1]) == 500 and np.isclose(pack.waves[1][0], 2000 / 32767)
    np.testing.assert_array_equal(pack.held_out(), [word_recognizer.held_out_speaker(s) for s in pack.speakers])
    monkeypatch.setattr(real_voices, "_real_words_paths", lambda: [tmp_path / "absent.npz"])
    assert word_recognizer.real_words() is None, "no pack (e.g. on Colab): None, not an error"
    with pytest.raises(FileNotFoundError, match="absent"):
        word_recognizer.real_words(tmp_path / "absent.npz")
    monkeypatch.undo()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # the default search starts in $KERAS_HOME/datasets
    assert real_voices._real_words_paths()[0] == tmp_path / "datasets" / word_recognizer.REAL_WORDS_FILE


@pytest.mark.skipif(word_recognizer.real_words() is None, reason="the real-voice pack is not on this machine")
def test_the_real_voice_pack_holds_out_a_third_of_its_speakers():
    pack = word_recognizer.real_words()
    held = pack.held_out()
    assert len(pack) == 863 and set(pack.words) <= set(word_recognizer.VOCABULARY)
    assert not set(pack.speakers[held]) & set(pack.speakers[~held]), "speaker-disjoint"
    for corpus in ("speech_commands_v0.01", "wuw_corpus_ii"):
        speakers = set(pack.speakers[pack.corpus == corpus])
        assert 0.2 < len(speakers & set(pack.speakers[held])) / len(speakers) < 0.45


def test_real_training_clips_are_digits_by_training_speakers_only(tmp_path):
    speakers = [f"sc-{i}" for i in range(30)]
    words = [("one", "the", "seven")[i % 3] for i in range(30)]
    clips = [np.full(400, 1000, np.int16)] * 30
    np.savez(
        tmp_path / "pack.npz",
        audio=np.concatenate(clips),
        offsets=np.arange(31) * 400,
        words=np.array(words),
        speakers=np.array(speakers),
        corpus=np.array(["speech_commands_v0.01"] * 30),
        sources=np.array(["x"] * 30),
        sample_rate=np.array(8000),
    )
    pack = word_recognizer.real_words(tmp_path / "pack.npz")
    chosen = word_recognizer.real_training_clips(pack)
    assert chosen and {word for _, word, _ in chosen} == {"one", "seven"}, "digits only: no running-speech 'the'"
    assert not any(word_recognizer.held_out_speaker(s) for _, _, s in chosen)
    expected = sum(w != "the" and not word_recognizer.held_out_speaker(s) for w, s in zip(words, speakers))
    assert len(chosen) == expected
    assert len(word_recognizer.real_training_clips(pack, words=("the",))) == 10 - sum(
        word_recognizer.held_out_speaker(s) for w, s in zip(words, speakers) if w == "the"
    )
    with pytest.raises(ValueError, match="vocabulary"):
        word_recognizer.real_training_clips(pack, words=("hello",))
    with pytest.raises(ValueError, match="RealWords"):
        word_recognizer.train_word_recognizer(real="yes")


def test_features_are_normalised_per_utterance_and_survive_silence():
    rng = np.random.default_rng(0)
    word = np.concatenate([tone(500, 0.2, 8000), tone(1500, 0.2, 8000)]) + 0.01 * rng.normal(size=3200)
    f = speech.features(word, 8000)
    np.testing.assert_allclose(f.mean(axis=0), 0, atol=1e-4)  # each band's mean over the utterance removed
    assert np.isclose(f.std(), 1, atol=1e-3)
    assert np.corrcoef(speech.features(word * 0.3, 8000).ravel(), f.ravel())[0, 1] > 0.99, "gain drops out"
    for silence in (np.zeros(8000), np.full(8000, 1e-9), np.zeros(10)):
        g = speech.features(silence, 8000)
        assert g.shape == (40, speech.N_MELS) and np.all(np.isfinite(g)), "silence gives numbers, not NaN"


@needs_espeak
def test_without_the_pack_training_says_it_uses_synthetic_voices_only(tmp_path, monkeypatch, caplog):
    import logging

    monkeypatch.setattr(real_voices, "_real_words_paths", lambda: [tmp_path / "absent.npz"])
    with caplog.at_level(logging.INFO, logger="course_lib.word_recognizer"):
        rec = word_recognizer.train_word_recognizer(voices=["espeak-ng:en-us+m1"], takes=1, copies=0, epochs=1)
    assert "synthetic voices only" in caplog.text
    assert len(rec.predict(np.zeros(4000, np.float32), 8000)) == 1
