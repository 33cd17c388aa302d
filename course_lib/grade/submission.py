"""Reading a handed-in notebook: the learner's definitions, compiled but never run here.

Defined in: Preface, "Grading a class".

The grader never trusts what a notebook *did*: it ignores every output (a
printed "✅ passed" is just text), it drops every cell statement that is not a
definition (so edited, deleted or extra check cells, plots and training loops
do not matter) and it never runs the learner's code in its own process.  What
it keeps from each code cell, in notebook order, are the top-level

* ``import`` / ``from … import`` statements,
* ``def`` and ``class`` statements,
* assignments to plain names of something cheap to compute (a lambda, a
  literal, another name or attribute — ``EPS = 1e-7``, ``relu = my_relu``).

A function's check runs only the kept statements the function depends on
(its definition and, transitively, the names it uses).  Each runs on its own; one that fails (it needs data a dropped
statement made) is skipped, and a learner's function that needs it then fails
its check with a ``NameError`` that says so.

:class:`LearnerFunction` stands in for the learner's function in the grader:
the checks only ever call it inside their sandboxed child process, and there
it first runs those kept statements, then calls the learner's function.  So a
cell that monkey-patches ``course_lib.checks`` changes only a child that is
about to die, and the comparison with the reference happens in a process the
learner's code never touched.
"""

from __future__ import annotations

import ast
import builtins
import linecache
from dataclasses import dataclass, field
from pathlib import Path


class UnreadableNotebook(ValueError):
    """The file is not a Jupyter notebook the grader can read."""


@dataclass(frozen=True)
class Definitions:
    """The learner's kept statements, in notebook order, as ``(code, names it defines, names it uses)``, and what
    went wrong reading the notebook."""

    blocks: tuple = ()
    names: frozenset = frozenset()
    problems: tuple[str, ...] = field(default=())


def check_calls(source: str) -> list[tuple[str, str]]:
    """``(exercise_id, function_name)`` for each ``checks.check("id", name)`` statement in a cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "check"
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "checks"
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
            and isinstance(call.args[1], ast.Name)
        ):
            found.append((call.args[0].value, call.args[1].id))
    return found


def read_notebook(path):
    """The notebook at ``path`` as an nbformat v4 node; :class:`UnreadableNotebook` with the reason otherwise."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the submission's fault
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise UnreadableNotebook(f"{Path(path).name} is not a readable Jupyter notebook ({reason})") from None


def _is_cheap(value: ast.expr) -> bool:
    if isinstance(value, (ast.Lambda, ast.Name, ast.Attribute)):
        return True
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _kept(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) for t in targets) and _is_cheap(node.value)
    return False


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets]


def definitions(nb) -> Definitions:
    """Compile the kept statements of every code cell of ``nb`` (see the module docstring)."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    blocks, problems = [], []
    code_cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        where = f"code cell {number}"
        try:
            python = transformer.transform_cell(source)  # %magics and !shell lines become plain Python
            tree = ast.parse(python, filename=f"<{where}>")
        except (SyntaxError, ValueError) as exc:
            line = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
            problems.append(f"{where}{line} is not valid Python ({getattr(exc, 'msg', exc)}), so it was skipped")
            continue
        filename = f"<{where}>"
        linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)  # tracebacks show code
        for node in tree.body:
            if _kept(node):
                uses = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
                code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec", dont_inherit=True)
                blocks.append((code, frozenset(_defined_names(node)), uses))
    return Definitions(tuple(blocks), frozenset(n for _, names, _ in blocks for n in names), tuple(problems))


def needed(found: Definitions, name: str) -> list:
    """The compiled statements ``name`` depends on, in notebook order: its definitions and, transitively, what they use.

    Leaving out the rest matters: ``import keras`` for a training cell would cost seconds on every call.
    """
    wanted, size = {name}, -1
    while size != len(wanted):
        size = len(wanted)
        for _, defines, uses in found.blocks:
            if defines & wanted:
                wanted |= uses
    return [code for code, defines, _ in found.blocks if defines & wanted]


class LearnerFunction:
    """The learner's function ``name``, rebuilt from :class:`Definitions` each time it is called.

    Call it only where the learner's code may run: inside the checks' sandbox child.
    """

    def __init__(self, name: str, found: Definitions):
        self.name, self.blocks = name, needed(found, name)

    def __call__(self, *args, **kwargs):
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        for block in self.blocks:
            try:
                exec(block, namespace)  # noqa: S102 - the learner's definitions, in the sandbox child only
            except Exception:  # noqa: BLE001, S112 - see the module docstring
                continue
        if self.name not in namespace:
            raise NameError(f"name '{self.name}' is not defined")
        return namespace[self.name](*args, **kwargs)

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"<your function {self.name}>"


__all__ = [
    "Definitions",
    "LearnerFunction",
    "UnreadableNotebook",
    "check_calls",
    "definitions",
    "needed",
    "read_notebook",
]
