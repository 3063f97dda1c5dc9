"""The zygote and its jobs: the processes that run untrusted notebook code.

The zygote is started once per grading run (see :class:`~sopcourse.grading.sandbox.Sandbox`)
with a clean environment, under bubblewrap when it can run; it imports the course
libraries and then forks one job per notebook run. The job isolates itself
(:mod:`~sopcourse.grading.namespaces`), sets its resource limits, works in a private
folder, runs the steps it is handed with IPython one at a time and, after each question,
sends the declared answer variables as plain data (:func:`~sopcourse.grading.codec.to_plain`)
as JSON lines on its pipe. Nothing a cell starts outlives it; nothing a job leaves
behind outlives the job.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

from .codec import to_plain
from .namespaces import _isolate, _libc

_UID_BASE = 1 << 24  # job users: 16777216 + random, far above real and subordinate uids
_UID_SPAN = 1 << 29
_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1


class _CappedWriter:
    def __init__(self, limit=20_000):
        self.limit, self.parts, self.size = limit, [], 0

    def write(self, s):
        if self.size < self.limit and isinstance(s, str):
            self.parts.append(s[: self.limit - self.size])
            self.size += len(self.parts[-1])
        return len(s) if isinstance(s, str) else 0

    def flush(self):
        pass

    def isatty(self):
        return False


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class CellTimeout(BaseException):  # noqa: N818 - shown to students as "CellTimeout: ..."
    """Raised in a cell that runs past its time limit (not an Exception: harder to swallow)."""


def _ppids() -> dict:
    """pid -> parent pid of every process (from /proc)."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
                out[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return out


def _descendants(root: int) -> list[int]:
    children: dict = {}
    for pid, ppid in _ppids().items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _reap(block_seconds: float = 0.0) -> bool:
    """Reap finished children; True when this process has no child left at all."""
    end = time.monotonic() + block_seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        except InterruptedError:  # pragma: no cover - retried
            continue
        if pid == 0:
            if time.monotonic() >= end:
                return False
            time.sleep(0.002)


def _kill_descendants(own_user: bool, seconds: float = 10.0) -> bool:
    """SIGKILL every process the student's code started, wait for them; True when none is left.

    The notebook process is a child subreaper, so processes orphaned below it (a double
    fork, ``setsid``) come back to it: "no child left" means "no descendant left". When
    the job runs as a user of its own, ``kill(-1)`` also reaches anything that escaped.
    """
    if _reap():
        return True
    end = time.monotonic() + seconds
    me = os.getpid()
    while time.monotonic() < end:
        if own_user:
            try:
                os.kill(-1, signal.SIGKILL)  # every process of this job's user but this one
            except OSError:
                pass
        for pid in _descendants(me):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if _reap(0.05):
            return True
    return False


def _process_guard(limit: int, interval: float = 0.02) -> threading.Thread:
    """Keep this process's descendants at most ``limit`` when the kernel does not.

    ``RLIMIT_NPROC`` does not apply to root, so when the job cannot run as a user of its
    own a thread watches instead: over the limit, every descendant is killed and reaped.
    Everything it uses is bound before the student's code runs (patching ``os`` or this
    module from a cell does not reach it).
    """
    me, sigkill, nohang = os.getpid(), signal.SIGKILL, os.WNOHANG
    listdir, kill, waitpid, sleep, descendants = (
        os.listdir,
        os.kill,
        os.waitpid,
        time.sleep,
        _descendants,
    )
    fopen = open

    def children() -> list:
        out = []
        try:
            for tid in listdir(f"/proc/{me}/task"):
                with fopen(f"/proc/{me}/task/{tid}/children") as fh:
                    out += fh.read().split()
        except OSError:
            return ["?"]  # no /proc/.../children here: scan every time
        return out

    def watch():
        while True:
            sleep(interval)
            if not children():
                continue
            victims = descendants(me)
            if len(victims) <= limit:
                continue
            for _ in range(100):
                for pid in victims:
                    try:
                        kill(pid, sigkill)
                    except OSError:
                        pass
                for pid in children():
                    try:
                        waitpid(int(pid), nohang)
                    except (OSError, ValueError):
                        pass
                victims = descendants(me)
                if not victims:
                    break
                sleep(0.005)

    thread = threading.Thread(target=watch, name="process-guard", daemon=True)
    thread.start()
    return thread


def _channel(req_fd, out_fd):
    """The job's end of the answer channel: ``send(message)`` and ``receive()`` a request.

    ``os.read`` and ``os.write`` are bound here, before any student code runs.
    """
    main_pid = os.getpid()
    read, write = os.read, os.write  # bound before any student code runs
    inbox = bytearray()

    def send(obj):
        if os.getpid() != main_pid:  # a copy made by os.fork() in student code
            os._exit(0)
        # The leading newline ends any partial line the student's code left on the pipe:
        # it is judged (and ignored) on its own instead of spoiling this message.
        data = ("\n" + json.dumps(obj, allow_nan=True) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[write(out_fd, view) :]

    def receive():
        """The grading side's next request line: the spec, one step, or the end."""
        while b"\n" not in inbox:
            chunk = read(req_fd, 1 << 16)
            if not chunk:  # the grading side has stopped listening
                os._exit(1)
            inbox.extend(chunk)
        k = inbox.index(b"\n")
        line = bytes(inbox[:k])
        del inbox[: k + 1]
        return json.loads(line)

    return send, receive


def _enter_job(req, spec) -> tuple[dict, bool, dict]:
    """Before any student code: isolate the job, set its limits, clean its environment.

    Then the variant's data is generated and the seed popped from ``spec``. Returns the
    limits, whether the job runs as a user of its own, and the isolation report.
    """
    workdir = req["workdir"]
    uid = req.get("uid") if os.geteuid() == 0 else None
    if uid:
        os.chown(workdir, uid, uid)
    report = _isolate(spec.get("hide", []), uid, req["staging"], workdir)
    own_user = bool(uid) and os.getuid() == uid
    # Die with the zygote (set after the change of user, which clears it).
    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != req["zygote"]:
        os._exit(1)
    os.chdir(workdir)
    limits = spec["limits"]
    lim = resource
    lim.setrlimit(lim.RLIMIT_CORE, (0, 0))
    lim.setrlimit(lim.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    cpu = int(limits["notebook_seconds"]) + 5
    lim.setrlimit(lim.RLIMIT_CPU, (cpu, cpu + 5))
    lim.setrlimit(lim.RLIMIT_NOFILE, (256, 256))
    mem = _vm_size() + limits["memory_bytes"]
    lim.setrlimit(lim.RLIMIT_AS, (mem, mem))
    nproc = limits["processes"] if own_user else _process_count() + limits["processes"]
    lim.setrlimit(lim.RLIMIT_NPROC, (nproc, nproc))
    if not own_user and os.geteuid() == 0:  # the kernel ignores RLIMIT_NPROC for root
        _process_guard(limits["processes"])
    os.environ.clear()
    os.environ.update(
        {
            "HOME": workdir,
            "TMPDIR": workdir,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "MPLBACKEND": "agg",
            "IPYTHONDIR": os.path.join(workdir, ".ipython"),
            "SOPCOURSE_PROGRESS_FILE": os.path.join(workdir, "progress.json"),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
        }
    )
    # The variant's data, generated before any student code runs; its seed is not kept
    # (no environment variable, no attribute): the student's code gets the data only.
    # The zygote may hold the run's variant already (a "variant" request: generated once
    # per grading run, not once per submission); a run without it forgets it.
    seed = spec.pop("seed", None)
    if not spec.pop("preloaded", False):
        for module in _VARIANT_MODULES.values():
            getattr(sys.modules.get(module), "_ASSIGNED", {}).clear()
    if seed is not None:
        _assign_variant(seed, spec.get("data", ()))
    del seed
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout, sys.stderr = _CappedWriter(), _CappedWriter()
    return limits, own_user, report


def _new_shell():
    """The job's IPython shell, and a function that undoes what a cell changed in it.

    What a cell may change in the shell to tamper with later cells (input and AST
    transformers, event callbacks, custom exception handlers) is reset before each cell.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False
    shell = InteractiveShell(config=cfg)
    shell.showtraceback = lambda *a, **k: None  # errors are reported through the pipe
    saved = {
        "input_transformers_post": list(shell.input_transformers_post),
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "ast_transformers": list(shell.ast_transformers),
    }
    saved_events = {k: list(v) for k, v in shell.events.callbacks.items()}

    def reset():
        for attr, value in saved.items():
            getattr(shell, attr)[:] = value
        shell.events.callbacks = {k: list(v) for k, v in saved_events.items()}
        shell.custom_exceptions = ()

    return shell, reset


def _child(req, req_fd, out_fd):
    """The job: one notebook run, forked from the zygote; runs the steps it is handed."""
    main_pid = os.getpid()
    send, receive = _channel(req_fd, out_fd)
    os.setsid()
    _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # The steps come one at a time, each with a fresh nonce that every message about it
    # carries (see sandbox._Exchange): the spec holds only the nonce of the "ready" message.
    spec = receive()
    limits, own_user, report = _enter_job(req, spec)
    send({"e": "ready", "n": spec.get("n"), "isolation": report})
    shell, reset = _new_shell()

    too_long = f"the cell ran longer than {limits['cell_seconds']:g} s"
    extracting = False
    user_ns = shell.user_ns

    def raise_in_cell(frame, event, arg):
        if frame.f_globals is user_ns:
            if event in ("line", "return", "exception"):
                raise CellTimeout(too_long)
            return raise_in_cell
        return None

    def on_alarm(signum, frame):
        _kill_descendants(own_user, seconds=1)  # a fork bomb must not starve what follows
        signal.setitimer(signal.ITIMER_REAL, 1)  # again, in case the exception is swallowed
        if extracting or (frame is not None and frame.f_globals is user_ns):
            raise CellTimeout(too_long)
        # In library code the exception could be lost (Python ignores exceptions raised in
        # os.fork's at-fork hooks, where a fork loop spends most of its time): raise it
        # at the next line of the cell's own code instead.
        sys.settrace(raise_in_cell)
        while frame is not None:
            if frame.f_globals is user_ns:
                frame.f_trace, frame.f_trace_lines = raise_in_cell, True
            frame = frame.f_back

    signal.signal(signal.SIGALRM, on_alarm)
    while True:
        # One step at a time: the next one (and its nonce) is sent only once this step's
        # "done" has arrived, so the student's code never holds a later step's nonce.
        msg = receive()
        nonce = msg.get("n")
        if "step" not in msg:  # the end
            break
        i, step = msg["i"], msg["step"]
        send({"e": "start", "i": i, "n": nonce})
        reset()
        err = None
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, float(limits["cell_seconds"]))
        try:
            res = shell.run_cell(step["code"], store_history=False, silent=False)
            exc = res.error_in_exec or res.error_before_exec
            if exc is not None:
                err = f"{type(exc).__name__}: {str(exc)[:300]}"
        except BaseException as exc:  # noqa: BLE001
            err = f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(None)
        if os.getpid() != main_pid:
            os._exit(0)
        # Nothing a cell started may outlive it: it would hold the job's process and
        # memory limits (a fork bomb makes every later cell fail) or tamper with later cells.
        if not _kill_descendants(own_user):
            err = err or "processes started by the cell could not be stopped"
            send({"e": "done", "i": i, "n": nonce, "error": err, "seconds": None})
            os._exit(1)
        seconds = round(time.perf_counter() - t0, 3)
        send({"e": "done", "i": i, "n": nonce, "error": err, "seconds": seconds})
        for qid, names in (step.get("extract") or {}).items():
            values = {}
            for name in names:
                extracting = True
                signal.setitimer(signal.ITIMER_REAL, float(limits["cell_seconds"]))
                try:
                    value = shell.user_ns.get(name, Ellipsis)
                    if value is Ellipsis:
                        values[name] = {"missing": True}
                    else:
                        values[name] = {"value": to_plain(value)}
                except BaseException as exc:  # noqa: BLE001
                    values[name] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    extracting = False
            try:
                send({"e": "answers", "i": i, "n": nonce, "q": qid, "values": values})
            except (ValueError, TypeError):
                send({"e": "answers", "i": i, "n": nonce, "q": qid, "values": {}})
    send({"e": "end", "n": nonce})
    os._exit(0)


def _process_count() -> int:
    uid = os.getuid()
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n * 4 + 64  # threads count too


def _sweep(uid, pid, jobs=()):
    """Kill everything a job left behind and reap it.

    Its user's processes (when it ran as a user of its own), its session, and every
    child of the zygote that is not a running job: the zygote is a child subreaper, so
    orphans of a finished job (a double fork, ``setsid``) are its children.
    """
    if uid and os.geteuid() == 0:
        for _ in range(3):
            helper = os.fork()
            if helper == 0:
                try:
                    os.setuid(uid)
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(helper, 0)
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    keep = set(jobs) - {pid}
    end = time.monotonic() + 10
    while time.monotonic() < end:
        strays = [p for p, pp in _ppids().items() if pp == os.getpid() and p not in keep]
        if not strays:
            return
        for p in strays:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.005)
        _reap_except(keep)


def _reap_except(keep) -> dict:
    """Reap every finished child of the zygote; return {pid: True} for reaped job pids."""
    reaped = {}
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        if pid in keep:
            reaped[pid] = True


_VARIANT_MODULES = {"company": "sopcourse.datasets.load", "demo": "sopcourse.grading.demo"}


def _assign_variant(seed: int, names) -> None:
    """Generate the variant ``seed`` of each data set in ``names`` in this process."""
    for name in names:
        module = __import__(_VARIANT_MODULES[name], fromlist=["assign_variant"])
        module.assign_variant(seed)


def _freeze() -> None:
    """Move what the zygote holds out of the garbage collector's reach before jobs fork:
    a collection in a job then does not touch (and so copy) every page of the zygote's
    libraries and data (copy-on-write), as the ``gc.freeze`` documentation advises."""
    import gc

    gc.collect()
    gc.freeze()


def _new_uid() -> int:
    return _UID_BASE + int.from_bytes(os.urandom(4), "big") % _UID_SPAN


def serve(fd: int, preload: list[str]) -> None:
    """The zygote's loop: import ``preload``, then fork a job per "run" request on ``fd``.

    ``fd`` is the zygote's end of a SOCK_SEQPACKET socket pair; a "run" request brings
    the job's two pipe ends, a "kill" request ends the job and removes its folder, a
    "variant" request generates a data variant here once, for every job forked after it
    that is told so (``preloaded``). When the grading side closes the socket, every job
    is killed and the zygote exits.
    """
    import importlib

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a missing optional library is fine
            continue
    import IPython.core.interactiveshell  # noqa: F401
    import traitlets.config  # noqa: F401

    _freeze()
    _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    sock = socket.socket(fileno=fd)
    jobs: dict = {}  # job -> (pid, uid, base); pid 0 once the job's process has ended
    while True:
        running = {pid for pid, _, _ in jobs.values() if pid}
        for pid in _reap_except(running):
            for job, (p, uid, base) in list(jobs.items()):
                if p == pid:
                    jobs[job] = (0, uid, base)
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 65536, 2)
        except OSError:
            break
        if not msg:
            break
        req = json.loads(msg.decode())
        if req["op"] == "run":
            base = tempfile.mkdtemp(prefix="sopgrade-")
            os.chmod(base, 0o711)
            req["workdir"] = os.path.join(base, "work")
            req["staging"] = os.path.join(base, "staging")
            req["uid"] = _new_uid() if req.get("own_user", True) else None
            req["zygote"] = os.getpid()
            os.mkdir(req["workdir"], 0o700)
            os.mkdir(req["staging"], 0o700)
            pid = os.fork()
            if pid == 0:
                sock.close()
                try:
                    _child(req, fds[0], fds[1])
                except BaseException as exc:  # noqa: BLE001
                    msg = json.dumps({"e": "fatal", "error": f"{type(exc).__name__}: {exc}"})
                    try:
                        os.write(fds[1], (msg + "\n").encode()[:4000])
                    except OSError:
                        pass
                finally:
                    os._exit(1)
            for f in fds:
                os.close(f)
            jobs[req["job"]] = (pid, req["uid"], base)
        elif req["op"] == "kill":
            pid, uid, base = jobs.pop(req["job"], (0, None, None))
            others = {p for p, _, _ in jobs.values() if p}
            _sweep(uid, pid, others)
            if pid:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
            if base:
                shutil.rmtree(base, ignore_errors=True)
            sock.send(b"ok")
        elif req["op"] == "variant":
            try:
                _assign_variant(req.pop("seed"), req.get("data", ()))
                _freeze()
                sock.send(b"ok")
            except Exception:  # noqa: BLE001 - each job then generates its own
                sock.send(b"no")
    for pid, uid, base in jobs.values():
        _sweep(uid, pid)
        if base:
            shutil.rmtree(base, ignore_errors=True)
    os._exit(0)
