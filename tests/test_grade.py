"""Grading a class: correct, partly correct, broken and hostile submissions, each graded as it deserves."""

from __future__ import annotations

import csv
import subprocess
import sys

import nbformat
import pytest

from course_lib.grade import edition_exercises, grade_class
from course_lib.grade.__main__ import main
from course_lib.grade.report import load_points
from course_lib.grade.submission import definitions, needed
from tests.class_factory import EDITION, HOSTILE, KINDS, make_class

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the grader isolates with Linux processes")

NOTEBOOKS = ["04_activations", "06_losses"]
SEED = 20261203


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    out = root / "results"
    kinds = make_class(root / "submitted", NOTEBOOKS, len(KINDS), out)
    rows = grade_class(root / "submitted", out, notebooks=NOTEBOOKS, workers=2, memory_mb=3072, seed=SEED)
    by_kind = {}
    for row in rows:
        by_kind.setdefault(kinds[row["student"]], []).append(row)
    return rows, by_kind, out


def _statuses(rows):
    return [r["status"] for r in rows]


def test_the_books_own_answers_earn_every_point(graded):
    _, by_kind, _ = graded
    rows = by_kind["correct"]
    assert len(rows) == sum(len(p) for p in edition_exercises(EDITION, NOTEBOOKS).values()) >= 10
    assert set(_statuses(rows)) == {"passed"}
    assert sum(r["points"] for r in rows) == sum(r["max_points"] for r in rows)


def test_partly_correct_work_earns_the_points_of_what_is_done(graded):
    _, by_kind, _ = graded
    for notebook in {r["notebook"] for r in by_kind["partly_correct"]}:
        mine = [r for r in by_kind["partly_correct"] if r["notebook"] == notebook]
        assert _statuses(mine[0::2]) == ["passed"] * len(mine[0::2])
        assert set(_statuses(mine[1::2])) == {"not_implemented"}


def test_a_notebook_grades_as_it_runs_in_jupyter(graded):
    _, by_kind, _ = graded
    rows = by_kind["notebook_styles"]
    assert set(_statuses(rows)) == {"passed"}, [(r["exercise"], r["message"]) for r in rows if r["status"] != "passed"]


def test_untouched_stubs_earn_nothing_and_say_what_to_do(graded):
    _, by_kind, _ = graded
    assert set(_statuses(by_kind["stubs"])) == {"not_implemented"}
    assert "not implemented yet" in by_kind["stubs"][0]["message"]


def test_a_function_that_never_returns_costs_only_its_own_exercise(graded):
    _, by_kind, _ = graded
    for notebook in NOTEBOOKS:
        mine = [r for r in by_kind["hang_first"] if r["notebook"].startswith(notebook)]
        assert mine[0]["status"] == "timeout"
        assert set(_statuses(mine[1:])) == {"passed"}


def test_a_cell_with_a_syntax_error_is_named_in_the_message(graded):
    _, by_kind, _ = graded
    first = by_kind["syntax_error_first"][0]
    assert first["status"] == "missing"
    assert "is not valid Python" in first["message"] and "code cell" in first["message"]
    assert _statuses(by_kind["syntax_error_first"]).count("passed") == len(by_kind["syntax_error_first"]) - 2


def test_a_file_that_is_not_a_notebook_is_reported_as_unreadable(graded):
    _, by_kind, _ = graded
    rows = by_kind["not_a_notebook"]
    assert set(_statuses(rows)) == {"unreadable"}
    assert "not a readable Jupyter notebook" in rows[0]["message"]


def test_memory_and_killed_processes_are_contained(graded):
    _, by_kind, _ = graded
    assert all(r["status"] == "error" and "MemoryError" in r["message"] for r in by_kind["memory_hog"])
    killed = by_kind["kills_worker"]
    assert set(_statuses(killed)) == {"crashed"}
    assert "SIGKILL" in killed[0]["message"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_submission_cannot_grade_itself(graded, kind):
    _, by_kind, out = graded
    rows = by_kind[kind]
    assert "passed" not in _statuses(rows), [(r["exercise"], r["status"]) for r in rows]
    assert sum(r["points"] for r in rows) == 0


def test_handing_in_the_library_answer_is_named_as_such(graded):
    _, by_kind, _ = graded
    rows = by_kind["imports_reference"]
    assert set(_statuses(rows)) == {"not_implemented"}
    assert all("course_lib's own answer" in r["message"] for r in rows)


def test_a_submission_cannot_write_the_graders_files(graded):
    _, _, out = graded
    assert not (out / "hacked.txt").exists()
    assert "hacked" not in (out / "gradebook.csv").read_text()


def test_the_outputs_an_instructor_gets(graded):
    rows, _, out = graded
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        book = list(csv.DictReader(f))
    assert len(book) == len(rows) == len(KINDS) * sum(len(p) for p in edition_exercises(EDITION, NOTEBOOKS).values())
    assert set(book[0]) == {"student", "notebook", "exercise", "status", "points", "max_points", "message"}
    with open(out / "lms.csv", newline="", encoding="utf-8") as f:
        lms = list(csv.reader(f))
    exercises = list(dict.fromkeys(r["exercise"] for r in rows))
    assert lms[0][1:-1] == exercises and lms[0][-1].startswith("total")
    assert len(lms) == 1 + len(KINDS)
    correct = next(line for line in lms if line[0].endswith("_correct"))
    assert float(correct[-1]) == sum(r["max_points"] for r in rows if r["student"] == correct[0])
    feedback = (out / "feedback" / f"{correct[0]}.md").read_text()
    assert "all 8 test cases passed" in feedback or "test cases passed" in feedback
    stubs = next(p for p in (out / "feedback").iterdir() if p.stem.endswith("_stubs")).read_text()
    assert "not implemented yet" in stubs
    assert (out / "pass_rates.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="pass_rates.png"' in (out / "summary.html").read_text()


@pytest.fixture
def busy_machine():
    """Two CPU-bound processes beside the test: time limits must hold on a loaded grading machine."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    yield
    for burner in burners:
        burner.kill()
        burner.wait()


def test_a_notebook_over_its_cpu_budget_is_stopped_and_the_class_goes_on(tmp_path, busy_machine):
    kinds = make_class(tmp_path / "submitted", ["04_activations"], 5, tmp_path / "out")
    student = next(s for s, kind in kinds.items() if kind == "hang_first")
    # Every function of this student never returns: each check stops at its own 5 s of CPU, so the whole
    # notebook would use about 35 s and only the notebook's CPU budget can stop it. CPU time, not wall-clock
    # time, is limited: the correct students pass however busy the machine is.
    path = tmp_path / "submitted" / student / "04_activations.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for _, name in edition_exercises(EDITION, ["04_activations"])["04_activations.ipynb"]:
        nb.cells.append(nbformat.v4.new_code_cell(f"def {name}(*args):\n    while True:\n        pass\n"))
    nbformat.write(nb, str(path))
    rows = grade_class(tmp_path / "submitted", tmp_path / "out", notebooks=["04_activations"], cpu_seconds=12)
    hung = [r for r in rows if kinds[r["student"]] == "hang_first"]
    assert "notebook_timeout" in _statuses(hung) and set(_statuses(hung)) <= {"timeout", "notebook_timeout"}
    assert "its 12 s of CPU time" in next(r["message"] for r in hung if r["status"] == "notebook_timeout")
    assert {r["status"] for r in rows if kinds[r["student"]] in ("correct", "partly_correct")} >= {"passed"}
    assert {r["status"] for r in rows if kinds[r["student"]] == "correct"} == {"passed"}


def test_a_notebook_that_blocks_hits_the_wall_clock_backstop_twice_before_it_is_reported(tmp_path):
    kinds = make_class(tmp_path / "submitted", ["04_activations"], 2, tmp_path / "out")
    sleeper = next(s for s, k in kinds.items() if k == "partly_correct")
    path = tmp_path / "submitted" / sleeper / "04_activations.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\n\ndef sigmoid(*args):\n    time.sleep(600)\n"))
    nbformat.write(nb, str(path))
    rows = grade_class(tmp_path / "submitted", tmp_path / "out", notebooks=["04_activations"], wall_seconds=10)
    slept = [r for r in rows if r["student"] == sleeper]
    assert set(_statuses(slept)) == {"notebook_timeout"}
    assert "wall-clock" in slept[0]["message"] and "on its own" in slept[0]["message"]
    assert {r["status"] for r in rows if kinds[r["student"]] == "correct"} == {"passed"}


def test_points_come_from_one_file(tmp_path):
    points, default = load_points()
    assert default == 1 and points["backprop_2_3_1"] == 3
    from course_lib import checks

    assert set(points) <= set(checks.exercises())
    (tmp_path / "p.toml").write_text("default = 2\n[points]\nsigmoid = 5\n")
    assert load_points(tmp_path / "p.toml") == ({"sigmoid": 5}, 2.0)
    (tmp_path / "bad.toml").write_text("[points]\nsigmoid = -1\n")
    with pytest.raises(ValueError, match="sigmoid"):
        load_points(tmp_path / "bad.toml")


def test_only_what_a_function_needs_runs():
    nb = nbformat.v4.new_notebook()
    sources = [
        "%pip install something\n!ls\nimport numpy as np\nimport keras\n",
        "rng = np.random.default_rng(0)\nX = rng.normal(size=3)\nEPS = 1e-7\nmodel = keras.Sequential()\n",
        "def helper(z):\n    return np.maximum(z, EPS)\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-helper(z)))\n",
        "checks.check('sigmoid', sigmoid)\nsigmoid = None\n",
        "def broken(:\n",
    ]
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    found = definitions(nb)
    assert {"np", "keras", "EPS", "helper", "sigmoid", "rng", "X", "model"} <= found.names
    assert len(found.problems) == 1 and "code cell 5, line 1" in found.problems[0]
    names = [c.co_names for c in needed(found, "sigmoid")]
    assert not any("keras" in n or "default_rng" in n for n in names)  # what the function does not use is not run
    # numpy, EPS, helper, sigmoid and the later `sigmoid = None`, which wins as it would in the notebook
    assert len(needed(found, "sigmoid")) == 5


def test_the_command_line_explains_a_wrong_folder(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    assert "no student folders" in capsys.readouterr().err
    assert main([str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--notebooks", "99_nothing"]) == 2
    assert "no notebook with exercises named" in capsys.readouterr().err


def test_a_notebook_stopped_by_its_time_limit_keeps_the_results_it_had(tmp_path, busy_machine):
    from tests.class_factory import BOOK, _solution_cell

    nb = nbformat.read(str(BOOK / "04_activations.ipynb"), as_version=4)
    exercises = edition_exercises(EDITION, ["04_activations"])["04_activations.ipynb"]
    last = exercises[-1][1]
    _solution_cell(nb, last).source = f"def {last}(*args):\n    while True:\n        pass\n"
    (tmp_path / "submitted" / "late").mkdir(parents=True)
    nbformat.write(nb, str(tmp_path / "submitted" / "late" / "04_activations.ipynb"))
    rows = grade_class(tmp_path / "submitted", tmp_path / "out", notebooks=["04_activations"], cpu_seconds=4.0)
    assert [r["status"] for r in rows] == ["passed"] * (len(exercises) - 1) + ["notebook_timeout"]
