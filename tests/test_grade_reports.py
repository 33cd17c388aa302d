"""The grader's reports hold up against hostile names and messages, and a class graded in shards merges exactly."""

from __future__ import annotations

import csv
import hashlib
import os

import pytest

from course_lib.grade.merge import merge, read_part, shard_of
from course_lib.grade.report import (
    CUT_MARKER,
    FEEDBACK_MAX_BYTES,
    MESSAGE_MAX_CHARS,
    MESSAGE_MAX_LINES,
    cap_message,
    csv_cell,
    feedback_filename,
    feedback_filenames,
    gradebook_rows,
    prepare_out_dir,
    write_all,
    write_feedback,
    write_gradebook,
    write_summary,
)

EXERCISES = {"04_activations.ipynb": [("sigmoid", "sigmoid"), ("relu", "relu")], "06_losses.ipynb": [("mse", "mse")]}
FAKE_PASS = "```\n### ✅ sigmoid — passed\n<script>alert(1)</script>\n~~~~\n````"


def _row(student, notebook, exercise, status="passed", message="all 8 test cases passed", worth=1):
    return {
        "student": student,
        "notebook": notebook,
        "exercise": exercise,
        "status": status,
        "points": worth if status == "passed" else 0,
        "max_points": worth,
        "message": message,
    }


def _class_rows(students):
    """Rows as :func:`gradebook_rows` makes them, with a mix of statuses and awkward messages."""
    results = {}
    for i, student in enumerate(students):
        for notebook, pairs in EXERCISES.items():
            results[student, notebook] = [
                {"exercise": e, "status": "passed" if (i + j) % 3 else "wrong", "message": f"{FAKE_PASS}\n{i}:{j}"}
                for j, (e, _) in enumerate(pairs)
            ]
    return gradebook_rows(results, EXERCISES, {"mse": 2}, 1.0)


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# --- Messages ----------------------------------------------------------------------------------------------------


def test_short_messages_are_kept_and_control_characters_dropped():
    assert cap_message("AssertionError: expected 0.5\n\tgot 0.7") == "AssertionError: expected 0.5\n\tgot 0.7"
    assert cap_message("a\x00b\x1b[31mc\r\nd\x7f") == "ab[31mc\nd"
    assert cap_message(None) == ""


@pytest.mark.parametrize("text", ["x" * 10_000, "line\n" * 500, ("é" * 100 + "\n") * 30, "ValueError: " + "y" * 5000])
def test_long_messages_are_cut_visibly_within_both_limits(text):
    capped = cap_message(text)
    assert len(capped) <= MESSAGE_MAX_CHARS and len(capped.split("\n")) <= MESSAGE_MAX_LINES
    assert capped.endswith("\n" + CUT_MARKER) and text.startswith(capped.split("\n")[0][:50])
    assert cap_message(capped) == capped


def test_gradebook_messages_are_capped(tmp_path):
    results = {("ann", "06_losses.ipynb"): [{"exercise": "mse", "status": "error", "message": "boom\x00\n" * 1000}]}
    rows = gradebook_rows(results, {"06_losses.ipynb": [("mse", "mse")]}, {}, 1.0)
    write_gradebook(rows, tmp_path)
    message = _read_csv(tmp_path / "gradebook.csv")[1][-1]
    assert message == rows[0]["message"] and message.endswith(CUT_MARKER) and "\x00" not in message


def test_a_students_feedback_stays_under_its_size_limit(tmp_path):
    rows = [_row("ann", "big.ipynb", f"ex{i}", "wrong", "€" * 1999) for i in range(200)]
    write_feedback(rows, tmp_path)
    text = (tmp_path / "feedback" / "ann.md").read_text(encoding="utf-8")
    assert len(text.encode()) <= FEEDBACK_MAX_BYTES
    assert text.count("### ❌") == 200 and "reached its 200 kB limit" in text and "€" * 1999 in text


# --- Markdown ----------------------------------------------------------------------------------------------------


def test_learner_text_cannot_escape_its_fence_or_forge_headings(tmp_path):
    markdown_it = pytest.importorskip("markdown_it")
    student = "Eve</h1><img src=x onerror=alert(1)> # ✅ *passed* [x](y) `z`\n### ✅ relu — passed"
    rows = [
        _row(student, "04_activations.ipynb", "sigmoid", "wrong", FAKE_PASS),
        _row(student, "04_activations.ipynb", "relu", "error", "~~~\n<b>hi</b>\n" + "`" * 9),
    ]
    write_feedback(rows, tmp_path)
    (page,) = (tmp_path / "feedback").iterdir()
    tokens = markdown_it.MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h3", "h3"]
    assert not [t for t in tokens if "html" in t.type]
    assert [t.content for t in tokens if t.type == "fence"] == [r["message"] + "\n" for r in rows]
    h1 = tokens[[t.type for t in tokens].index("heading_open") + 1]
    assert [c.type for c in h1.children] == ["text"]
    assert h1.children[0].content == "Feedback for " + student.replace("\n", " ")
    h3 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.tag == "h3" and t.type == "heading_open"]
    assert [h.startswith("❌") for h in h3] == [True, True]


# --- CSV ---------------------------------------------------------------------------------------------------------


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path):
    evil = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"]
    assert [csv_cell(v) for v in evil] == ["'" + v for v in evil]
    assert [csv_cell(v) for v in ["ann", "1=1", 3, 0, 2.5]] == ["ann", "1=1", 3, 0, 2.5]
    rows = [_row(s, "n.ipynb", "=cmd|' /C calc'!A0", "wrong", m) for s, m in zip(evil[:4], evil[2:])]
    write_gradebook(rows, tmp_path)
    book = _read_csv(tmp_path / "gradebook.csv")[1:]
    assert [r[0] for r in book] == ["'" + s for s in evil[:4]]
    assert {r[2] for r in book} == {"'=cmd|' /C calc'!A0"}
    assert all(r[6].startswith("'") for r in book) and [r[4:6] for r in book] == [["0", "1"]] * 4
    lms = _read_csv(tmp_path / "lms.csv")
    assert lms[0][1] == "'=cmd|' /C calc'!A0" and [r[0] for r in lms[1:]] == ["'" + s for s in evil[:4]]
    assert all(cell[0] not in "=+-@\t\r" for line in lms + book for cell in line if cell)


# --- File names --------------------------------------------------------------------------------------------------


def test_feedback_file_names_are_short_safe_and_distinct():
    assert feedback_filename("s001_correct") == "s001_correct.md"
    assert feedback_filename("jane.doe-2") == "jane.doe-2.md"
    awkward = ["a" * 255, "é" * 127, "Zoë Ünal", "../../etc/passwd", ".hidden", "-rf", "", "x/y", "a\nb", "\udcff"]
    names = [feedback_filename(s) for s in awkward]
    for name in names:
        assert len(name.encode()) <= 255 and name.endswith(".md") and name[0] not in ".-"
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert len(set(names)) == len(names) and names[2].startswith("Zoe_Unal-")
    hashed = names[0][:-3]
    assert feedback_filename(hashed) != hashed + ".md"  # a name cannot pose as another's hashed name
    assert len(set(feedback_filenames(["Bob", "bob", "BOB"]).values())) == 3


def test_every_report_is_written_whatever_the_names(tmp_path):
    students = ["a" * 255, "é" * 127, "Zoë Ünal de la Cruz", "Bob", "bob", "=evil", "s001_correct", "bad\udcff"]
    for student in students:  # every one of them is a valid folder name
        (tmp_path / "names" / student).mkdir(parents=True)
    rows = _class_rows(students)
    out = prepare_out_dir(tmp_path / "out")
    write_all(rows, out, {"seed": 0})
    files = sorted((out / "feedback").iterdir())
    assert len(files) == len(students)
    headings = {p.read_text(encoding="utf-8").split("\n")[0] for p in files}
    assert "# Feedback for Zoë Ünal de la Cruz" in headings and "# Feedback for s001\\_correct" in headings
    assert len(_read_csv(out / "lms.csv")) == 1 + len(students)
    for name in ("gradebook.csv", "summary.html", "pass_rates.png", "rows.jsonl", "run.json"):
        assert (out / name).stat().st_size > 0


def test_the_summary_escapes_what_it_shows(tmp_path):
    rows = [_row("<b>ann</b>", "n.ipynb", "<img src=x>", "<i>odd</i>"), _row("bob", "n.ipynb", "$x$ & y")]
    write_summary(rows, tmp_path, wall_seconds=None)
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "<img src=x>" not in page and "<i>" not in page and "&lt;img src=x&gt;" in page
    assert "Graded in" not in page and "$x$ &amp; y" in page
    (tmp_path / "again").mkdir()
    write_summary(rows, tmp_path / "again", wall_seconds=12)
    assert "Graded in 12 s." in (tmp_path / "again" / "summary.html").read_text(encoding="utf-8")


# --- Results folder ----------------------------------------------------------------------------------------------


def test_the_results_folder_is_new_or_empty_and_never_a_link(tmp_path):
    out = prepare_out_dir(tmp_path / "a" / "b" / "results")
    assert out.is_dir() and (out / "feedback").is_dir() and out == out.resolve()
    (tmp_path / "empty").mkdir()
    assert prepare_out_dir(tmp_path / "empty") == (tmp_path / "empty").resolve()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"):
        prepare_out_dir(tmp_path / "link")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="symbolic link"):
        prepare_out_dir(tmp_path / "dangling")
    (target / "old.csv").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        prepare_out_dir(target)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="not a folder"):
        prepare_out_dir(tmp_path / "file")
    assert not (target / "feedback").exists() and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("plant", ["symlink", "dangling", "file", "fifo"])
def test_a_planted_file_or_link_is_never_written_through(tmp_path, plant):
    out = prepare_out_dir(tmp_path / "out")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = out / "feedback" / "x.md"
    if plant == "symlink":
        planted.symlink_to(victim)
    elif plant == "dangling":
        planted.symlink_to(tmp_path / "created_by_attacker")
    elif plant == "file":
        planted.write_text("planted")
    else:
        os.mkfifo(planted)
    with pytest.raises(FileExistsError, match="refusing to write"):
        write_all([_row("x", "n.ipynb", "sigmoid")], out, {})
    assert victim.read_text() == "precious" and not (tmp_path / "created_by_attacker").exists()


def test_a_linked_feedback_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "feedback").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="symbolic link"):
        write_feedback([_row("x", "n.ipynb", "sigmoid")], out)
    assert not list((tmp_path / "elsewhere").iterdir())


# --- Shards ------------------------------------------------------------------------------------------------------


def test_shards_are_stable_and_cover_the_class():
    students = [f"s{i:03d}" for i in range(200)]
    shards = [shard_of(s, 3) for s in students]
    assert shards == [shard_of(s, 3) for s in students] and set(shards) == {0, 1, 2}
    assert [shard_of(s, 2) for s in ("ann", "bob", "carl", "eve")] == [0, 0, 1, 1]  # the same on every machine
    assert all(shard_of(s, 7) == int(hashlib.sha256(s.encode()).hexdigest()[:16], 16) % 7 for s in students)
    assert shard_of("s000", 1) == 0
    with pytest.raises(ValueError):
        shard_of("ann", 0)


STUDENTS = ["ann", "bob", "Zoë", "carl", "=dee", "eve", "s001_correct"]


def _write_parts(tmp_path, rows, seeds=(0, 0), editions=("student/book", "student/book")):
    parts = []
    for shard in range(2):
        mine = [r for r in rows if shard_of(r["student"], 2) == shard]
        part = prepare_out_dir(tmp_path / f"part{shard}")
        write_all(mine, part, {"seed": seeds[shard], "shard": f"{shard + 1}/2", "edition": editions[shard]}, 3.0)
        parts.append(part)
    return parts


def test_merged_shards_give_the_same_files_as_one_run(tmp_path):
    rows = _class_rows(STUDENTS)
    assert {shard_of(s, 2) for s in STUDENTS} == {0, 1}
    single = prepare_out_dir(tmp_path / "single")
    write_all(rows, single, {"seed": 0, "edition": "student/book"})
    parts = _write_parts(tmp_path, rows)
    assert read_part(parts[0])[1] == [r for r in rows if shard_of(r["student"], 2) == 0]
    merged_rows = merge(parts[::-1], tmp_path / "merged")
    merged = tmp_path / "merged"
    assert merged_rows == rows
    for name in ("gradebook.csv", "lms.csv", "rows.jsonl"):
        assert (merged / name).read_bytes() == (single / name).read_bytes(), name
    names = sorted(p.name for p in (single / "feedback").iterdir())
    assert names == sorted(p.name for p in (merged / "feedback").iterdir()) and len(names) == len(STUDENTS)
    for name in names:
        assert (merged / "feedback" / name).read_bytes() == (single / "feedback" / name).read_bytes()
    info = read_part(merged)[0]
    assert info["seed"] == 0 and info["merged_from"] == ["2/2", "1/2"] and "shard" not in info
    assert "Graded in" not in (merged / "summary.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"seeds": (0, 1)}, "different seeds"),
        ({"editions": ("student/book", "old/book")}, "different editions"),
    ],
)
def test_parts_of_different_runs_are_refused(tmp_path, change, match):
    parts = _write_parts(tmp_path, _class_rows(STUDENTS), **change)
    with pytest.raises(ValueError, match=match):
        merge(parts, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_a_student_in_two_parts_or_a_missing_part_is_refused(tmp_path):
    rows = _class_rows(STUDENTS)
    parts = _write_parts(tmp_path, rows)
    with pytest.raises(ValueError, match="in two parts"):
        merge([parts[0], parts[0]], tmp_path / "merged")
    with pytest.raises(ValueError, match="run.json is missing"):
        merge([parts[0], tmp_path], tmp_path / "merged")
    other = prepare_out_dir(tmp_path / "other")
    write_all(_class_rows(["zed"])[:2], other, {"seed": 0, "edition": "student/book"})
    with pytest.raises(ValueError, match="other exercises"):
        merge([parts[0], other], tmp_path / "merged")
    with pytest.raises(ValueError, match="not empty"):
        merge(parts, parts[0])
