"""Does training on more voices of real people help on voices of people never heard?  ``make bench-speech``.

Chapter 14's recognizer is judged on real speakers this repository has no
recordings of.  The closest stand-in we have: the seven accented festival
voices, each built from one real person's recorded diphones.  Four of them
(group B) are held out; the recognizer is trained with the other three
(group A) and without them, over several seeds, and tested on group B and on
the chapter's held-out voices.  Prints one ``name: value`` line per figure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_lib import word_recognizer  # noqa: E402

GROUP_A = ("festival:it-pc", "festival:cs-dita", "festival:fi-lj")
GROUP_B = ("festival:it-lp", "festival:cs-krb", "festival:cs-ph", "festival:fi-mv")


def accuracy(recognizer, voices) -> float:
    held_out = word_recognizer.synthesize_words(voices, takes=3, seed=123)
    truth = np.array([word for _, word, _ in held_out])
    return float(np.mean(np.array(recognizer.predict([w for w, _, _ in held_out], 8000)) == truth))


def main(seeds=(0, 1, 2)) -> None:
    base = [v for v in word_recognizer.all_voices() if v not in word_recognizer.TEST_VOICES and v not in GROUP_B]
    for name, voices in [("without_group_a", [v for v in base if v not in GROUP_A]), ("with_group_a", base)]:
        on_b, on_test = [], []
        for seed in seeds:
            recognizer = word_recognizer.train_word_recognizer(seed=seed, voices=voices, real=False)
            on_b.append(accuracy(recognizer, GROUP_B))
            on_test.append(accuracy(recognizer, word_recognizer.TEST_VOICES))
        print(f"speech_unseen_accents_{name}: {np.mean(on_b):.3f}  (seeds: {' '.join(f'{a:.3f}' for a in on_b)})")
        print(
            f"speech_held_out_voices_{name}: {np.mean(on_test):.3f}  (seeds: {' '.join(f'{a:.3f}' for a in on_test)})"
        )


if __name__ == "__main__":
    main()
