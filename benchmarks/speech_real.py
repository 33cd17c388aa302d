"""Chapter 14's recognizer on real people's voices, beside PocketSphinx.  ``make bench-speech``.

Trains the recognizer exactly as the chapter does (``train_word_recognizer(seed)``, timed in wall-clock and CPU
seconds), then measures, in one run:

* the chapter's held-out synthetic voices (``TEST_VOICES``, three takes of each word);
* the held-out speakers of the real-voice pack (``word_recognizer.real_words()``; a speaker is held out when
  ``word_recognizer.held_out_speaker`` says so), overall, per source corpus and per word;
* PocketSphinx 5 with its bundled en-US model, restricted by a grammar to the same 14 words
  (``course_lib.sphinx_baseline``), on the same real clips, without padding and with 0.3 s of silence around
  each clip, and its time per word.

Prints one ``name: value`` line per figure.  ``--seeds 0 1 2`` trains and measures several seeds (default: 0).
Without the pack (it is not in the repository) the real-voice lines say so and the synthetic ones still print.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_lib import sphinx_baseline, word_recognizer  # noqa: E402

SOURCES = ("speech_commands_v0.01", "wuw_corpus_ii")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the synthesisers run as subprocesses)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def report(prefix: str, heard, truth: np.ndarray, corpus: np.ndarray) -> None:
    heard = np.array(heard, dtype=object)
    print(f"{prefix}: {np.mean(heard == truth):.3f}  ({int(np.sum(heard == truth))} of {len(truth)})")
    for source in SOURCES:
        mine = corpus == source
        if mine.any():
            print(f"{prefix}_{source}: {np.mean(heard[mine] == truth[mine]):.3f}  ({int(mine.sum())} clips)")


def per_word(prefix: str, heard, truth: np.ndarray) -> None:
    heard = np.array(heard, dtype=object)
    cells = [
        f"{w} {np.mean(heard[truth == w] == w):.2f}/{int(np.sum(truth == w))}"
        for w in word_recognizer.VOCABULARY
        if np.any(truth == w)
    ]
    print(f"{prefix}_per_word: {'  '.join(cells)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (default: 0)")
    args = parser.parse_args(argv)

    pack = word_recognizer.real_words()
    if pack is None:
        print("real_voices: the pack real_words_8k.npz was not found (see word_recognizer.real_words); skipped")
    else:
        held = pack.held_out()
        waves = [w for w, h in zip(pack.waves, held) if h]
        truth, corpus = pack.words[held], pack.corpus[held]
        print(f"real_held_out_clips: {len(waves)}  ({len(set(pack.speakers[held]))} speakers)")

    synthetic = word_recognizer.synthesize_words(word_recognizer.TEST_VOICES, takes=3, seed=123)
    synthetic_truth = np.array([word for _, word, _ in synthetic])
    for seed in args.seeds:
        tag = f"seed{seed}"
        wall, cpu = time.perf_counter(), cpu_seconds()
        recognizer = word_recognizer.train_word_recognizer(seed=seed)
        print(f"training_seconds_{tag}: {time.perf_counter() - wall:.1f}  (CPU {cpu_seconds() - cpu:.1f} s)")
        heard = np.array(recognizer.predict([w for w, _, _ in synthetic], 8000))
        print(f"synthetic_held_out_accuracy_{tag}: {np.mean(heard == synthetic_truth):.3f}  ({len(heard)} words)")
        if pack is not None:
            heard = recognizer.predict(waves, pack.sample_rate)
            report(f"real_held_out_accuracy_{tag}", heard, truth, corpus)
            per_word(f"real_held_out_{tag}", heard, truth)

    if pack is not None:
        for pad in (0.0, 0.3):
            start = time.perf_counter()
            heard = sphinx_baseline.recognize_words(waves, pack.sample_rate, word_recognizer.VOCABULARY, pad)
            ms = 1000 * (time.perf_counter() - start) / len(waves)
            name = f"pocketsphinx_pad{pad:g}s"
            report(f"{name}_accuracy", heard, truth, corpus)
            per_word(name, heard, truth)
            print(f"{name}_no_hypothesis: {sum(h is None for h in heard)}")
            print(f"{name}_ms_per_word: {ms:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
