"""The grading sandbox: a learner's code runs under bubblewrap, in a process that never holds an expected answer.

Defined in: Preface, "Grading a class".

The grader computes every expected value itself and sends the learner's code
only the *inputs* of each case; the learner's code answers with plain data
(see :mod:`course_lib.grade.learner`).  That code runs under ``bwrap``
(Debian package ``bubblewrap``), which gives it

* new PID, IPC, network, UTS and cgroup namespaces (and, when the grader is
  not root, a user namespace): it sees no other process — not the grader,
  not another student's — and no network;
* a read-only view of only the Python environment and a copy of
  ``course_lib`` made for the notebook being graded: without the checks'
  modules (cases, mistakes, references) and with the library functions that
  answer this notebook's exercises replaced by a ``raise``.  No notebook, no
  submission, no home folder and no results folder is in it;
* a private ``/tmp`` (a small tmpfs) as the only writable place, a fresh
  ``/proc`` of its own PID namespace, ``--die-with-parent``;
* run by root, an unprivileged uid of its own (so a process-count limit,
  ``RLIMIT_NPROC``, holds for it) and no capabilities; run by a normal user,
  that user's uid mapped to ``nobody``.

Where ``bwrap`` is missing or cannot create namespaces, graded mode is refused
with :class:`SandboxUnavailable`, which says what to install.
"""

from __future__ import annotations

import ast
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import course_lib

#: The installed ``course_lib`` folder, from which each notebook's sandboxed copy is built.
PACKAGE = Path(course_lib.__file__).resolve().parent
#: Raised by a library function that answers an exercise of the notebook being graded.
WITHHELD = "course_lib withholds its own answer to this exercise while grading"
#: The tmpfs that is the sandbox's only writable place.
TMP_BYTES = 64 * 1024 * 1024
#: Processes (threads count too) one notebook's code may run at once, when the grader can give it a uid of its own.
MAX_PROCESSES = 64

_CHECKS_STUB = f'''"""course_lib.checks while a notebook is graded: the grader runs the checks, outside this sandbox."""

WITHHELD = {WITHHELD!r}


def check(exercise_id, func):
    """Does nothing here: the grader checks every exercise itself."""
    return None


def run(exercise_id, func, **kwargs):
    raise NotImplementedError(WITHHELD)


def get(exercise_id):
    raise NotImplementedError(WITHHELD)


def exercises():
    return []
'''


class SandboxUnavailable(RuntimeError):
    """Graded mode needs bubblewrap and user namespaces; the message says what is missing."""


def _advice() -> str:
    return (
        "graded mode runs each notebook under bubblewrap: install the Debian package `bubblewrap`"
        " (sudo apt-get install bubblewrap) and allow user namespaces"
        " (sysctl kernel.unprivileged_userns_clone=1 where that setting exists)"
    )


def bwrap() -> str:
    """The path of ``bwrap``; :class:`SandboxUnavailable` when it is not installed."""
    found = shutil.which("bwrap")
    if not found:
        raise SandboxUnavailable(f"bwrap was not found: {_advice()}")
    return found


def _withheld_names(notebook_references) -> dict[str, set[str]]:
    """``{module file relative to the package: {function names}}`` to withhold.

    ``notebook_references`` are the library functions the notebook's references use.  A function is also withheld
    wherever the library defines one of the same name, or a private form of it (``_sigmoid``,
    ``_sigmoid_unchecked``): the library computes σ in more than one module.
    """
    names = {f.__name__.strip("_").removesuffix("_unchecked") for f in notebook_references}
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("checks", "grade"):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.strip("_").removesuffix("_unchecked") in names:
                found.setdefault(str(relative), set()).add(node.name)
    return found


def _withhold(source: str, names: set[str]) -> str:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            doc = node.body[:1] if ast.get_docstring(node) is not None else []
            node.body = doc + ast.parse(f"raise NotImplementedError({WITHHELD!r})").body
    return ast.unparse(tree) + "\n"


def prepare_library(folder, notebook_references) -> Path:
    """Write the sandbox's copy of ``course_lib`` for one notebook under ``folder``; return the package folder.

    ``notebook_references`` are the functions (from
    :func:`course_lib.checks._sandbox.reference_functions`) that answer the notebook's exercises: they are
    withheld.  The checks' modules are left out; ``course_lib.checks`` is a stub whose ``check`` does nothing.
    """
    target = Path(folder) / "course_lib"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.toml"))
    for path in (target / "checks").iterdir():
        if path.name != "_sandbox.py":
            (shutil.rmtree if path.is_dir() else Path.unlink)(path)
    (target / "checks" / "__init__.py").write_text(_CHECKS_STUB, encoding="utf-8")
    library = [f for f in notebook_references if not f.__module__.startswith("course_lib.checks")]
    for relative, names in _withheld_names(library).items():
        path = target / relative
        path.write_text(_withhold(path.read_text(encoding="utf-8"), names), encoding="utf-8")
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    os.chmod(folder, 0o755)
    return target


def _python_folders() -> list[str]:
    """Folders the interpreter and its packages live in — never the course's own checkout."""
    checkout = PACKAGE.parent
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    folders = set(prefixes)
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        inside_checkout = Path(real) == checkout or checkout in Path(real).parents or Path(real) in checkout.parents
        if inside_checkout and not any(real == p or real.startswith(p + os.sep) for p in prefixes):
            continue
        folders.add(real)
    folders = sorted(f for f in folders if not f.startswith("/usr/") and f != "/usr")
    return [f for f in folders if not any(f.startswith(g + os.sep) for g in folders if g != f)]


def command(library: Path, uid: int | None) -> list[str]:
    """The ``bwrap`` command line that runs :mod:`course_lib.grade.learner` on ``library`` (see the module docstring).

    ``uid`` is the uid the learner's code runs as when the grader is root (the server drops to it itself, before
    it reads anything); ``None`` for a grader that is not root, whose uid is mapped to ``nobody``.
    """
    args = [bwrap(), "--die-with-parent", "--new-session", "--clearenv"]
    if uid is None:
        args += ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
    else:
        args += ["--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    made: set[str] = {"/"}

    def parents(dest: str) -> None:
        for parent in reversed(Path(dest).parents):
            if str(parent) not in made:
                args.extend(["--perms", "0755", "--dir", str(parent)])
                made.add(str(parent))

    for path in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
        made.add(path)
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"):
        if os.path.exists(path):
            parents(path)
            args += ["--ro-bind", path, path]
    for folder in _python_folders():
        parents(folder)
        args += ["--ro-bind", folder, folder]
        made.add(folder)
    parents(str(PACKAGE))
    args += ["--ro-bind", str(library), str(PACKAGE)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    args += ["--chdir", "/tmp"]
    env = {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(PACKAGE.parent),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # set on processors where OpenBLAS needs them
        if name in os.environ:
            env[name] = os.environ[name]
    for name, value in env.items():
        args += ["--setenv", name, value]
    args += ["--", sys.executable, "-m", "course_lib.grade.learner"]
    if uid is not None:
        args.append(str(uid))
    return args


def _processes_of(uid: int) -> int:
    """How many processes (threads included) ``uid`` runs now: what ``RLIMIT_NPROC`` counts."""
    count = 0
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
        except (OSError, ValueError):
            continue
        if entry.isdigit() and int(status.get("Uid", "-1").split()[0]) == uid:
            count += int(status.get("Threads", "1"))
    return count


def sandbox_uid() -> int | None:
    """A uid for this worker's sandbox when the grader is root (unique among running workers); ``None`` otherwise."""
    return 100_000 + os.getpid() if os.geteuid() == 0 else None


def probe(library: Path) -> None:
    """Start the sandbox once with a trivial program; :class:`SandboxUnavailable` says why it cannot run."""
    cmd = command(library, sandbox_uid())
    cmd = cmd[: cmd.index("--") + 1] + [sys.executable, "-c", "import numpy"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)  # noqa: S603 - our own command
    except OSError as exc:
        raise SandboxUnavailable(f"bwrap could not be started ({exc}): {_advice()}") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise SandboxUnavailable(f"bwrap failed ({why[-1] if why else done.returncode}): {_advice()}")


class NotebookOverBudget(Exception):  # noqa: N818 - a state, not an error of the grader
    """The notebook's code has used its whole CPU budget."""


class SandboxDied(Exception):  # noqa: N818
    """The sandboxed server stopped answering (it was killed, or it ran out of memory)."""


class Session:
    """One notebook's sandbox, seen from the grader's worker: start it, send the definitions, call functions.

    ``found`` are the notebook's :class:`~course_lib.grade.submission.Definitions`; ``cpu_budget`` is the CPU time
    its code may use in all; ``memory_mb`` limits the sandbox's address space.
    """

    def __init__(
        self,
        library: Path,
        found,
        *,
        preload=(),
        cpu_budget: float = 300.0,
        memory_mb: int = 4096,
        uid: int | None | str = "auto",
    ):
        import marshal

        from course_lib.grade import learner

        self._learner = learner
        uid = sandbox_uid() if uid == "auto" else uid
        memory = memory_mb * 1024 * 1024
        # Without a uid of its own the sandbox shares the grader's uid, so its process cap counts the grader's too.
        processes = MAX_PROCESSES if uid is not None else _processes_of(os.getuid()) + MAX_PROCESSES

        def limits():  # in the child, before bwrap runs: inherited by everything in the sandbox
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            if uid is None:
                resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))

        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command(library, uid),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=limits,  # noqa: PLW1509 - the worker has no threads
        )
        sources = {}
        for code, _, _ in found.blocks:
            source = linecache_source(code.co_filename)
            if source is not None:
                sources[code.co_filename] = source
        setup = {
            "preload": list(preload),
            "sources": sources,
            "blocks": [(marshal.dumps(code), defines, uses) for code, defines, uses in found.blocks],
            "cpu_budget": cpu_budget,
        }
        self._send(setup)

    def _send(self, obj) -> None:
        try:
            self._learner.send(self.process.stdin.fileno(), obj)
        except OSError:
            raise SandboxDied("the sandbox closed its input") from None

    def call(self, name: str, args: tuple, seconds: float):
        """``name(*args)`` in the sandbox, as a :class:`~course_lib.checks._sandbox.Call`."""
        import io
        import pickle
        import select

        from course_lib.checks._sandbox import Call, LearnerError, _PlainUnpickler

        self._send((name, args, seconds))
        fd = self.process.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], 3 * seconds + 60)  # the server's own backstop is 3 s + 30
        if not ready:
            self.close()
            raise SandboxDied("the sandbox stopped answering")
        try:
            kind, payload = _PlainUnpickler(io.BytesIO(self._learner.receive_bytes(fd))).load()
        except (self._learner.ChannelClosed, pickle.UnpicklingError, ValueError, TypeError) as exc:
            self.close()
            raise SandboxDied(f"the sandbox stopped ({exc})") from None
        if kind == "over_budget":
            raise NotebookOverBudget(payload)
        try:
            outcome = _PlainUnpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001 - a server the learner took over may send anything
            outcome = None
        if not isinstance(outcome, Call) or not isinstance(outcome.args_after, tuple):
            return Call(error=LearnerError("ProcessDied", "no readable answer came back", "", False), args_after=args)
        error = outcome.error
        if isinstance(error, LearnerError):
            outcome.used_reference = error.type_name == "NotImplementedError" and WITHHELD in str(error.text)
        return outcome

    def death(self) -> str:
        """How the sandbox ended, in words ("" while it still runs)."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return ""
        number = -code if code < 0 else code - 128 if code > 128 else 0
        if number in signal.Signals._value2member_map_:
            return f"killed by {signal.Signals(number).name}; often: out of memory, or the code killed it"
        return f"exit status {code}"

    def close(self) -> None:
        """Stop the sandbox and everything in it."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.kill()
        except OSError:
            pass
        self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def linecache_source(filename: str) -> str | None:
    """The learner's cell text that :func:`course_lib.grade.submission.definitions` put in ``linecache``."""
    import linecache

    entry = linecache.cache.get(filename)
    return "".join(entry[2]) if entry else None


class RemoteFunction:
    """The stand-in a check is handed for a learner's function that lives in a :class:`Session`."""

    def __init__(self, session: Session, name: str):
        self.session, self.name = session, name

    def remote_call(self, args: tuple, seconds: float):
        """Called by :func:`course_lib.checks._sandbox.call` instead of forking."""
        return self.session.call(self.name, args, seconds)

    def __call__(self, *args):
        raise RuntimeError("a learner's function is only called through course_lib.checks")

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"<your function {self.name}>"


def make_workspace() -> Path:
    """A fresh folder (removed by the caller) for the sandbox's library copies, readable by the sandbox's uid."""
    folder = Path(tempfile.mkdtemp(prefix="course-grade-"))
    os.chmod(folder, 0o755)
    return folder


__all__ = [
    "MAX_PROCESSES",
    "PACKAGE",
    "NotebookOverBudget",
    "RemoteFunction",
    "SandboxDied",
    "SandboxUnavailable",
    "Session",
    "WITHHELD",
    "bwrap",
    "command",
    "make_workspace",
    "prepare_library",
    "probe",
    "sandbox_uid",
]
