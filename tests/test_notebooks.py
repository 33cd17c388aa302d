"""Notebook-level tests: conventions, the student edition runs, and nbval catches a broken notebook.

The master notebooks themselves are executed once by nbval inside `make book` (strict checks under `make test`),
straight into the execution cache the site is built from (tools/nbval_cache.py); these tests cover what nbval
cannot, and that the nbval run fails on a broken notebook and caches only notebooks that pass.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import time
import tokenize
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = sorted((ROOT / "book").glob("*.ipynb"))
STUDENT = sorted((ROOT / "student" / "book").glob("*.ipynb"))
#: Chapters finished ahead of their place in the book (drafts/README.md): held to the same static rules.
DRAFTS = sorted((ROOT / "drafts").glob("*.ipynb"))
CHECK_CALL = re.compile(r"checks\.check\(\s*[\"'](\w+)[\"']")


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _repo_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*(\S+)", toc)) | {yaml.safe_load(toc)["root"]}
    for entry in listed:
        assert (ROOT / f"{entry}.ipynb").exists() or (ROOT / f"{entry}.md").exists(), entry
    for nb in BOOK:
        assert f"book/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


@pytest.mark.parametrize("path", BOOK + DRAFTS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "store notebooks without outputs"
    first = code[0].source
    assert f'"git+{_repo_url()}"' in first, "the install cell must use the repository URL of _config.yml"
    assert all("pip install" not in c.source for c in code[1:]), "only the first cell installs"
    assert nb.cells[0].cell_type == "markdown"
    title = nb.cells[0].source.lstrip()
    # A chapter page is labelled (ch-...)=; a section with a notebook of its own (e.g. 11a) is labelled (sec-...)=.
    kind = "sec" if re.match(r"\d+[a-z]_", path.name) else "ch"
    assert re.match(rf"\({kind}-[a-z0-9-]+\)=\n# ", title), (
        f"the title carries a label ({kind}-...)= for cross-references"
    )
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Learning objectives" in text, f"{path.name} has no 'Learning objectives' section"
    # A chapter split over several notebooks (11, 11a) ends with one summary and one set of review questions.
    siblings = sorted(path.parent.glob(f"{path.name[:2]}*.ipynb"))
    text = "\n".join(
        c.source for p in siblings for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown"
    )
    for heading in ("Summary", "Review questions"):
        assert heading in text, f"{path.name} has no '{heading}' section"
    for cell in code:
        if "# BEGIN SOLUTION" in cell.source:
            assert "hide-input" in cell.metadata.get("tags", []), "solution cells are collapsed on the site"


@pytest.mark.parametrize("path", BOOK + STUDENT + DRAFTS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_cell_imports_a_reference_under_an_exercise_name(path):
    """After `from course_lib.x import sigmoid`, re-running the check would test the library, not the learner."""
    code = "\n".join(c.source for c in _code_cells(path))
    ids = set(CHECK_CALL.findall(code))
    for match in re.finditer(r"^\s*from course_lib[\w.]* import ([^\n#]+)", code, re.M):
        names = {n.strip().strip("()").split(" as ")[-1].strip() for n in match.group(1).split(",")}
        assert not names & ids, f"{path.name}: {match.group(0).strip()!r} shadows the exercise(s) {names & ids}"
    for name in ids:
        assert not re.search(rf"^\s*{name}\s*=\s*[\w.]*course_lib", code, re.M), f"{path.name}: {name} = course_lib..."


@pytest.mark.parametrize("path", BOOK + DRAFTS, ids=lambda p: p.name)
def test_every_code_cell_and_code_block_is_complete_python(path):
    """No fragments: a learner can copy any code shown (a body without its `def` cannot run)."""
    for cell in nbformat.read(path, as_version=4).cells:
        blocks = [cell.source] if cell.cell_type == "code" else re.findall(r"```python\n(.*?)```", cell.source, re.S)
        for block in blocks:
            compile(block, path.name, "exec")  # raises SyntaxError on 'return' outside a function, etc.


HINT_TITLES = ("Hint 1 — a nudge", "Hint 2 — the key idea", "Hint 3 — almost there")
# A token: a name with its attributes (`np.sign` is one), a number or an operator. Brackets and commas are
# not tokens, so `np.clip(X, 0, 1)` is the four tokens np.clip X 0 1.
TOKEN = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*|\d+(?:\.\d+)?(?:e-?\d+)?|\*\*|//|[-+*/@%<>=!]=?|[&|^~]")


def _code_tokens(source: str) -> list[str | None]:
    """The tokens of Python code without comments and strings; None marks the end of a statement."""
    tokens: list[str | None] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NEWLINE:
            tokens.append(None)
        elif tok.type not in (tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            tokens += ["".join(t.split()) for t in TOKEN.findall(tok.string)]
    return tokens


def _text_tokens(hint: str) -> list[str | None]:
    """The tokens of a hint's words and code; its maths ($...$) says what to compute and is left out."""
    return ["".join(t.split()) for t in TOKEN.findall(re.sub(r"\$[^$]*\$", " ", hint))]


def _expressions(tokens: list[str | None], n: int = 3) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive tokens within one statement."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1) if None not in tokens[i : i + n]}


def _exercises_with_solutions(path):
    """(exercise markdown, solution code) pairs: each exercise and the solution cell that follows it."""
    cells = nbformat.read(path, as_version=4).cells
    pairs = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and "{exercise}" in cell.source:
            solution = next(
                c.source for c in cells[i + 1 :] if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source
            )
            pairs.append((cell.source, solution))
    return pairs


@pytest.mark.parametrize("path", [p for p in BOOK + DRAFTS if _exercises_with_solutions(p)], ids=lambda p: p.name)
def test_hints_are_tiered_and_never_give_the_solution_code(path):
    for exercise, solution in _exercises_with_solutions(path):
        label = re.search(r":label: (\S+)", exercise).group(1)
        hints = re.findall(r":::\{admonition\} ([^\n]*)\n:class: dropdown\n(.*?)\n:::", exercise, re.S)
        assert tuple(title for title, _ in hints) == HINT_TITLES, (
            f"{label}: hints must be the three tiers {HINT_TITLES}"
        )
        body = textwrap.dedent(solution.split("# BEGIN SOLUTION")[1].split("# END SOLUTION")[0])
        solution_expressions = _expressions(_code_tokens(body))
        for title, hint in hints:
            shared = _expressions(_text_tokens(hint)) & solution_expressions
            assert not shared, (
                f"{label}, {title!r}: the hint dictates the solution's code {' '.join(min(shared))!r}; "
                "say what to compute (in words or maths), not the line to type"
            )


@pytest.mark.parametrize("path", BOOK + DRAFTS, ids=lambda p: p.name)
def test_no_notebook_validates_on_its_test_set(path):
    """Tuning against the test set makes its score optimistic: validate on data carved from the training set."""
    code = "\n".join(c.source for c in _code_cells(path))
    found = re.search(r"validation_data\s*=\s*\(\s*\w*test", code, re.IGNORECASE)
    assert found is None, f"{path.name}: {found.group(0)!r}; use validation_split or a validation set"


ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
HAND_NUMBERED = re.compile(r"\b(chapters?|sections?|exercises?|parts?)\s+\d+(\.\d+)?\b", re.IGNORECASE)


def _prose(path: Path) -> list[str]:
    """The markdown of a page: the whole file for .md, each markdown cell for a notebook."""
    if path.suffix == ".md":
        return [path.read_text()]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", BOOK + DRAFTS + [ROOT / "book" / "index.md"], ids=lambda p: p.name)
def test_no_hand_written_chapter_or_section_numbers(path):
    """Numbers go stale when chapters move: cross-references use {numref}/{ref} roles on MyST labels."""
    for text in _prose(path):
        prose = ROLE.sub("", text)
        found = HAND_NUMBERED.search(prose)
        assert found is None, f"{path.name}: hand-written reference {found.group(0)!r}; use {{numref}} or {{ref}}"


BARE_CHAPTER_NUMREF = re.compile(r"\{numref\}`ch-[\w-]+`")


@pytest.mark.parametrize("path", BOOK + DRAFTS + sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.name)
def test_chapter_references_read_as_chapters(path):
    """A bare {numref}`ch-…` renders as "Section 11"; a chapter is named with {numref}`chapter %s <ch-…>`."""
    for text in _prose(path):
        found = BARE_CHAPTER_NUMREF.search(text)
        assert found is None, f"{path.name}: {found.group(0)} renders as 'Section N'; write {{numref}}`chapter %s <…>`"


def _solution_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source]


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.name)
def test_student_edition_leaves_nothing_that_later_cells_need(path):
    """What makes the student edition run, checked statically for every notebook (the book itself is executed once).

    A stub raises only when the learner's function is *called*: every solution sits inside a function body, and no
    later cell except its check calls that function — the chapter goes on with the library's own version.
    """
    import ast

    from course_lib import edition

    nb = nbformat.read(path, as_version=4)
    for index, cell in _solution_cells(nb):
        tree = ast.parse(cell.source)
        functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        lines = cell.source.splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip() == "# BEGIN SOLUTION":
                inside = any(f.body[0].lineno <= number + 1 <= f.end_lineno for f in functions)
                assert inside, f"{path.name}, cell {index}: a solution outside a function body would raise when run"
        defined = {f.name for f in functions}
        for later in nb.cells[index + 1 :]:
            if later.cell_type != "code" or CHECK_CALL.search(later.source):
                continue
            student_source = edition.strip_solutions(later.source)[0]  # what the learner's notebook runs
            used = {n.id for n in ast.walk(ast.parse(student_source)) if isinstance(n, ast.Name)} & defined
            assert not used, f"{path.name}: a cell after the exercise uses the learner's {used}: use course_lib's"


def test_the_student_edition_answers_every_check_with_not_implemented(tmp_path):
    """The grader runs every exercise of the student edition as handed out: each says 'not implemented yet'."""
    from course_lib.grade import grade_class

    (tmp_path / "submitted" / "fresh").mkdir(parents=True)
    for path in STUDENT:
        (tmp_path / "submitted" / "fresh" / path.name).write_bytes(path.read_bytes())
    rows = grade_class(tmp_path / "submitted", tmp_path / "out", edition_dir=ROOT / "student" / "book")
    from course_lib import checks

    assert {r["exercise"] for r in rows} == set(checks.exercises())  # every registered exercise is in the edition
    assert {r["status"] for r in rows} == {"not_implemented"}, [(r["exercise"], r["status"]) for r in rows]


SMOKE = ("04_activations.ipynb", "08_backpropagation.ipynb")  # executed end to end: cheap, and full of exercises


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in STUDENT if p.name in SMOKE], ids=lambda p: p.name)
def test_student_edition_runs_and_every_check_says_not_implemented(path, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_strict = os.environ.pop("COURSE_CHECKS_STRICT", None)
    try:
        start = time.perf_counter()
        NotebookClient(
            nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        elapsed = time.perf_counter() - start
    finally:
        if env_strict is not None:
            os.environ["COURSE_CHECKS_STRICT"] = env_strict
    print(f"{path.name}: student edition executed in {elapsed:.1f} s")
    called, reported = [], []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        called += CHECK_CALL.findall(cell.source)
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            reported += re.findall(r"✏️ (\w+): not implemented yet", out.get("text", ""))
    assert reported == called, f"{path.name}: checks called {called}, not_implemented reported {reported}"


def _wrong_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom course_lib import checks"),
        nbformat.v4.new_code_cell("def weighted_sum(x, w, b):\n    return x @ w  # forgot the bias"),
        nbformat.v4.new_code_cell('checks.check("weighted_sum", weighted_sum);'),
    ]
    nbformat.write(nb, path)


@pytest.mark.slow
def test_nbval_run_fails_on_a_deliberately_wrong_notebook(tmp_path):
    bad = tmp_path / "wrong.ipynb"
    _wrong_notebook(bad)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env"]
    cmd += ["--nbval-cell-timeout=120", "--rootdir", str(tmp_path), str(bad)]
    env = {**os.environ, "COURSE_CHECKS_STRICT": "1"}
    strict = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert strict.returncode != 0, strict.stdout
    assert "CheckFailed" in strict.stdout and "Don't forget to add the bias" in strict.stdout
    env["COURSE_CHECKS_STRICT"] = "0"
    lenient = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stdout  # only strict mode turns a failed check into a failed run


@pytest.mark.slow
def test_nbval_stores_a_passing_notebook_in_the_execution_cache_and_not_a_failing_one(tmp_path):
    from jupyter_cache import get_cache

    good, bad, cache = tmp_path / "good.ipynb", tmp_path / "wrong.ipynb", tmp_path / "cache"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 6 * 7\nprint(x)"), nbformat.v4.new_code_cell("x")]
    nbformat.write(nb, good)
    _wrong_notebook(bad)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tools.nbval_cache", "--nbval-lax"]
    cmd += ["--nbval-current-env", "--nbval-cache", str(cache), "--rootdir", str(tmp_path), str(good), str(bad)]
    env = {**os.environ, "COURSE_CHECKS_STRICT": "1", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode != 0, run.stdout
    assert "FAILED wrong.ipynb::Cell 2" in run.stdout, run.stdout  # the failing notebook and cell are named
    record = get_cache(str(cache)).match_cache_file(str(good))
    assert record.data["executed_by"] == "nbval"
    executed = get_cache(str(cache)).get_cache_bundle(record.pk).nb
    assert executed.cells[0].outputs[0].text == "42\n" and executed.cells[1].outputs[0].data["text/plain"] == "42"
    with pytest.raises(KeyError):
        get_cache(str(cache)).match_cache_file(str(bad))
    again = subprocess.run(
        [*cmd[:-1], "--nbval-cache-skip-cached"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert again.returncode == 0 and "2 deselected" in again.stdout, again.stdout  # nothing left to run


def test_readme_and_install_cells_use_the_configured_repository():
    url = _repo_url()
    readme = (ROOT / "README.md").read_text()
    assert f"git+{url}" in readme
    assert "make book" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_set_repo_rewrites_every_derived_place(tmp_path):
    import shutil

    for name in ("_config.yml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "set_repo.py", tmp_path / "tools" / "set_repo.py")
    new = "https://github.com/someone/fork"
    subprocess.run([sys.executable, str(tmp_path / "tools" / "set_repo.py"), new], check=True, capture_output=True)
    assert yaml.safe_load((tmp_path / "_config.yml").read_text())["repository"]["url"] == new
    assert f"git+{new}" in (tmp_path / "README.md").read_text()
    for nb in (tmp_path / "book").glob("*.ipynb"):
        assert f"git+{new}" in _code_cells(nb)[0].source


CHAPTERS = sorted({p.name[:2] for p in BOOK} - {"00"})


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_ends_with_references(chapter):
    """A chapter's last notebook closes with a reference list: after its review questions, each entry dated."""
    last = sorted((ROOT / "book").glob(f"{chapter}*.ipynb"))[-1]
    text = "\n".join(c.source for c in nbformat.read(last, as_version=4).cells if c.cell_type == "markdown")
    assert "## References" in text, f"{last.name}: the chapter ends without a '## References' section"
    review, references = text.index("## Review questions"), text.index("## References")
    assert references > review, f"{last.name}: the references come after the review questions"
    tail = text[references:].split("\n## ", 1)[0]
    entries = re.findall(r"^\* .+", tail, re.M)
    assert len(entries) >= 2, f"{last.name}: a reference list of {len(entries)} entries"
    for entry in entries:
        assert re.search(r"\((?:1[89]|20)\d\d[a-z]?\)", entry), f"{last.name}: {entry[:60]!r} has no (year)"
    assert entries == sorted(entries, key=str.lower), f"{last.name}: the references are not alphabetical"


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.name)
def test_every_review_question_has_an_answer(path):
    """The preface promises an answer (collapsed) under every review question."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    if "## Review questions" not in text:
        return
    section = text.split("## Review questions", 1)[1].split("\n## ", 1)[0]
    questions = re.split(r"^(?=\d+\. )", section, flags=re.M)[1:]
    assert questions, f"{path.name}: the review questions are not a numbered list"
    for question in questions:
        assert ":::{admonition} Answer" in question, f"{path.name}: no answer under {question.splitlines()[0]!r}"


MAIN_PAGES = [p for p in BOOK if len(list((ROOT / "book").glob(f"{p.name[:2]}*.ipynb"))) > 1 and p.name[2] == "_"]


@pytest.mark.parametrize("path", MAIN_PAGES, ids=lambda p: p.name)
def test_a_chapter_main_page_carries_or_links_its_summary(path):
    """A reader who stops at the first page of a chapter split over several notebooks still finds the summary."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    links = re.findall(r"\{(?:ref|doc|numref)\}`([^`]*)`", text)
    summary = [link for link in links if "summary" in link.lower() or re.search(rf"{path.name[:2]}[a-z]_", link)]
    assert "## Summary" in text or summary, f"{path.name}: neither a summary nor a link to the chapter's summary"


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.name)
def test_no_placeholder_for_a_later_part(path):
    """Every chapter is written: "(Part II)" or "is written first" are cross-references left undone."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    found = re.search(r"\(Part I{1,3}V?\)|Part I is written first|not written yet|\bTODO\b", text)
    assert found is None, f"{path.name}: {found.group(0)!r}; write a cross-reference to the chapter instead"
