"""Sorting log lines into templates, and finding unusual stretches of a log.

Defined in: Chapter 16, "More applications".

Real logs are written by a few hundred ``print`` statements with changing
values (users, IP addresses, durations).  Replacing the values by
placeholders recovers the statement — the *template* — so a stretch of log
becomes a vector of template counts that a model can learn what is normal
from.  :func:`generate_logs` writes realistic lines of a small web service
and injects five kinds of faults, so that detectors can be measured.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from course_lib._validation import check_whole

#: The normal lines of the simulated service, as (weight, template); fields in braces are filled at random.
NORMAL = [  # (weight, template); fields in braces are filled at random
    (20, "INFO  api: GET /items/{item} 200 {ms}ms"),
    (6, "INFO  api: POST /cart/{item} 201 {ms}ms"),
    (10, "DEBUG cache: hit key={key}"),
    (4, "DEBUG cache: miss key={key}"),
    (8, "INFO  db: query took {ms}ms rows={rows}"),
    (3, "INFO  auth: user {user} logged in from {ip}"),
    (3, "INFO  auth: user {user} logged out"),
    (1, "WARN  api: slow request GET /items/{item} took {slow}ms"),
    (1, "INFO  worker: job {job} finished in {ms}ms"),
]
#: The faults :func:`generate_logs` can inject: kind → (lines replaced in the window, template).
FAULTS = {  # kind: (lines replaced in the window, template)
    "database down": (12, "ERROR db: connection refused to {ip}:5432 (attempt {attempt})"),
    "server errors": (10, "ERROR api: GET /items/{item} 500 {ms}ms"),
    "slow service": (15, "WARN  api: slow request GET /items/{item} took {slow}ms"),
    "password guessing": (12, "WARN  auth: failed login for user {user} from {ip}"),
    "out of memory": (1, "CRITICAL kernel: out of memory: killed process {job}"),
}
_PLACEHOLDERS = [
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<ip>"),
    (re.compile(r"\b[0-9a-f]{8,}\b"), "<hex>"),
    (re.compile(r"\d+"), "<num>"),
]


def _fill(template: str, rng: np.random.Generator) -> str:
    values = {
        "item": int(rng.integers(1, 5000)),
        "ms": int(rng.lognormal(3.0, 0.5)),
        "slow": int(rng.integers(800, 4000)),
        "key": f"{int(rng.integers(0, 2**32)):08x}",
        "rows": int(rng.integers(0, 200)),
        "user": f"u{int(rng.integers(1, 900))}",
        "ip": f"10.{rng.integers(0, 256)}.{rng.integers(0, 256)}.{rng.integers(1, 255)}",
        "job": int(rng.integers(1000, 99999)),
        "attempt": int(rng.integers(1, 6)),
    }
    return template.format(**values)


def generate_logs(windows: int, lines: int = 60, fault_rate: float = 0.05, seed: int = 0):
    """``windows`` stretches of log, each ``lines`` lines: ``(logs, kinds)``; a kind is ``""`` when normal.

    Defined in: Chapter 16, "More applications".

    Each line carries a time stamp; a faulty window has some of its lines
    replaced by one fault's lines (see :data:`FAULTS`), spread over the window.
    """
    windows, lines = check_whole(windows, "windows"), check_whole(lines, "lines", minimum=20)
    if not 0 <= fault_rate <= 1:
        raise ValueError(f"fault_rate must be a fraction in [0, 1], got {fault_rate}")
    rng = np.random.default_rng(seed)
    weights = np.array([w for w, _ in NORMAL], float)
    logs, kinds = [], []
    for w in range(windows):
        picks = rng.choice(len(NORMAL), size=lines, p=weights / weights.sum())
        body = [_fill(NORMAL[k][1], rng) for k in picks]
        kind = str(rng.choice(list(FAULTS))) if rng.random() < fault_rate else ""
        if kind:
            count, template = FAULTS[kind]
            for pos in rng.choice(lines, size=count, replace=False):
                body[pos] = _fill(template, rng)
        stamp = 8 * 3600 + 60 * w
        logs.append([f"{stamp // 3600:02d}:{stamp // 60 % 60:02d}:{i:02d} {line}" for i, line in enumerate(body)])
        kinds.append(kind)
    return logs, kinds


def template(line: str) -> str:
    """The template of a log line: time stamp dropped, IP addresses, hex keys and numbers replaced by placeholders.

    Defined in: Chapter 16, "More applications".
    """
    if not isinstance(line, str):
        raise ValueError(f"line must be a string, got {type(line).__name__}")
    text = re.sub(r"^\d\d:\d\d:\d\d ", "", line.strip())
    for pattern, placeholder in _PLACEHOLDERS:
        text = pattern.sub(placeholder, text)
    return text


class TemplateCounts:
    """Turns windows of log lines into vectors: the share of each known template, plus one for unknown lines.

    Defined in: Chapter 16, "More applications".
    """

    def fit(self, logs) -> TemplateCounts:
        counts = Counter(template(line) for window in logs for line in window)
        self.templates = sorted(counts)
        self.index = {t: i for i, t in enumerate(self.templates)}
        return self

    def transform(self, logs) -> np.ndarray:
        out = np.zeros((len(logs), len(self.templates) + 1))
        for row, window in enumerate(logs):
            for line in window:
                out[row, self.index.get(template(line), len(self.templates))] += 1
            out[row] /= max(len(window), 1)
        return out


__all__ = ["FAULTS", "NORMAL", "TemplateCounts", "generate_logs", "template"]
