"""Reading a handed-in notebook: the learner's definitions, compiled but never run here.

Defined in: Preface, "Grading a class".

The grader never trusts what a notebook *did*: it ignores every output (a
printed "✅ passed" is just text), it drops every cell statement that is not a
definition (so edited, deleted or extra check cells, plots and training loops
do not matter) and it never runs the learner's code in its own process.  What
it keeps from each code cell, in notebook order, are the top-level

* ``import`` / ``from … import`` statements (a ``from numpy import *`` one is
  always run, since nobody can tell which names it defines),
* ``def`` and ``class`` statements,
* assignments to plain names, unpacked or not, of any value (``EPS = 1e-7``,
  ``LOW, HIGH = -500, 500``, ``relu = np.vectorize(my_relu)``, ``EPS *= 2``),
* ``if`` / ``try`` / ``with`` statements that bind a name somewhere inside
  (``try: import scipy`` / ``except ImportError: scipy = None``), each as one
  statement defining every name it binds.

A cell is read the way Jupyter runs it: ``%line`` magics and ``!shell`` lines
become ``get_ipython()`` calls (dropped, or failing when run: nothing is
defined without IPython), a ``%%time``-like cell magic whose body is Python
(:data:`PYTHON_CELL_MAGICS`) is read as its body, and a cell of any other
cell magic (``%%bash``, ``%%writefile`` …) is skipped.

A function's check runs only the kept statements the function depends on
(its definition and, transitively, the global names it and they read, also
inside function bodies), so ``history = model.fit(X, y)`` runs only for a
function that reads ``history``.  Each runs on its own; one that fails (it
needs data a dropped statement made) is skipped, and a learner's function that
needs it then fails its check with a ``NameError`` that says so.

:func:`find_notebooks` picks which file of a student's folder is graded.

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
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class UnreadableNotebook(ValueError):
    """The file is not a Jupyter notebook the grader can read."""


@dataclass(frozen=True)
class Definitions:
    """The learner's kept statements, in notebook order, as ``(code, names it defines, names it uses)``, and what
    went wrong reading the notebook.  A star import defines :data:`STAR`, which ``names`` leaves out."""

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


# (Not %%timeit or %%px: in Jupyter their bodies run inside a function or on other engines, and define nothing.)
#: Cell magics whose body is Python that runs in the notebook's namespace: the grader reads the body as the cell.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug", "memit", "snakeviz"})

#: What a ``from … import *`` block defines: names nobody can know without running it, so it is always needed.
STAR = "*"

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_COMPOUND = (ast.If, ast.Try, ast.With, ast.AsyncWith) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _cell_python(source: str, transformer) -> str | None:
    """The cell as plain Python, its lines where they were in the cell; ``None`` for a cell whose body is not Python.

    ``%%time`` and the other :data:`PYTHON_CELL_MAGICS` lines are dropped (IPython would hide their body in a
    ``run_cell_magic`` call); any other cell magic (``%%bash``, ``%%writefile`` …) means the cell is not Python.
    """
    lines = source.splitlines(keepends=True)
    start = 0
    while True:
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start == len(lines) or not lines[start].lstrip().startswith("%%"):
            break
        magic = lines[start].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return None
        start += 1
    return "\n" * start + transformer.transform_cell("".join(lines[start:]))


def _is_target(node: ast.expr) -> bool:
    """A plain name, or names unpacked from a tuple or list (``a, (b, *c) = …``)."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Starred):
        return _is_target(node.value)
    return isinstance(node, (ast.Tuple, ast.List)) and all(_is_target(e) for e in node.elts)


def _kept(node: ast.stmt) -> bool:
    if isinstance(node, _DEFINITIONS):
        return True
    if isinstance(node, ast.Assign):
        return all(_is_target(t) for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return node.value is not None and isinstance(node.target, ast.Name)
    if isinstance(node, ast.AugAssign):
        return isinstance(node.target, ast.Name)
    if isinstance(node, _COMPOUND):  # try: import scipy / except ImportError: scipy = None
        return any(
            isinstance(inner, _DEFINITIONS + (ast.Assign, ast.AnnAssign, ast.AugAssign)) for inner in ast.walk(node)
        )
    return False


def _module_level(node: ast.AST):
    """``node`` and the nodes under it that run in the module's scope: none inside a function, lambda or class."""
    if isinstance(node, _SCOPES):  # its decorators and defaults are expressions: no statement of interest there
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _module_level(child)


def _names(node: ast.stmt, python: str, filename: str) -> tuple[frozenset, frozenset]:
    """The names the statement binds at the top level, and the global names it reads (also inside its functions)."""
    import symtable

    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # an unparse bug: the statement's own lines (and any sharing them)
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "".join(python.splitlines(True)[first - 1 : node.end_lineno])
    table = symtable.symtable(text, filename, "exec")
    defines = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    uses = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    scopes = list(table.get_children())
    while scopes:
        scope = scopes.pop()
        uses |= {s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced()}
        scopes.extend(scope.get_children())
    for inner in ast.walk(node):
        if isinstance(inner, ast.Global):  # global COUNTER; COUNTER += 1
            uses.update(inner.names)
        elif isinstance(inner, ast.ImportFrom) and any(a.name == "*" for a in inner.names):
            defines.add(STAR)
    for inner in _module_level(node):  # EPS *= 2 reads EPS
        if isinstance(inner, ast.AugAssign) and isinstance(inner.target, ast.Name):
            uses.add(inner.target.id)
    return frozenset(defines), frozenset(uses)


def _problem(where: str, exc: Exception, offset: int = 0) -> str:
    lineno = getattr(exc, "lineno", None)
    line = f", line {lineno + offset}" if lineno else ""
    return f"{where}{line} is not valid Python ({getattr(exc, 'msg', exc)}), so it was skipped"


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
        filename = f"<{where}>"
        try:
            python = _cell_python(source, transformer)  # %magics and !shell lines become plain Python
            if python is None:  # %%bash, %%writefile, %%html …: nothing the grader can use
                continue
            tree = ast.parse(python, filename=filename)
        except (SyntaxError, ValueError) as exc:
            problems.append(_problem(where, exc))
            continue
        linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)  # tracebacks show code
        for node in tree.body:
            if not _kept(node):
                continue
            module = ast.Module(body=[node], type_ignores=[])
            try:
                code = compile(module, filename, "exec", dont_inherit=True)
            except SyntaxError as exc:  # nonlocal at the top level, `return` outside a function …
                try:  # a top-level `x = await …`, which Jupyter runs in its event loop: not a definition
                    compile(module, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
                except SyntaxError:
                    problems.append(_problem(where, exc))
                    break  # Jupyter stops the cell there too
                continue
            defines, uses = _names(node, python, filename)
            if defines:
                blocks.append((code, defines, uses))
    names = frozenset(n for _, defines, _ in blocks for n in defines) - {STAR}
    return Definitions(tuple(blocks), names, tuple(problems))


def needed(found: Definitions, name: str) -> list:
    """The compiled statements ``name`` depends on, in notebook order: its definitions and, transitively, what they use.

    Leaving out the rest matters: ``import keras`` or ``history = model.fit(X, y)`` for a training cell would cost
    seconds or minutes on every call.  A ``from … import *`` block is always needed: what it defines is unknown.
    """
    wanted, size = {name, STAR}, -1
    while size != len(wanted):
        size = len(wanted)
        for _, defines, uses in found.blocks:
            if defines & wanted:
                wanted |= uses
    return [code for code, defines, _ in found.blocks if defines & wanted]


def imported_modules(found: Definitions, names: Iterable[str]) -> list[str]:
    """The modules the statements that ``names`` need import (``from a import b`` gives ``a`` and ``a.b``).

    The sandbox imports them once, before the learner's calls: each call then starts from a process that has them.
    TensorFlow and Keras are left out (they start threads, and a process with threads must not be forked).
    """
    import dis

    modules = set()
    for name in names:
        for code in needed(found, name):
            last = ""
            for instruction in dis.get_instructions(code):
                if instruction.opname == "IMPORT_NAME" and isinstance(instruction.argval, str):
                    last = instruction.argval
                    modules.add(last)
                elif instruction.opname == "IMPORT_FROM" and last:
                    modules.add(f"{last}.{instruction.argval}")
    return sorted(m for m in modules if m and m.split(".")[0] not in {"tensorflow", "keras"})


def find_notebooks(folder: Path, names: Iterable[str]) -> dict[str, tuple[Path | None, str]]:
    """For each notebook file name in ``names``: the copy of it in ``folder`` to grade (``None`` if none), and a note.

    ``folder`` is searched recursively (an nbgrader ``submitted/`` tree nests), but not inside hidden folders
    (``.ipynb_checkpoints/``, ``.Trash-1000/``, ``.git/``) and not hidden files.  Symbolic links are never followed
    nor graded: a notebook that is one only earns a note saying so.  Of several copies, the shallowest is graded
    (ties: the first in path order) and the note names the others.  The note is ``""`` when there is nothing to say.
    """
    folder = Path(folder)
    wanted = list(dict.fromkeys(names))
    copies: dict[str, list[Path]] = {name: [] for name in wanted}
    links: dict[str, list[Path]] = {name: [] for name in wanted}
    linked_folders: list[Path] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(dirs):
            if name.startswith(".") or not (here / name).is_symlink():
                continue
            linked_folders.append((here / name).relative_to(folder))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink())
        for name in files:
            if name.startswith(".") or name not in copies:
                continue
            path = here / name
            if path.is_symlink():
                links[name].append(path.relative_to(folder))
            elif path.is_file():
                copies[name].append(path.relative_to(folder))

    def refused(paths: list[Path]) -> str:
        shown = ", ".join(p.as_posix() for p in sorted(paths, key=lambda p: (len(p.parts), p)))
        verb = "is a symbolic link" if len(paths) == 1 else "are symbolic links"
        return f"{shown} {verb}, which the grader does not follow; hand in the notebook itself"

    found = {}
    for name in wanted:
        ranked = sorted(copies[name], key=lambda p: (len(p.parts), p))
        notes = []
        if len(ranked) > 1:
            others = ", ".join(p.as_posix() for p in ranked[1:])
            notes.append(f"graded {ranked[0].as_posix()}; also found, not graded: {others}")
        if links[name]:
            notes.append(refused(links[name]))
        elif not ranked and linked_folders:
            notes.append(refused(linked_folders))
        found[name] = (folder / ranked[0] if ranked else None, ". ".join(notes))
    return found


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
    "PYTHON_CELL_MAGICS",
    "STAR",
    "definitions",
    "find_notebooks",
    "imported_modules",
    "needed",
    "read_notebook",
]
