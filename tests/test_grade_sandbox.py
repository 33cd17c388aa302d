"""The grading sandbox: what a learner's code can see and do while it is graded (bubblewrap, Linux only)."""

from __future__ import annotations

import shutil
import socket
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib.grade import edition_exercises, prepare_libraries
from course_lib.grade.sandbox import (
    MAX_PROCESSES,
    WITHHELD,
    NotebookOverBudget,
    SandboxDied,
    SandboxUnavailable,
    Session,
    make_workspace,
    probe,
)
from course_lib.grade.submission import definitions

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("bwrap") is None, reason="the sandbox is bubblewrap on Linux"
)


@pytest.fixture(scope="module")
def library():
    workspace = make_workspace()
    libraries = prepare_libraries(workspace, edition_exercises(notebooks=["04_activations", "08_backpropagation"]))
    yield libraries
    shutil.rmtree(workspace, ignore_errors=True)


def _call(library, source: str, name: str = "f", args=(), seconds: float = 10, **session):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    with Session(library["04_activations.ipynb"], definitions(nb), preload=["numpy"], **session) as box:
        return box.call(name, args, seconds)


def test_the_sandbox_starts(library):
    probe(library["04_activations.ipynb"])
    assert _call(library, "def f(x):\n    return x * 2\n", args=(np.arange(3.0),)).value.tolist() == [0, 2, 4]


def test_graded_mode_is_refused_with_the_package_name_when_bwrap_is_missing(library, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        probe(library["04_activations.ipynb"])


def test_no_file_of_the_course_checkout_the_home_folder_or_other_students_is_visible(library, tmp_path):
    secret = tmp_path / "other_student" / "04_activations.ipynb"
    secret.parent.mkdir()
    secret.write_text("{}")
    python = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    home = [str(p) for p in Path.home().iterdir() if not any(q.is_relative_to(p.resolve()) for q in python)]
    paths = [str(ROOT / "book"), str(ROOT / "student"), str(ROOT / "tests"), str(secret), "/home", *home[:20]]
    source = f"import os\n\ndef f():\n    return [p for p in {paths!r} if os.path.exists(p)]\n"
    outcome = _call(library, source)
    assert outcome.error is None, outcome.error
    assert outcome.value == []


def test_the_library_copy_has_no_checks_and_withholds_this_notebooks_answers(library):
    source = (
        "import importlib, os\nimport course_lib.checks as c\n\n"
        "def f():\n"
        "    folder = os.path.dirname(c.__file__)\n"
        "    out = [sorted(os.listdir(folder))]\n"
        "    for name in ('course_lib.activations', 'course_lib.neuron'):\n"
        "        module = importlib.import_module(name)\n"
        "        try:\n            module.sigmoid(0.0)\n            out.append('computed')\n"
        "        except NotImplementedError as exc:\n            out.append(str(exc))\n"
        "    import inspect, course_lib.activations as a\n"
        "    out.append(sorted(set(a.relu.__code__.co_names) | set(a.softmax.__code__.co_names)))\n"
        "    from course_lib.losses import mse\n"
        "    out.append(float(mse(np.zeros(2), np.ones(2))))  # another chapter's answer stays usable\n"
        "    return out\n"
        "import numpy as np\n"
    )
    outcome = _call(library, source)
    assert outcome.error is None, outcome.error
    files, from_activations, from_neuron, names_used, other = outcome.value
    assert files == ["__init__.py", "_sandbox.py"]
    assert from_activations == from_neuron == WITHHELD
    assert names_used == ["NotImplementedError"]  # the code is gone, not hidden
    assert other == 1.0


def test_the_learner_sees_no_expected_value_up_the_stack_and_no_grader_process(library):
    source = (
        "import os, sys\n\n"
        "def f():\n"
        "    frame, names = sys._getframe(), set()\n"
        "    while frame:\n        names |= set(frame.f_locals)\n        frame = frame.f_back\n"
        "    pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
        "    return ['expected' in names, len(pids) < 10, os.getuid() != 0]\n"
    )
    assert _call(library, source).value == [False, True, True]


def test_no_secret_environment_variable_reaches_the_learner(library, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "s3cret")
    outcome = _call(library, "import os\n\ndef f():\n    return sorted(os.environ)\n")
    assert "INSTRUCTOR_TOKEN" not in outcome.value and not any("s3cret" in v for v in outcome.value)


def test_nothing_outside_a_private_tmp_can_be_written(library):
    package = str(ROOT / "course_lib" / "checks" / "_sandbox.py")
    source = (
        "import mmap, os\n\n"
        "def f():\n"
        "    out = []\n"
        f"    for path in [{package!r}, '/usr/x', os.path.join(os.path.dirname(os.__file__), 'x.py')]:\n"
        "        try:\n            open(path, 'a').close()\n            out.append('wrote')\n"
        "        except OSError as exc:\n            out.append(type(exc).__name__)\n"
        "    try:\n"
        f"        fd = os.open({package!r}, os.O_RDWR)\n"
        "        mmap.mmap(fd, 0)[:1] = b'#'\n        out.append('mapped')\n"
        "    except OSError as exc:\n        out.append(type(exc).__name__)\n"
        "    open('/tmp/mine', 'w').write('ok')\n"
        "    return out + [open('/tmp/mine').read()]\n"
    )
    outcome = _call(library, source)
    assert outcome.error is None, outcome.error
    assert "wrote" not in outcome.value and "mapped" not in outcome.value and outcome.value[-1] == "ok"


def test_no_network(library):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        source = (
            "import socket\n\ndef f():\n    try:\n"
            f"        socket.create_connection(('127.0.0.1', {port}), timeout=2)\n        return 'connected'\n"
            "    except OSError as exc:\n        return type(exc).__name__\n"
        )
        assert _call(library, source).value != "connected"


def test_processes_are_capped_and_killing_everything_harms_only_the_sandbox(library):
    source = (
        "import os, signal, time\n\n"
        "def f():\n"
        "    count = 0\n"
        "    for _ in range(500):\n"
        "        try:\n            pid = os.fork()\n        except OSError:\n            break\n"
        "        if pid == 0:\n            time.sleep(30)\n            os._exit(0)\n"
        "        count += 1\n"
        "    return count\n"
    )
    outcome = _call(library, source)
    assert outcome.error is None and 0 < outcome.value < MAX_PROCESSES, outcome
    killer = "import os, signal\n\ndef f():\n    os.kill(-1, signal.SIGSTOP)\n    os.kill(-1, signal.SIGKILL)\n"
    with pytest.raises(SandboxDied):  # the sandbox died; this test process (the grader's stand-in) did not
        _call(library, killer)


def test_a_process_that_escapes_with_setsid_dies_with_the_sandbox(library):
    marker = f"{time.time_ns() % 10**9}.5"
    source = (
        "import os, time\n\n"
        "def f():\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            os.execv('/bin/sleep', ['sleep', {marker!r}])\n"
        "        os._exit(0)\n"
        "    time.sleep(0.5)\n"
        "    return 1\n"
    )
    assert _call(library, source).value == 1
    time.sleep(0.5)
    running = []
    for entry in Path("/proc").iterdir():
        try:
            running.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    assert not any(marker in line for line in running)


def test_cpu_time_not_wall_time_is_limited_and_the_notebook_has_a_budget(library):
    sleeper = "import time\n\ndef f():\n    time.sleep(2)\n    return 1\n"
    assert _call(library, sleeper, seconds=1).value == 1  # waiting is not computing
    spinner = "def f():\n    while True:\n        pass\n"
    outcome = _call(library, spinner, seconds=1)
    assert outcome.timed_out and 0.9 <= outcome.cpu_seconds < 3
    with pytest.raises(NotebookOverBudget):
        _call(library, spinner, seconds=5, cpu_budget=2)


def test_a_grader_that_is_not_root_maps_the_learner_to_nobody_in_a_user_namespace(library):
    source = f"import os\n\ndef f():\n    return [os.getuid(), os.path.exists({str(ROOT / 'book')!r})]\n"
    outcome = _call(library, source, uid=None)
    assert outcome.error is None, outcome.error
    assert outcome.value == [65534, False]
