"""Run untrusted notebook code in a limited process and bring back answers as plain data.

The grading side of the sandbox. A :class:`Sandbox` starts a *zygote* process once per
grading run with a clean environment (:mod:`~sopcourse.grading.zygote`): under
bubblewrap, an allow-list view of the host (:mod:`~sopcourse.grading.bubblewrap`), or,
where bubblewrap cannot run and ``mode="best-effort"``, in a view of the host minus the
instructor's folders (:mod:`~sopcourse.grading.namespaces`). The zygote imports the
course libraries and then forks one job per notebook run; the job hides the
instructor's folders, loses the network, runs as an unprivileged user of its own when
the grader is root, sets resource limits, works in a private temp directory, executes
the cells with IPython and, after each question, serialises the declared answer
variables to JSON (numbers, strings, lists, dicts, tables) on a pipe.

The grading process never unpickles or evaluates anything that comes from the child:
it parses JSON lines with a size limit, with the nonce of the step they are about
(:class:`_Exchange`), and rebuilds plain values (:func:`~sopcourse.grading.codec.from_plain`).
Hidden tests and expected answers stay in the grading process.
"""

from __future__ import annotations

import hmac
import json
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import _PUBLIC_MODULES
from .bubblewrap import allow_list, bubblewrap_command
from .codec import MAX_ELEMENTS, from_plain, to_plain

__all__ = [
    "DEFAULT_PRELOAD",
    "MAX_ANSWER_BYTES",
    "MAX_ELEMENTS",
    "MAX_STREAM_BYTES",
    "SANDBOX_MODES",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxUnavailable",
    "allow_list",
    "bubblewrap_command",
    "from_plain",
    "isolation_notice",
    "to_plain",
]

MAX_ANSWER_BYTES = 2_000_000
MAX_STREAM_BYTES = 32_000_000
SANDBOX_MODES = ("best-effort", "strict")


class SandboxUnavailable(OSError):
    """``mode="strict"`` and the allow-list sandbox (bubblewrap) cannot run here."""


def isolation_notice(report: dict) -> str | None:
    """What a grading run must tell the instructor when the sandbox is weaker than full.

    None when the jobs ran in the allow-list sandbox (bubblewrap) or, where no
    ``sandbox`` is named, when the network was isolated, the hidden folders hidden and the
    jobs ran as a user of their own (or, for a grader that is not root, in a user namespace
    of its own).

    Examples
    --------
    >>> isolation_notice({"network": "isolated", "files": "hidden", "user": "uid 7"}) is None
    True
    >>> isolation_notice({"network": "isolated", "files": "hidden", "user": "uid 7",
    ...     "sandbox": "namespaces", "bubblewrap": "bubblewrap is not installed"})
    ... # doctest: +ELLIPSIS
    'The allow-list sandbox could not run here: bubblewrap is not installed. Jobs ran...'
    >>> print(isolation_notice({"network": "not isolated", "files": "not hidden",
    ...     "user": "same user", "refused": "a mount namespace: Operation not permitted"}))
    ... # doctest: +ELLIPSIS
    The grading sandbox could not start in full here: the kernel refused a mount namespace: ...
    """
    weak = []
    if report.get("network") != "isolated":
        weak.append("the network is not cut off")
    if report.get("files") != "hidden":
        weak.append("the source notebook, the other submissions and the output are not hidden")
    if report.get("user") == "same user" and os.geteuid() == 0:
        weak.append("jobs run as root, the grader's own user")
    if report.get("temp", "private") != "private":
        weak.append("/tmp, /var/tmp, /dev/shm and shared memory are shared between jobs")
    fallback = None
    if report.get("sandbox") == "namespaces":  # bubblewrap was tried and could not run
        fallback = (
            "The allow-list sandbox could not run here: "
            f"{report.get('bubblewrap', 'bubblewrap did not start')}. Jobs ran in the "
            "namespace sandbox (--sandbox best-effort): the source, the submissions and the "
            "output are hidden, but any other file this user can read is readable by a "
            "submission (another checkout of the course, for one). Install bubblewrap, or "
            "grade with --sandbox strict to refuse to run without it."
        )
    if not weak:
        return fallback
    why = report.get("refused")
    cause = (
        f"the kernel refused {why} (a container without CAP_SYS_ADMIN, or user namespaces "
        "turned off)"
        if why
        else "the folders Python needs could not be made readable for a user of its own"
    )
    return (
        f"The grading sandbox could not start in full here: {cause}. Grading goes on with "
        "the time, memory, file-size and process limits, a private working folder and a "
        f"clean environment, but {'; '.join(weak)}. Grades are computed the same way; a "
        "hostile submission could read what this user can read. For the full sandbox, "
        "grade where user namespaces are allowed (sysctl user.max_user_namespaces > 0 and, "
        "on Debian/Ubuntu, kernel.unprivileged_userns_clone=1 or the AppArmor setting "
        "kernel.apparmor_restrict_unprivileged_userns=0), or as root with CAP_SYS_ADMIN "
        "(docker run --cap-add SYS_ADMIN)."
    ) + (f" {fallback}" if fallback else "")


DEFAULT_PRELOAD = [
    "numpy",
    "pandas",
    "scipy",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "statsmodels.api",
    "pulp",
    "sopcourse",
    "sopcourse.grading",
    # the package imports its modules on first use: import them once here instead
    *(f"sopcourse.{name}" for name in _PUBLIC_MODULES),
]


GRADER_VERSION = "1"  # in every audit record; a cluster's workers must all run this one


def course_folders() -> list[str]:
    """The course repository's history and graded notebooks, when installed from it."""
    repo = Path(__file__).resolve().parents[2]
    return [str(repo / d) for d in (".git", "assignments", "exams") if (repo / d).is_dir()]


@dataclass
class Limits:
    """Limits of one notebook run."""

    cell_seconds: float = 30
    notebook_seconds: float = 300
    memory_bytes: int = 1_500_000_000
    file_bytes: int = 50_000_000
    processes: int = 64

    def __post_init__(self):
        if self.cell_seconds <= 0 or self.notebook_seconds <= 0 or self.memory_bytes <= 0:
            raise ValueError("time and memory limits must be positive")


@dataclass
class RunResult:
    """What came back from one run: answers per question as plain data, and what happened."""

    answers: dict = field(default_factory=dict)  # qid -> {name: {"value"|"missing"|"error"}}
    cells: dict = field(default_factory=dict)  # step -> {"error", "seconds"}
    failed_step: int | None = None  # the step that was running when the process died
    reason: str = ""
    finished: bool = False
    isolation: dict = field(default_factory=dict)
    seconds: float = 0.0
    attempts: int = 1  # runs made (see ``grade.run_with_recovery``)
    forged: int = 0  # lines ignored: malformed, or without the nonce of the step they claim


class Sandbox:
    """The zygote: start once, then :meth:`run` notebooks (thread-safe), then :meth:`close`.

    Parameters
    ----------
    hide : list of str
        Folders the untrusted code must not see (source, submissions, output).
    limits : Limits
    preload : list of str
        Modules imported once in the zygote, so each run starts warm.
    own_user : bool
        Run each job as a user of its own when the grader is root (default). ``False``
        keeps the grader's user, as on a system without namespaces (for tests).
    mode : {"best-effort", "strict"}
        Which sandbox the zygote and its jobs run in. Both try bubblewrap first: an
        allow-list view of the host (see :func:`allow_list`) in its own PID, network,
        IPC and UTS namespaces. ``"best-effort"`` (default) falls back to the namespace
        sandbox, which hides the course's folders in a view of the host, and says so in
        :attr:`backend` and in every run's ``isolation``; ``"strict"`` raises
        :class:`SandboxUnavailable` instead.
    """

    def __init__(self, hide=(), limits=None, preload=None, own_user=True, mode="best-effort"):
        if mode not in SANDBOX_MODES:
            raise ValueError(f"sandbox mode {mode!r} is not known; use one of {SANDBOX_MODES}")
        needed = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(__file__))]
        needed.append(tempfile.gettempdir())
        needed = [os.path.realpath(p) + os.sep for p in needed]
        # A folder that holds Python, the package or the temp dir cannot be hidden.
        self.hide = [
            p
            for p in (os.path.realpath(h) for h in hide)
            if not any(n.startswith(p + os.sep) or n == p + os.sep for n in needed)
        ]
        self.limits = limits or Limits()
        self.own_user = bool(own_user)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "MPLBACKEND": "agg",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": tempfile.gettempdir(),
        }
        wrapper, why = bubblewrap_command(self.hide, env)
        if wrapper is None and mode == "strict":
            parent.close()
            child.close()
            raise SandboxUnavailable(
                f"--sandbox strict: the allow-list sandbox cannot run here: {why}. Install "
                "bubblewrap and allow user namespaces, or grade with --sandbox best-effort "
                "(the namespace sandbox, which hides the course's folders only)."
            )
        if wrapper is not None:
            env["HOME"] = "/tmp"
            self.backend = {"sandbox": why, "view": "allow-list"}
        else:
            self.backend = {"sandbox": "namespaces", "view": "host minus hidden folders"}
            self.backend["bubblewrap"] = why
        self._cwd = tempfile.mkdtemp(prefix="sopzygote-")
        code = (
            "import sys, json; from sopcourse.grading.zygote import serve; "
            "serve(int(sys.argv[1]), json.loads(sys.argv[2]))"
        )
        self.proc = subprocess.Popen(
            [
                *(wrapper or []),
                sys.executable,
                "-c",
                code,
                str(child.fileno()),
                json.dumps(preload or DEFAULT_PRELOAD),
            ],
            pass_fds=(child.fileno(),),
            env=env,
            cwd=self._cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the grader, which closes the socket:
        )  # the zygote then kills its jobs and exits
        child.close()
        self.sock = parent
        self._lock = threading.Lock()
        self._counter = 0
        self._variants: dict = {}  # data set -> the seed of the variant the zygote holds
        self.isolation: dict = {}  # what the first run's sandbox achieved

    def close(self):
        try:
            self.sock.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        shutil.rmtree(self._cwd, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, steps, seed=None, notebook_seconds=None) -> RunResult:
        """Run ``steps`` (dicts with ``code`` and optional ``extract`` {qid: [names]}).

        ``notebook_seconds`` overrides the notebook time limit for this run.
        """
        limits = Limits(**vars(self.limits))
        if notebook_seconds is not None:
            limits.notebook_seconds = max(float(notebook_seconds), 1.0)
        with self._lock:
            self._counter += 1
            job = self._counter
        req_r, req_w = os.pipe()
        out_r, out_w = os.pipe()
        msg = json.dumps({"op": "run", "job": job, "own_user": self.own_user}).encode()
        code = "\n".join(str(s.get("code", "")) for s in steps)
        data = [n for n, fn in (("company", "load_company"), ("demo", "demo_sales")) if fn in code]
        with self._lock:  # the variant goes first, so the job is forked with it
            preloaded = seed is not None and bool(data) and self._preload(seed, data)
            socket.send_fds(self.sock, [msg], [req_r, out_w])
        os.close(req_r)
        os.close(out_w)
        # A fresh nonce for the "ready" message, for each step and for the end. Only the
        # spec goes now; _read hands the child each step once the one before is done.
        nonces = [os.urandom(16).hex() for _ in range(len(steps) + 2)]
        spec = {
            "seed": None if preloaded else seed,
            "data": [] if preloaded else data,
            "preloaded": preloaded,
            "hide": self.hide,
            "limits": vars(limits),
            "n": nonces[0],
        }
        outbox: queue.SimpleQueue = queue.SimpleQueue()
        outbox.put((json.dumps(spec) + "\n").encode())
        writer = threading.Thread(target=_write_all, args=(req_w, outbox), daemon=True)
        writer.start()
        result = RunResult()
        t0 = time.monotonic()
        try:
            self._read(out_r, result, t0, limits, list(steps), nonces, outbox.put)
        finally:
            outbox.put(None)  # the writer stops (or fails on the closed pipe after the kill)
            os.close(out_r)
            with self._lock:
                self.sock.send(json.dumps({"op": "kill", "job": job}).encode())
                self.sock.recv(16)
            writer.join(timeout=5)
        result.seconds = round(time.monotonic() - t0, 3)
        if result.isolation:  # which sandbox ran: known here, not taken from the job
            result.isolation.update(self.backend)
        if result.isolation and not self.isolation:
            self.isolation = result.isolation
        return result

    def _preload(self, seed, data) -> bool:
        """Have the zygote hold variant ``seed`` of ``data`` (asked once per seed: every
        submission of a grading run then starts with it instead of generating it).
        Called with the lock held; False when the zygote could not generate it."""
        want = [name for name in data if self._variants.get(name) != seed]
        if want:
            self.sock.send(json.dumps({"op": "variant", "seed": seed, "data": want}).encode())
            ok = self.sock.recv(16) == b"ok"
            for name in want:
                if ok:
                    self._variants[name] = seed
                else:
                    self._variants.pop(name, None)
            return ok and all(self._variants.get(name) == seed for name in data)
        return True

    def _read(self, fd, result: RunResult, t0, lim: Limits, steps, nonces, post) -> None:
        """Parse the child's JSON lines and hand it each step once the one before is done.

        ``nonces[0]`` is the "ready" message's, ``nonces[1 + i]`` step i's and
        ``nonces[-1]`` the end's; ``post`` queues a request line for the child. Which
        line counts is :class:`_Exchange`'s to say; here: the time limits and the size
        limits of the stream.
        """
        exchange = _Exchange(result, steps, nonces, post)
        buf, total, last = b"", 0, time.monotonic()
        while True:
            now = time.monotonic()
            here = exchange.step if exchange.step >= 0 else None
            deadline = min(last + lim.cell_seconds + 3, t0 + lim.notebook_seconds + 3)
            if exchange.step < 0:
                deadline = max(deadline, last + 30)  # start-up
            if now >= deadline:
                late = "notebook" if now >= t0 + lim.notebook_seconds else "cell"
                result.reason = f"stopped: the {late} ran past its time limit"
                if exchange.current is None and here is not None:  # e.g. the next step was stolen
                    result.reason += " (the run stalled after the cell's code)"
                result.failed_step = here
                return
            ready, _, _ = select.select([fd], [], [], deadline - now)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                if not result.finished and not result.reason:
                    result.failed_step = here
                    result.reason = "the process ended early (crash, os._exit or memory)"
                return
            total += len(chunk)
            if total > MAX_STREAM_BYTES:
                result.failed_step, result.reason = here, "too much data sent back"
                return
            buf += chunk
            *lines, buf = buf.split(b"\n")
            if len(buf) > MAX_ANSWER_BYTES * 4:
                result.failed_step, result.reason = here, "an answer is too large"
                return
            for line in lines:
                if not line.strip():
                    continue  # the child starts every message on a line of its own
                counted = exchange.take(line)
                if result.finished:
                    return
                if counted:
                    last = time.monotonic()


class _Exchange:
    """The grading side of the answer channel: which of the child's lines count.

    A line counts only with the nonce of the step it is about and only while that step is
    in progress (from its "start" to the next step's): "start" and "done" of that step,
    "answers" for the questions that step extracts (the last one wins: the extractor runs
    after the cell's own code), "end" once the last step is done. Anything else
    (malformed, a wrong or stale nonce, a question of another step, a second "ready") is
    skipped and counted in ``result.forged``: the student's code, which may read the
    current step's nonce, can at most spoil the step it runs in.
    """

    def __init__(self, result: RunResult, steps, nonces, post):
        self.result, self.steps, self.nonces, self.post = result, steps, nonces, post
        self.n = len(steps)
        self.extracts = [{str(q) for q in (s.get("extract") or {})} for s in steps]
        self.current = None  # the step whose cell runs: from its "start" to its first "done"
        self.step = -1  # the step in progress: from its "start" to the next step's (or the end)
        self.sent = -1  # the last step handed to the child (n: the end)

    def genuine(self, nonce, k) -> bool:
        return isinstance(nonce, str) and hmac.compare_digest(
            nonce.encode("utf-8", "replace"), self.nonces[k].encode()
        )

    def hand(self, k) -> None:
        """The child gets step k, or the end after the last step."""
        if k < self.n:
            msg = {"i": k, "n": self.nonces[1 + k], "step": self.steps[k]}
        else:
            msg = {"end": True, "n": self.nonces[-1]}
        self.post((json.dumps(msg) + "\n").encode())

    def take(self, line: bytes) -> bool:
        """Judge one line; True when it counted (a forged line is counted in ``forged``)."""
        result, step, sent, n = self.result, self.step, self.sent, self.n
        try:
            ev = json.loads(line)
        except (ValueError, RecursionError):
            ev = None
        if not isinstance(ev, dict):
            result.forged += 1
            return False
        kind, i, nonce = ev.get("e"), ev.get("i"), ev.get("n")
        # About the step in progress, with its nonce:
        ok = type(i) is int and 0 <= step == i and self.genuine(nonce, 1 + step)
        if kind == "fatal" and step < 0:  # from the zygote: before any cell ran
            result.reason = f"the sandbox failed to start: {str(ev.get('error'))[:300]}"
        elif kind == "ready" and sent < 0 and self.genuine(nonce, 0):
            iso = ev.get("isolation")
            result.isolation = iso if isinstance(iso, dict) else {}
            self.sent = 0
            self.hand(0)
        elif (
            kind == "start"
            and type(i) is int
            and step < i == sent < n  # handed over and not started yet
            and self.genuine(nonce, 1 + i)
        ):
            self.step = self.current = i
        elif kind == "done" and ok:
            err = ev.get("error")
            result.cells[i] = {
                "error": str(err)[:400] if err else None,
                "seconds": ev.get("seconds")
                if isinstance(ev.get("seconds"), float | int)
                else None,
            }
            self.current = None
            if sent == i:  # the first "done" of this step: hand over the next one
                self.sent = i + 1
                self.hand(self.sent)
        elif (
            kind == "answers"
            and ok
            and isinstance(ev.get("q"), str)
            and ev["q"] in self.extracts[i]
            and isinstance(ev.get("values"), dict)
        ):
            if len(line) <= MAX_ANSWER_BYTES:
                result.answers[ev["q"]] = ev["values"]
            else:
                result.answers[ev["q"]] = {
                    name: {"error": "the answer is too large"} for name in ev["values"]
                }
        elif kind == "end" and sent == n and self.genuine(nonce, -1):
            result.finished = True
        else:
            result.forged += 1
            return False
        return True


def _write_all(fd, source):
    """Write each request line ``source`` (a queue) yields, until None; then close ``fd``.

    A thread of its own, so a child that stops reading (the student's code stole a
    step, or it hangs) never blocks the grading side: after the kill the write fails.
    """
    try:
        while (data := source.get()) is not None:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
    except OSError:
        pass
    finally:
        os.close(fd)
