"""What an instructor gets from a grading run: a gradebook, an LMS import, feedback per student, a class summary.

Defined in: Preface, "Grading a class".

Student folder names and the checks' messages are written by learners, so every output treats them as hostile:

* messages are capped (:func:`cap_message`) and a student's feedback file at :data:`FEEDBACK_MAX_BYTES`;
* in Markdown, messages sit in a code fence longer than any run of backticks they hold, names are escaped;
* CSV cells that a spreadsheet would run as a formula start with ``'`` (:func:`csv_cell`);
* a feedback file's name is always a safe, short file name (:func:`feedback_filename`);
* every file is created new (:func:`create_file`): never through a symbolic link, never over an existing file.

A results folder also holds ``rows.jsonl`` and ``run.json``, from which :mod:`course_lib.grade.merge` puts the
results of a class graded in shards back together.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import stat
import unicodedata
from collections import Counter
from pathlib import Path

#: The columns of the gradebook, one row per student, notebook and exercise.
GRADEBOOK_FIELDS = ("student", "notebook", "exercise", "status", "points", "max_points", "message")

#: A feedback message is cut to this many characters …
MESSAGE_MAX_CHARS = 2000
#: … and this many lines, and then ends with :data:`CUT_MARKER`.
MESSAGE_MAX_LINES = 40
#: What ends a message that was cut.
CUT_MARKER = "… (message cut)"
#: The largest feedback file written for one notebook, in bytes.
FEEDBACK_MAX_BYTES = 200_000
DROPPED_NOTE = "*(Message left out: this feedback file reached its 200 kB limit; gradebook.csv has the message.)*"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls and DEL, except tab and newline
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&$^])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_LOOKS_HASHED = re.compile(r"-[0-9a-f]{8,}$")
_MAX_NAME_BYTES = 255  # the longest file name of common file systems
_ENCODING = {"encoding": "utf-8", "errors": "backslashreplace", "newline": ""}
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def load_points(path=None) -> tuple[dict, float]:
    """``({exercise: points}, default)`` from a points file (default: the course's ``points.toml``)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from importlib import resources

    text = Path(path).read_text() if path else resources.files("course_lib.grade").joinpath("points.toml").read_text()
    data = tomllib.loads(text)
    points, default = data.get("points", {}), data.get("default", 1)
    for name, value in [("default", default), *points.items()]:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"points for {name!r} must be a number ≥ 0, got {value!r}")
    return dict(points), float(default)


# --- Learner-controlled text -------------------------------------------------------------------------------------


def cap_message(text) -> str:
    """``text`` without control characters (but newline and tab), cut to 2,000 characters and 40 lines.

    A cut message ends with a line :data:`CUT_MARKER` and still fits both limits, so capping twice changes nothing.
    """
    text = _CONTROL.sub("", "" if text is None else str(text))
    lines = text.split("\n")
    if len(text) <= MESSAGE_MAX_CHARS and len(lines) <= MESSAGE_MAX_LINES:
        return text
    kept = "\n".join(lines[: MESSAGE_MAX_LINES - 1])[: MESSAGE_MAX_CHARS - len(CUT_MARKER) - 1]
    return f"{kept}\n{CUT_MARKER}"


def markdown_text(text) -> str:
    """``text`` as literal Markdown on one line: control characters dropped, specials backslash-escaped."""
    text = _CONTROL.sub("", str(text)).replace("\n", " ").replace("\t", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_fence(text: str, info: str = "text") -> str:
    """``text`` in a code fence longer than any run of backticks or tildes inside it, so it cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def csv_cell(value):
    """``value`` for a CSV cell: text a spreadsheet would read as a formula gets a leading ``'``; numbers as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _name_bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogatepass")


def _hashed_filename(student: str, digits: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode()
    prefix = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).lstrip("._-")[:64] or "student"
    return f"{prefix}-{hashlib.sha256(_name_bytes(student)).hexdigest()[:digits]}.md"


def feedback_filename(student: str) -> str:
    """The file name of ``student``'s feedback: ``<student>.md`` when that is a short, safe name, else hashed.

    Safe means letters, digits and ``._-``, not starting with ``.`` or ``-``, at most 255 bytes with ``.md``, and not
    ending like a hashed name.  Any other name becomes a safe prefix of it and 8 hex digits of its SHA-256.
    """
    name = f"{student}.md"
    if (
        _SAFE_NAME.fullmatch(student)
        and not _LOOKS_HASHED.search(student)
        and len(_name_bytes(name)) <= _MAX_NAME_BYTES
    ):
        return name
    return _hashed_filename(student, 8)


def feedback_filenames(students) -> dict[str, str]:
    """``{student: file name}`` for a class, in order; names equal but for case get the full hash, not a clash."""
    names, used = {}, set()
    for student in students:
        name = feedback_filename(student)
        if name.casefold() in used:
            name = _hashed_filename(student, 64)
        used.add(name.casefold())
        names[student] = name
    return names


# --- Files -------------------------------------------------------------------------------------------------------


def create_file(path, binary: bool = False):
    """Open a *new* file for writing: refuses a path that exists, be it a file, a FIFO or a symbolic link."""
    try:
        fd = os.open(path, _NEW_FILE, 0o644)
    except FileExistsError as exc:
        raise FileExistsError(exc.errno, "refusing to write over an existing file or link", str(path)) from None
    return os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", **_ENCODING)


def _real_dir(path: Path) -> Path:
    """Create ``path`` if needed; refuse it when it is a symbolic link or not a folder."""
    try:
        path.mkdir()
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise ValueError(f"{path} is a symbolic link or not a folder; results are only written into real folders")
    return path


def prepare_out_dir(path) -> Path:
    """Create a results folder and its ``feedback/``; refuse a symbolic link or a folder that is not empty."""
    out = Path(path)
    if out.is_symlink():
        raise ValueError(f"the results folder {out} is a symbolic link; give the path of a real folder")
    if out.exists() and not out.is_dir():
        raise ValueError(f"the results folder {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        raise ValueError(
            f"the results folder {out} is not empty; give a new or empty folder (results are never overwritten)"
        )
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    _real_dir(out / "feedback")
    return out


# --- Outputs -----------------------------------------------------------------------------------------------------


def gradebook_rows(results: dict, exercises: dict, points: dict, default: float) -> list[dict]:
    """One row per student and exercise, in course order (see :data:`GRADEBOOK_FIELDS`); messages capped."""
    students = sorted({student for student, _ in results})
    rows = []
    for student in students:
        for notebook, pairs in exercises.items():
            found = {row["exercise"]: row for row in results.get((student, notebook), [])}
            for exercise, _ in pairs:
                row = found[exercise]
                worth = points.get(exercise, default)
                rows.append(
                    {
                        "student": student,
                        "notebook": notebook,
                        "exercise": exercise,
                        "status": row["status"],
                        "points": worth if row["status"] == "passed" else 0,
                        "max_points": worth,
                        "message": cap_message(row["message"]),
                    }
                )
    return rows


def _by_student(rows: list[dict]) -> dict[str, list[dict]]:
    groups = {}
    for r in rows:
        groups.setdefault(r["student"], []).append(r)
    return groups


def write_gradebook(rows: list[dict], out: Path) -> None:
    """``gradebook.csv`` (long: one row per student and exercise) and ``lms.csv`` (one column per exercise)."""
    out = Path(out)
    with create_file(out / "gradebook.csv") as f:
        writer = csv.DictWriter(f, GRADEBOOK_FIELDS)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: csv_cell(cap_message(r[k]) if k == "message" else r[k]) for k in GRADEBOOK_FIELDS})
    exercises = list(dict.fromkeys(r["exercise"] for r in rows))
    groups = _by_student(rows)
    score = {(r["student"], r["exercise"]): r["points"] for r in rows}
    possible = sum(r["max_points"] for r in next(iter(groups.values()), []))
    with create_file(out / "lms.csv") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *(csv_cell(e) for e in exercises), f"total (of {possible:g})"])
        for student in groups:
            marks = [score[student, e] for e in exercises]
            writer.writerow([csv_cell(student), *(f"{m:g}" for m in marks), f"{sum(marks):g}"])


_ICON = {"passed": "✅"}


def _size(text: str) -> int:
    return len(text.encode("utf-8", "backslashreplace"))


def feedback_markdown(student: str, mine: list[dict]) -> str:
    """One student's feedback page: every exercise with its check's message in a fence, grouped by notebook.

    Headings and marks are always there; message bodies are left out, with a note, from the first one that would
    take the page over :data:`FEEDBACK_MAX_BYTES`.
    """
    got, possible = sum(r["points"] for r in mine), sum(r["max_points"] for r in mine)
    pieces = [(f"# Feedback for {markdown_text(student)}\n\n**{got:g} of {possible:g} points.**\n\n", False)]
    for notebook in dict.fromkeys(r["notebook"] for r in mine):
        pieces.append((f"## {markdown_text(notebook)}\n\n", False))
        for r in (r for r in mine if r["notebook"] == notebook):
            mark = f"{r['points']:g}/{r['max_points']:g}"
            title = f"{markdown_text(r['exercise'])} — {markdown_text(r['status'])} ({mark})"
            pieces.append((f"### {_ICON.get(r['status'], '❌')} {title}\n\n", False))
            pieces.append((markdown_fence(cap_message(r["message"])) + "\n\n", True))
    note = DROPPED_NOTE + "\n\n"
    size = sum(_size(note if body else text) for text, body in pieces)
    dropping = False
    page = []
    for text, body in pieces:
        if body and not dropping:
            dropping = size + _size(text) - _size(note) > FEEDBACK_MAX_BYTES
            size += 0 if dropping else _size(text) - _size(note)
        page.append(note if body and dropping else text)
    return "".join(page).rstrip("\n") + "\n"


def write_feedback(rows: list[dict], out: Path) -> None:
    """``feedback/<student>.md`` (named by :func:`feedback_filenames`): each student's :func:`feedback_markdown`."""
    folder = _real_dir(Path(out) / "feedback")
    groups = _by_student(rows)
    for student, name in feedback_filenames(groups).items():
        with create_file(folder / name) as f:
            f.write(feedback_markdown(student, groups[student]))


def pass_rates(rows: list[dict]) -> dict[str, float]:
    """Fraction of students who passed each exercise, in course order."""
    total, passed = Counter(), Counter()
    for r in rows:
        total[r["exercise"]] += 1
        passed[r["exercise"]] += r["status"] == "passed"
    return {e: passed[e] / total[e] for e in total}


def _plot_pass_rates(rates: dict[str, float], n_students: int, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.28 * len(rates) + 1.2))
    names = list(rates)[::-1]
    values = [100 * rates[n] for n in names]
    colours = ["#c0392b" if v < 50 else "#e67e22" if v < 80 else "#27ae60" for v in values]
    ax.barh(range(len(names)), values, color=colours)
    ax.set_yticks(range(len(names)), [n.replace("$", r"\$") for n in names])  # no mathtext from a name
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"students who passed (%, of {n_students})")
    ax.set_title("Pass rate per exercise")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    fig.tight_layout()
    with create_file(out / "pass_rates.png", binary=True) as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)


def write_summary(rows: list[dict], out: Path, wall_seconds: float | None = None) -> None:
    """``summary.html`` and ``pass_rates.png``: where the class struggles, at a glance (no timing if not given)."""
    out = Path(out)
    rates = pass_rates(rows)
    groups = _by_student(rows)
    _plot_pass_rates(rates, len(groups), out)

    statuses = Counter((r["exercise"], r["status"]) for r in rows)
    all_statuses = sorted({r["status"] for r in rows}, key=lambda s: (s != "passed", s))
    head = "".join(f"<th>{html.escape(str(s))}</th>" for s in all_statuses)
    body = "".join(
        f"<tr><td>{html.escape(str(e))}</td><td>{100 * rate:.0f} %</td>"
        + "".join(f"<td>{statuses[e, s] or ''}</td>" for s in all_statuses)
        + "</tr>"
        for e, rate in rates.items()
    )
    marks = sorted(sum(r["points"] for r in mine) for mine in groups.values())
    possible = sum(r["max_points"] for r in next(iter(groups.values()), []))
    median = marks[len(marks) // 2] if marks else 0
    timing = f" Graded in {wall_seconds:.0f} s." if wall_seconds is not None else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Class summary</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .6em;text-align:right}}
td:first-child{{text-align:left}}table{{border-collapse:collapse}}tr:nth-child(even){{background:#f4f4f4}}</style>
</head><body><h1>Class summary</h1>
<p>{len(groups)} students, {len(rates)} exercises; median mark {median:g} of {possible:g}.{timing}
Per-student messages are in <code>feedback/</code>; the marks in <code>gradebook.csv</code> and <code>lms.csv</code>.</p>
<img src="pass_rates.png" alt="Pass rate per exercise">
<h2>Statuses per exercise</h2><table><tr><th>exercise</th><th>passed</th>{head}</tr>{body}</table>
</body></html>"""
    with create_file(out / "summary.html") as f:
        f.write(page)


def write_rows_jsonl(rows: list[dict], out: Path) -> None:
    """``rows.jsonl``: the gradebook rows, one JSON object a line, in order (what :func:`course_lib.grade.merge.merge` reads back)."""
    with create_file(Path(out) / "rows.jsonl") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in GRADEBOOK_FIELDS}) + "\n")


def write_run_info(info: dict, out: Path) -> None:
    """``run.json``: the caller's facts about the run (seed, shard, edition, ...)."""
    with create_file(Path(out) / "run.json") as f:
        f.write(json.dumps(info, indent=2, sort_keys=True, default=str) + "\n")


def write_all(rows: list[dict], out: Path, info: dict | None, wall_seconds: float | None = None) -> None:
    """Every output of a run into ``out``: the CSVs, feedback, summary, ``rows.jsonl`` and ``run.json``."""
    out = Path(out)
    write_gradebook(rows, out)
    write_feedback(rows, out)
    write_summary(rows, out, wall_seconds)
    write_rows_jsonl(rows, out)
    write_run_info(info or {}, out)


__all__ = [
    "CUT_MARKER",
    "FEEDBACK_MAX_BYTES",
    "GRADEBOOK_FIELDS",
    "MESSAGE_MAX_CHARS",
    "MESSAGE_MAX_LINES",
    "cap_message",
    "create_file",
    "csv_cell",
    "feedback_filename",
    "feedback_filenames",
    "feedback_markdown",
    "gradebook_rows",
    "load_points",
    "markdown_fence",
    "markdown_text",
    "pass_rates",
    "prepare_out_dir",
    "write_all",
    "write_feedback",
    "write_gradebook",
    "write_rows_jsonl",
    "write_run_info",
    "write_summary",
]
