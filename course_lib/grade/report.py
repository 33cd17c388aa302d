"""What an instructor gets from a grading run: a gradebook, an LMS import, feedback per student, a class summary.

Defined in: Preface, "Grading a class".
"""

from __future__ import annotations

import csv
import html
from collections import Counter
from pathlib import Path

GRADEBOOK_FIELDS = ("student", "notebook", "exercise", "status", "points", "max_points", "message")


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


def gradebook_rows(results: dict, exercises: dict, points: dict, default: float) -> list[dict]:
    """One row per student and exercise, in course order (see :data:`GRADEBOOK_FIELDS`)."""
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
                        "message": row["message"],
                    }
                )
    return rows


def write_gradebook(rows: list[dict], out: Path) -> None:
    """``gradebook.csv`` (long: one row per student and exercise) and ``lms.csv`` (one column per exercise)."""
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, GRADEBOOK_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    exercises = list(dict.fromkeys(r["exercise"] for r in rows))
    students = list(dict.fromkeys(r["student"] for r in rows))
    score = {(r["student"], r["exercise"]): r["points"] for r in rows}
    possible = sum(r["max_points"] for r in rows if r["student"] == students[0]) if students else 0
    with open(out / "lms.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *exercises, f"total (of {possible:g})"])
        for student in students:
            marks = [score[student, e] for e in exercises]
            writer.writerow([student, *(f"{m:g}" for m in marks), f"{sum(marks):g}"])


_ICON = {"passed": "✅"}


def write_feedback(rows: list[dict], out: Path) -> None:
    """``feedback/<student>.md``: every exercise with the check's own message, grouped by notebook."""
    folder = out / "feedback"
    folder.mkdir(exist_ok=True)
    for student in dict.fromkeys(r["student"] for r in rows):
        mine = [r for r in rows if r["student"] == student]
        got, possible = sum(r["points"] for r in mine), sum(r["max_points"] for r in mine)
        lines = [f"# Feedback for {student}", "", f"**{got:g} of {possible:g} points.**", ""]
        for notebook in dict.fromkeys(r["notebook"] for r in mine):
            lines += [f"## {notebook}", ""]
            for r in (r for r in mine if r["notebook"] == notebook):
                mark = f"{r['points']:g}/{r['max_points']:g}"
                lines += [f"### {_ICON.get(r['status'], '❌')} {r['exercise']} — {r['status']} ({mark})", ""]
                lines += ["```text", r["message"], "```", ""]
        (folder / f"{student}.md").write_text("\n".join(lines), encoding="utf-8")


def pass_rates(rows: list[dict]) -> dict[str, float]:
    """Fraction of students who passed each exercise, in course order."""
    total, passed = Counter(), Counter()
    for r in rows:
        total[r["exercise"]] += 1
        passed[r["exercise"]] += r["status"] == "passed"
    return {e: passed[e] / total[e] for e in total}


def write_summary(rows: list[dict], out: Path, wall_seconds: float | None = None) -> None:
    """``summary.html`` and ``pass_rates.png``: where the class struggles, at a glance."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rates = pass_rates(rows)
    students = list(dict.fromkeys(r["student"] for r in rows))
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(rates) + 1.2))
    names = list(rates)[::-1]
    values = [100 * rates[n] for n in names]
    colours = ["#c0392b" if v < 50 else "#e67e22" if v < 80 else "#27ae60" for v in values]
    ax.barh(names, values, color=colours)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"students who passed (%, of {len(students)})")
    ax.set_title("Pass rate per exercise")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    fig.tight_layout()
    fig.savefig(out / "pass_rates.png", dpi=110)
    plt.close(fig)

    statuses = Counter((r["exercise"], r["status"]) for r in rows)
    all_statuses = sorted({r["status"] for r in rows}, key=lambda s: (s != "passed", s))
    head = "".join(f"<th>{html.escape(s)}</th>" for s in all_statuses)
    body = "".join(
        f"<tr><td>{html.escape(e)}</td><td>{100 * rate:.0f} %</td>"
        + "".join(f"<td>{statuses[e, s] or ''}</td>" for s in all_statuses)
        + "</tr>"
        for e, rate in rates.items()
    )
    totals = {s: sum(r["points"] for r in rows if r["student"] == s) for s in students}
    possible = sum(r["max_points"] for r in rows if r["student"] == students[0]) if students else 0
    marks = sorted(totals.values())
    median = marks[len(marks) // 2] if marks else 0
    timing = f" Graded in {wall_seconds:.0f} s." if wall_seconds is not None else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Class summary</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .6em;text-align:right}}
td:first-child{{text-align:left}}table{{border-collapse:collapse}}tr:nth-child(even){{background:#f4f4f4}}</style>
</head><body><h1>Class summary</h1>
<p>{len(students)} students, {len(rates)} exercises; median mark {median:g} of {possible:g}.{timing}
Per-student messages are in <code>feedback/</code>; the marks in <code>gradebook.csv</code> and <code>lms.csv</code>.</p>
<img src="pass_rates.png" alt="Pass rate per exercise">
<h2>Statuses per exercise</h2><table><tr><th>exercise</th><th>passed</th>{head}</tr>{body}</table>
</body></html>"""
    (out / "summary.html").write_text(page, encoding="utf-8")


__all__ = [
    "GRADEBOOK_FIELDS",
    "gradebook_rows",
    "load_points",
    "pass_rates",
    "write_feedback",
    "write_gradebook",
    "write_summary",
]
