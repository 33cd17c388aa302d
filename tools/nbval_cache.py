"""pytest plugin: nbval executes the book's notebooks once, straight into the execution cache the site is built from.

``make book`` and ``make test`` run::

    pytest -p tools.nbval_cache --nbval-lax --nbval-current-env -n 2 --dist loadfile --nbval-cache DIR book/

nbval runs every code cell of a notebook in one kernel and reports a failing cell as a failing test, with its
notebook and cell.  This plugin keeps each cell's outputs and, when every cell of a notebook has passed, stores
the executed notebook in the jupyter-cache at ``DIR`` — the cache myst-nb reads (``execute_notebooks: cache``),
so the site build finds every notebook already executed and executes nothing.  A notebook with a failing cell is
not stored.  Each record's ``data`` says it was executed by nbval and how long it took; the end of the run lists
the notebooks by execution time.

``--nbval-cache-skip-cached`` leaves out notebooks whose code is already in the cache (a rebuild after a prose
edit executes nothing).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import nbformat
import pytest

TIMES = "nbval-times"  # a folder inside the cache: one JSON file per executed notebook, read for the summary


def pytest_addoption(parser):
    group = parser.getgroup("nbval-cache", "storing notebooks nbval executed in a jupyter-cache")
    group.addoption("--nbval-cache", metavar="DIR", help="jupyter-cache folder to store each passing notebook in")
    group.addoption(
        "--nbval-cache-skip-cached", action="store_true", help="do not run notebooks whose code is already cached"
    )


def _cache(config):
    from jupyter_cache import get_cache

    return get_cache(config.getoption("nbval_cache"))


def _is_cached(cache, path: Path) -> bool:
    try:
        cache.match_cache_notebook(nbformat.read(path, as_version=4))
    except KeyError:
        return False
    return True


def pytest_collection_modifyitems(session, config, items):
    if not (config.getoption("nbval_cache") and config.getoption("nbval_cache_skip_cached")):
        return
    cache = _cache(config)
    paths = {Path(str(item.fspath)) for item in items if _is_cell(item)}
    cached = {p for p in paths if _is_cached(cache, p)}
    if cached:
        config.hook.pytest_deselected(items=[i for i in items if _is_cell(i) and Path(str(i.fspath)) in cached])
        items[:] = [i for i in items if not (_is_cell(i) and Path(str(i.fspath)) in cached)]


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


class _Run:
    """The outputs of one notebook's cells as nbval runs them."""

    def __init__(self):
        self.outputs: dict[int, list] = {}
        self.failed = False
        self.start = time.perf_counter()


_RUNS: dict[str, _Run] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not (_is_cell(item) and item.config.getoption("nbval_cache")):
        return
    report = outcome.get_result()
    run = _RUNS.setdefault(str(item.fspath), _Run())
    if report.failed:
        run.failed = True
    if report.when == "call" and item.test_outputs is not None:
        run.outputs[item.cell_num] = copy.deepcopy(item.test_outputs)


def pytest_runtest_teardown(item, nextitem):
    if not (_is_cell(item) and item.config.getoption("nbval_cache")):
        return
    if nextitem is not None and str(nextitem.fspath) == str(item.fspath):
        return  # not the notebook's last cell yet
    run = _RUNS.pop(str(item.fspath), None)
    if run is None or run.failed:
        return
    path = Path(str(item.fspath))
    seconds = time.perf_counter() - run.start
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if sorted(run.outputs) != list(range(len(code))):
        return  # some cells did not run (skipped or deselected): not a full execution
    for number, cell in enumerate(code):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.from_dict(dict(out)) for out in run.outputs[number]]
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = number + 1
    nbformat.validate(nb)
    from jupyter_cache.base import CacheBundleIn

    data = {"executed_by": "nbval", "execution_seconds": round(seconds, 1)}
    _cache(item.config).cache_notebook_bundle(CacheBundleIn(nb, str(path), data=data), overwrite=True)
    times = Path(item.config.getoption("nbval_cache")) / TIMES
    times.mkdir(parents=True, exist_ok=True)
    (times / f"{path.stem}.json").write_text(json.dumps({"notebook": path.name, "seconds": round(seconds, 1)}))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not config.getoption("nbval_cache") or hasattr(config, "workerinput"):
        return
    folder = Path(config.getoption("nbval_cache")) / TIMES
    rows = sorted((json.loads(p.read_text()) for p in folder.glob("*.json")), key=lambda r: -r["seconds"])
    if rows:
        terminalreporter.section("notebook execution times (stored in the execution cache)")
        for row in rows:
            terminalreporter.write_line(f"{row['seconds']:7.1f} s  {row['notebook']}")
        terminalreporter.write_line(f"{sum(r['seconds'] for r in rows):7.1f} s  in all ({len(rows)} notebooks)")


def pytest_sessionfinish(session, exitstatus):
    # Every notebook already cached: nothing to run is success, not pytest's "no tests ran" (exit status 5).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and session.config.getoption("nbval_cache_skip_cached"):
        session.exitstatus = pytest.ExitCode.OK
