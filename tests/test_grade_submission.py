"""What the grader keeps of a learner's notebook: every ordinary notebook style grades the way it runs in Jupyter."""

from __future__ import annotations

import marshal
import math
import os

import nbformat
import numpy as np
import pytest

from course_lib.grade.submission import (
    STAR,
    Definitions,
    LearnerFunction,
    definitions,
    find_notebooks,
    needed,
)


def notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercises")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def call(found: Definitions, name: str, *args):
    return LearnerFunction(name, found)(*args)


def block_defining(found: Definitions, name: str):
    (code,) = [code for code, defines, _ in found.blocks if name in defines]
    return code


# --- constants of any value ---------------------------------------------------------------------------------------


def test_constants_computed_by_arithmetic_or_a_call_are_kept():
    found = definitions(
        notebook(
            "import numpy as np\nEPS = 10 ** -12\nTINY = np.log(np.finfo(float).tiny)\n",
            "def safe_log(z):\n    return np.maximum(np.log(z + EPS), TINY)\n",
        )
    )
    assert {"np", "EPS", "TINY", "safe_log"} <= found.names
    assert not found.problems
    assert call(found, "safe_log", 1.0) == pytest.approx(1e-12)
    assert call(found, "safe_log", 0.0) == pytest.approx(max(math.log(1e-12), math.log(np.finfo(float).tiny)))


def test_unpacked_annotated_and_chained_constants_are_kept():
    found = definitions(
        notebook(
            "LOW, HIGH = -500, 500\n(A, B) = 1, 2\n[C, D] = [3, 4]\nE, *F = 5, 6, 7\n(G, [H, *I]) = 8, (9, 10, 11)\n",
            "SCALE: float = 2.0\nP = Q = 3\n",
            "def clip(z):\n    return min(max(z, LOW), HIGH)\n",
            "def total():\n    return A + B + C + D + E + sum(F) + G + H + sum(I) + SCALE + P + Q\n",
        )
    )
    assert {"LOW", "HIGH", "A", "B", "C", "D", "E", "F", "G", "H", "I", "SCALE", "P", "Q"} <= found.names
    assert call(found, "clip", 10_000) == 500
    assert call(found, "clip", -10_000) == -500
    assert call(found, "total") == 1 + 2 + 3 + 4 + 5 + 13 + 8 + 9 + 21 + 2.0 + 3 + 3


def test_a_constant_changed_in_place_keeps_its_last_value():
    found = definitions(notebook("EPS = 1e-7\n", "EPS *= 2\n", "def eps():\n    return EPS\n"))
    assert len(needed(found, "eps")) == 3
    assert call(found, "eps") == pytest.approx(2e-7)


def test_functions_defined_by_assignment_are_kept():
    found = definitions(
        notebook(
            "import functools\nimport numpy as np\n",
            "def my_relu(z):\n    return z if z > 0 else 0.0\n\nrelu = np.vectorize(my_relu)\n",
            "def power(z, p):\n    return z ** p\n\nsquare = functools.partial(power, p=2)\n",
            "sigmoid = lambda z: 1 / (1 + np.exp(-z))\n",
        )
    )
    assert {"relu", "square", "sigmoid"} <= found.names
    assert list(call(found, "relu", np.array([-1.0, 2.0]))) == [0.0, 2.0]
    assert call(found, "square", 3) == 9
    assert call(found, "sigmoid", 0.0) == pytest.approx(0.5)


# --- star imports -------------------------------------------------------------------------------------------------


def test_a_star_import_is_always_run():
    found = definitions(
        notebook(
            "from numpy import *\nfrom math import *\n",
            "def f(z):\n    return exp(z)\n\ndef g(z):\n    return sqrt(z) + pi\n",
        )
    )
    assert {"f", "g"} <= found.names and STAR not in found.names
    assert call(found, "f", 0.0) == pytest.approx(1.0)
    assert call(found, "g", 4.0) == pytest.approx(2.0 + math.pi)
    assert len(needed(found, "f")) == 3  # both star imports, then f


def test_a_star_import_shadows_builtins_as_in_the_notebook():
    found = definitions(notebook("from numpy import *\n", "def biggest(z):\n    return max(z)\n"))
    assert call(found, "biggest", [[1, 5], [7, 2]]) == 7  # numpy's max, not the builtin (which would give [7, 2])


def test_definitions_rebuilt_in_the_sandbox_still_run_a_star_import():
    found = definitions(notebook("from numpy import *\n", "def f(z):\n    return exp(z)\n"))
    blocks = tuple((marshal.loads(marshal.dumps(c)), d, u) for c, d, u in found.blocks)  # as course_lib.grade.sandbox
    rebuilt = Definitions(blocks, frozenset(n for _, names, _ in blocks for n in names))
    assert call(rebuilt, "f", 1.0) == pytest.approx(math.e)


# --- cell magics, line magics and shell escapes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "magic",
    ["%%time", "%%capture out", "%%prun -q", "%%capture\n%%time", "\n\n%%time"],
)
def test_a_cell_magic_whose_body_is_python_keeps_its_definitions(magic):
    found = definitions(
        notebook(
            "import numpy as np\n",
            f"{magic}\n%matplotlib inline\nSHIFT = 1.0\n\ndef shifted(z):\n    return np.asarray(z) + SHIFT\n",
        )
    )
    assert {"SHIFT", "shifted"} <= found.names and not found.problems
    assert call(found, "shifted", 1.0) == 2.0


def test_an_error_in_a_cell_magics_body_is_reported_at_its_line_in_the_cell():
    found = definitions(notebook("%%time\nx = 1\ndef broken(:\n    pass\n"))
    assert found.problems == ("code cell 1, line 3 is not valid Python (invalid syntax), so it was skipped",)


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile helper.py", "%%html", "%%javascript", "%%sh", "%%latex"])
def test_a_cell_of_another_language_is_skipped_silently(magic):
    found = definitions(notebook(f"{magic}\ndef f(z):\n    return z\n", "def g(z):\n    return 2 * z\n"))
    assert found.names == {"g"} and not found.problems
    assert call(found, "g", 2) == 4


def test_line_magics_and_shell_lines_do_not_lose_the_cell():
    found = definitions(
        notebook(
            "%matplotlib inline\n%load_ext autoreload\n!pip install nothing\nfiles = !ls\n"
            "def f(z):\n    return z + 1\n\ndef listing():\n    return files\n",
        )
    )
    assert {"f", "files", "listing"} <= found.names and not found.problems
    assert call(found, "f", 1) == 2
    with pytest.raises(NameError, match="files"):  # `files = !ls` needs IPython: it fails, so is skipped
        call(found, "listing")


# --- if / try / with ----------------------------------------------------------------------------------------------


def test_a_guarded_import_is_kept_as_one_statement():
    found = definitions(
        notebook(
            "try:\n    import not_a_module_anywhere as fast\nexcept ImportError:\n    fast = None\n",
            "try:\n    import math\nexcept ImportError:\n    math = None\n",
            "def has_fast():\n    return fast is not None\n\ndef root(z):\n    return math.sqrt(z)\n",
        )
    )
    assert {"fast", "math"} <= found.names
    assert call(found, "has_fast") is False
    assert call(found, "root", 9) == 3


def test_if_and_with_statements_that_define_are_kept():
    found = definitions(
        notebook(
            "import numpy as np\nUSE_FLOAT32 = True\n",
            "if USE_FLOAT32:\n    DTYPE = np.float32\nelse:\n    DTYPE = np.float64\n",
            "import contextlib\nwith contextlib.suppress(ValueError):\n    def cast(z):\n        return np.asarray(z, DTYPE)\n",
        )
    )
    assert {"DTYPE", "cast"} <= found.names
    assert call(found, "cast", [1, 2]).dtype == np.float32


# --- what is dropped, and what runs -------------------------------------------------------------------------------


def test_a_training_statement_runs_only_for_a_function_that_reads_its_result():
    found = definitions(
        notebook(
            "import numpy as np\nimport keras\n",
            "X, y = np.zeros((4, 2)), np.zeros(4)\nmodel = keras.Sequential()\nhistory = model.fit(X, y)\n",
            "model.fit(X, y)\nprint(history)\n",
            "def f(z):\n    history = [z]\n    for model in history:\n        z = z + model\n    return np.sum(z)\n",
            "def last_loss():\n    return history.history['loss'][-1]\n",
        )
    )
    assert {"X", "y", "model", "history"} <= found.names
    run_for_f = needed(found, "f")
    for name in ("history", "model", "X", "keras"):
        assert block_defining(found, name) not in run_for_f  # locals named like globals are not uses
    assert block_defining(found, "np") in run_for_f and len(run_for_f) == 2
    run_for_loss = needed(found, "last_loss")
    assert {block_defining(found, n) for n in ("history", "model", "X", "keras")} <= set(run_for_loss)
    assert call(found, "f", 2.0) == 4.0


def test_a_local_changed_in_place_is_not_a_use_of_the_global_of_that_name():
    found = definitions(
        notebook(
            "import numpy as np\n",
            "def grad(x):\n    dW = np.zeros(2)\n    dW += x\n    return dW\n",
            "dW = grad(np.ones(2))\nCOUNT = 0\nCOUNT += 1\nif True:\n    table = {}\n    table['a'] = 1\n    COUNT += 1\n",
            "def count():\n    global COUNT\n    COUNT += 1\n    return COUNT\n",
        )
    )
    assert needed(found, "grad") == [block_defining(found, "np"), block_defining(found, "grad")]
    assert len(needed(found, "count")) == 4  # COUNT = 0, COUNT += 1, the if statement (binds COUNT), count
    assert call(found, "count") == 3


def test_names_used_only_inside_bodies_count_transitively():
    found = definitions(
        notebook(
            "UNUSED = 1\nRATE = 0.5\n",
            "class Scaler:\n    factor = RATE\n\n    def __call__(self, z):\n        return helper(z) * self.factor\n",
            "def helper(z):\n    return z + OFFSET\n\nOFFSET = 1\n",
            "def scale(z):\n    return Scaler()(z)\n",
        )
    )
    run = needed(found, "scale")
    assert block_defining(found, "UNUSED") not in run
    assert {block_defining(found, n) for n in ("RATE", "Scaler", "helper", "OFFSET")} <= set(run)
    assert call(found, "scale", 3) == 2.0


def test_expressions_are_dropped_and_later_definitions_win():
    found = definitions(
        notebook(
            "def f(z):\n    return z\n",
            "checks.check('f', f)\nprint(f(1))\nf\n",
            "def f(z):\n    return 2 * z\n",
            "K = 1\nK = 3\n",
            "def k():\n    return K\n",
        )
    )
    assert len(found.blocks) == 5  # two f, two K and k: the expression statements are not kept
    assert call(found, "f", 5) == 10
    assert call(found, "k") == 3


def test_a_statement_that_fails_is_skipped_and_the_rest_still_runs():
    found = definitions(notebook("DATA = open('/no/such/file').read()\nN = 2\n", "def f(z):\n    return z * N\n"))
    assert call(found, "f", 3) == 6


def test_a_cell_that_is_not_python_is_reported_and_the_others_kept():
    found = definitions(
        notebook(
            "def ok(z):\n    return z\n",
            "x = 1\ndef broken(:\n    pass\n",
            "def h():\n    nonlocal q\n",
            "result = await something()\n",
        )
    )
    assert found.names == {"ok"}
    assert found.problems == (
        "code cell 2, line 2 is not valid Python (invalid syntax), so it was skipped",
        "code cell 3, line 2 is not valid Python (no binding for nonlocal 'q' found), so it was skipped",
    )


# --- which file is graded -----------------------------------------------------------------------------------------

NB = "04_activations.ipynb"


def write(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_top_level_copy_is_graded_and_hidden_copies_ignored(tmp_path):
    top = write(tmp_path / NB)
    write(tmp_path / ".Trash-1000" / "files" / NB)
    write(tmp_path / ".ipynb_checkpoints" / NB)
    write(tmp_path / ".ipynb_checkpoints" / "04_activations-checkpoint.ipynb")
    write(tmp_path / ".git" / NB)
    write(tmp_path / f".{NB}")
    assert find_notebooks(tmp_path, [NB]) == {NB: (top, "")}


def test_only_hidden_copies_mean_not_handed_in(tmp_path):
    write(tmp_path / ".Trash-1000" / NB)
    write(tmp_path / "work" / ".ipynb_checkpoints" / NB)
    assert find_notebooks(tmp_path, [NB, "05_layers.ipynb"]) == {NB: (None, ""), "05_layers.ipynb": (None, "")}


def test_a_nested_copy_is_found_and_the_shallowest_of_several_graded(tmp_path):
    nested = write(tmp_path / "submitted" / "course" / NB)
    assert find_notebooks(tmp_path, [NB]) == {NB: (nested, "")}
    top = write(tmp_path / NB)
    path, note = find_notebooks(tmp_path, [NB])[NB]
    assert path == top
    assert note == f"graded {NB}; also found, not graded: submitted/course/{NB}"


def test_copies_at_the_same_depth_are_taken_in_path_order(tmp_path):
    write(tmp_path / "b" / NB)
    first = write(tmp_path / "a" / NB)
    write(tmp_path / "c" / "d" / NB)
    path, note = find_notebooks(tmp_path, [NB])[NB]
    assert path == first
    assert note == f"graded a/{NB}; also found, not graded: b/{NB}, c/d/{NB}"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlinked_notebook_is_refused(tmp_path):
    student, elsewhere = tmp_path / "student", write(tmp_path / "elsewhere" / NB)
    student.mkdir()
    (student / NB).symlink_to(elsewhere)
    path, note = find_notebooks(student, [NB])[NB]
    assert path is None
    assert note == f"{NB} is a symbolic link, which the grader does not follow; hand in the notebook itself"
    real = write(student / "work" / NB)
    path, note = find_notebooks(student, [NB])[NB]
    assert path == real and "is a symbolic link" in note


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlinked_folder_is_never_followed(tmp_path):
    student, outside = tmp_path / "student", tmp_path / "outside"
    write(outside / NB)
    write(outside / "deeper" / "05_layers.ipynb")
    student.mkdir()
    (student / "work").symlink_to(outside, target_is_directory=True)
    (student / ".hidden").symlink_to(outside, target_is_directory=True)
    found = find_notebooks(student, [NB, "05_layers.ipynb"])
    note = "work is a symbolic link, which the grader does not follow; hand in the notebook itself"
    assert found == {NB: (None, note), "05_layers.ipynb": (None, note)}
    handed_in = write(student / NB)
    found = find_notebooks(student, [NB])
    assert found == {NB: (handed_in, "")}
