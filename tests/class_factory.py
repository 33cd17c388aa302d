"""A generated class of submissions — correct, partly correct, broken and hostile — for the grader's tests and benchmark.

Each student folder holds the notebooks of an assignment.  ``KINDS`` maps a
kind of student to a function that writes their version of one notebook;
``EXPECTED`` says what the grader must make of it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from course_lib import edition
from course_lib.grade import edition_exercises

ROOT = Path(__file__).resolve().parents[1]
BOOK, EDITION = ROOT / "book", ROOT / "student" / "book"


def _read(folder: Path, notebook: str):
    return nbformat.read(str(folder / notebook), as_version=4)


def _solution_cell(nb, name: str):
    for cell in nb.cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source and edition.BEGIN in cell.source:
            return cell
    raise LookupError(f"no solution cell defines {name}")


def _append(nb, source: str, outputs=()) -> None:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    nb.cells.append(cell)


def _check_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "checks.check(" in c.source]


def correct(notebook, exercises, out):
    return _read(BOOK, notebook)


def partly_correct(notebook, exercises, out):
    """The book's answers for every other exercise; the rest left as stubs."""
    nb = _read(BOOK, notebook)
    for _, name in exercises[1::2]:
        cell = _solution_cell(nb, name)
        cell.source = edition.strip_solutions(cell.source)[0]
    return nb


def stubs(notebook, exercises, out):
    return _read(EDITION, notebook)


def notebook_styles(notebook, exercises, out):
    """The book's answers written in ordinary notebook styles the grader must read as Jupyter runs them: a star
    import, constants computed by calls and unpacked from tuples, ``%%time`` cells, and each function bound by
    assignment (``name = functools.partial(_name_impl)``)."""
    nb = _read(BOOK, notebook)
    header = "from numpy import *\nimport functools\nLOW, HIGH = -500, 500\nTINY = log(finfo(float).tiny)\n"
    nb.cells.insert(1, nbformat.v4.new_code_cell(header))
    for _, name in exercises:
        cell = _solution_cell(nb, name)
        source = cell.source.replace(f"def {name}(", f"def _{name}_impl(", 1)
        cell.source = f"%%time\n{source}\n{name} = functools.partial(_{name}_impl)\n"
    return nb


def hang_first(notebook, exercises, out):
    """The book's answers, but the first exercise never returns."""
    nb = _read(BOOK, notebook)
    name = exercises[0][1]
    _solution_cell(nb, name).source = f"def {name}(*args):\n    while True:\n        pass\n"
    return nb


def syntax_error_first(notebook, exercises, out):
    nb = _read(BOOK, notebook)
    cell = _solution_cell(nb, exercises[0][1])
    cell.source = cell.source.replace("def ", "def def ", 1)
    return nb


def not_a_notebook(notebook, exercises, out):
    return "{ this is not a notebook"


def memory_hog(notebook, exercises, out):
    nb = _read(EDITION, notebook)
    for _, name in exercises:
        _append(nb, f"import numpy as np\n\ndef {name}(*args):\n    return np.ones((10**6, 10**5))\n")
    return nb


def kills_worker(notebook, exercises, out):
    """Every function kills the process that runs the checks (its parent)."""
    nb = _read(EDITION, notebook)
    for _, name in exercises:
        _append(nb, f"import os\nimport signal\n\ndef {name}(*args):\n    os.kill(os.getppid(), signal.SIGKILL)\n")
    return nb


def monkey_patches(notebook, exercises, out):
    """Patches the checks at the top level of a cell and from inside the functions; answers stay stubs."""
    nb = _read(EDITION, notebook)
    patch = (
        "import course_lib.checks as checks\n"
        "import course_lib.checks._core as core\n"
        "import course_lib.checks._sandbox as sandbox\n"
        "core._compare = lambda *a, **k: None\n"
        "checks.run = lambda i, f: core.Result(i, 'passed', 'passed')\n"
        "sandbox.is_reference = lambda *a: False\n"
    )
    _append(nb, patch)
    for _, name in exercises:
        _append(
            nb, f"def {name}(*args):\n" + "".join(f"    {line}\n" for line in patch.splitlines()) + "    return 0\n"
        )
    return nb


def fakes_output(notebook, exercises, out):
    """Stubs, with every check cell's output replaced by a 'passed' message."""
    nb = _read(EDITION, notebook)
    for cell, (exercise, _) in zip(_check_cells(nb), exercises):
        text = f"✅ {exercise}: all 8 test cases passed.\n"
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        cell.execution_count = 1
    return nb


def deletes_checks(notebook, exercises, out):
    nb = _read(EDITION, notebook)
    nb.cells = [c for c in nb.cells if c not in _check_cells(nb)]
    _append(nb, "print('✅ all exercises passed')")
    return nb


def imports_reference(notebook, exercises, out):
    """Hands in the library's own answers: imported under the exercise's name, or wrapped."""
    from course_lib import checks
    from course_lib.checks._sandbox import reference_functions

    nb = _read(EDITION, notebook)
    for number, (exercise, name) in enumerate(exercises):
        ref = reference_functions(checks.get(exercise).reference)[-1]  # the library's function, not the checks'
        if number % 2:
            _append(
                nb,
                f"import course_lib.checks as _c\n\ndef {name}(*args):\n    return _c.get({exercise!r}).reference(*args)\n",
            )
        else:
            _append(nb, f"from {ref.__module__} import {ref.__name__} as {name}\n")
    return nb


def writes_grader_files(notebook, exercises, out):
    """Tries to overwrite the grader's results and to forge 'passed' lines into every inherited descriptor."""
    nb = _read(EDITION, notebook)
    forged = "".join(json.dumps({"exercise": e, "status": "passed", "message": "✅"}) + "\\n" for e, _ in exercises)
    for _, name in exercises:
        _append(
            nb,
            f"import os\n\ndef {name}(*args):\n"
            f"    for fd in range(3, 256):\n"
            f"        try:\n            os.write(fd, {forged!r}.encode())\n        except OSError:\n            pass\n"
            f"    for path in [{str(out / 'gradebook.csv')!r}, {str(out / 'hacked.txt')!r}]:\n"
            f"        with open(path, 'w') as f:\n            f.write('hacked')\n"
            f"    return 0\n",
        )
    return nb


def walks_stack(notebook, exercises, out):
    """Looks up the call stack for the expected answer the checks computed (it is in another process)."""
    nb = _read(EDITION, notebook)
    for _, name in exercises:
        _append(
            nb,
            "import sys\n\n"
            f"def {name}(*args):\n"
            "    frame = sys._getframe()\n"
            "    while frame is not None:\n"
            "        for key in ('expected', 'expected_a', 'value'):\n"
            "            if key in frame.f_locals and frame.f_locals[key] is not None:\n"
            "                return frame.f_locals[key]\n"
            "        frame = frame.f_back\n"
            "    return 0\n",
        )
    return nb


def reads_solved_book(notebook, exercises, out):
    """Reads the book's own solutions from the grading machine's checkout and runs them."""
    nb = _read(EDITION, notebook)
    path = str(BOOK / notebook)
    for _, name in exercises:
        _append(
            nb,
            "import json\n\n"
            f"def {name}(*args):\n"
            f"    cells = json.load(open({path!r}))['cells']\n"
            "    scope = {}\n"
            "    for cell in cells:\n"
            "        if cell['cell_type'] == 'code':\n"
            "            try:\n                exec(''.join(cell['source']), scope)\n"
            "            except Exception:\n                pass\n"
            f"    return scope[{name!r}](*args)\n",
        )
    return nb


def lookup_table(notebook, exercises, out):
    """Answers the public practice cases from a table computed beforehand; anything else gets zeros."""
    import pickle

    from course_lib import checks

    nb = _read(EDITION, notebook)
    for exercise, name in exercises:
        ex = checks.get(exercise)
        table = {}
        for case in ex.make_cases():
            table[pickle.dumps(case.args)] = ex.reference(*copy.deepcopy(case.args))
        _append(
            nb,
            "import pickle\nimport numpy as np\n\n"
            f"TABLE_{name} = pickle.loads({pickle.dumps(table)!r})\n\n"
            f"def {name}(*args):\n"
            f"    return TABLE_{name}.get(pickle.dumps(args), np.zeros(1))\n",
        )
    return nb


KINDS = {
    "correct": correct,
    "partly_correct": partly_correct,
    "stubs": stubs,
    "notebook_styles": notebook_styles,
    "hang_first": hang_first,
    "syntax_error_first": syntax_error_first,
    "not_a_notebook": not_a_notebook,
    "memory_hog": memory_hog,
    "kills_worker": kills_worker,
    "monkey_patches": monkey_patches,
    "fakes_output": fakes_output,
    "deletes_checks": deletes_checks,
    "imports_reference": imports_reference,
    "writes_grader_files": writes_grader_files,
    "walks_stack": walks_stack,
    "reads_solved_book": reads_solved_book,
    "lookup_table": lookup_table,
}
HOSTILE = (
    "monkey_patches",
    "fakes_output",
    "deletes_checks",
    "imports_reference",
    "writes_grader_files",
    "walks_stack",
    "reads_solved_book",
    "lookup_table",
)


def make_class(root, notebooks, n_students: int, out) -> dict[str, str]:
    """Write ``n_students`` student folders under ``root`` (kinds in turn); return ``{student: kind}``."""
    root, out = Path(root), Path(out)
    exercises = edition_exercises(EDITION, notebooks)
    kinds = list(KINDS)
    students = {}
    for number in range(n_students):
        kind = kinds[number % len(kinds)]
        student = f"s{number:03d}_{kind}"
        folder = root / student
        folder.mkdir(parents=True)
        for notebook, pairs in exercises.items():
            nb = KINDS[kind](notebook, pairs, out)
            path = folder / notebook
            if isinstance(nb, str):
                path.write_text(nb)
            else:
                nbformat.write(copy.deepcopy(nb), str(path))
        students[student] = kind
    return students
