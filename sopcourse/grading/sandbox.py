"""Run untrusted notebook code in a limited process and bring back answers as plain data.

A *zygote* process is started once per grading run with a clean environment; it imports
the course libraries and then forks one child per notebook run. The child hides the
instructor's folders (a private mount namespace with empty tmpfs over them, when the OS
allows), loses the network (a new, empty network namespace), runs as an unprivileged
user of its own when the grader is root, sets resource limits, works in a private temp
directory, executes the cells with IPython and, after each question, serialises the
declared answer variables to JSON (numbers, strings, lists, dicts, tables) on a pipe.

The grading process never unpickles or evaluates anything that comes from the child:
it parses JSON lines with a size limit and rebuilds plain values (:func:`from_plain`).
Hidden tests and expected answers stay in the grading process.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_ANSWER_BYTES = 2_000_000
MAX_STREAM_BYTES = 32_000_000
MAX_ELEMENTS = 200_000
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_CLONE_NEWIPC = 0x08000000
_TEMP_SIZE = "64m"  # each private /tmp, /var/tmp and /dev/shm (tmpfs pages escape RLIMIT_AS)
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000
_MNT_DETACH = 2
_UID_BASE = 1 << 24  # job users: 16777216 + random, far above real and subordinate uids
_UID_SPAN = 1 << 29
_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1

# -- plain data ------------------------------------------------------------------------


class _Budget:
    def __init__(self, n):
        self.n = n

    def take(self, k=1):
        self.n -= k
        if self.n < 0:
            raise ValueError(f"the answer is too large (more than {MAX_ELEMENTS} values)")


def _scalar(v):
    if v is None or isinstance(v, bool | np.bool_):
        return None if v is None else bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if isinstance(v, str):
        if len(v) > 100_000:
            raise ValueError("the answer text is longer than 100000 characters")
        return str.__str__(v)
    if isinstance(v, pd.Timestamp | pd.Period):
        return str(v)
    raise TypeError


def to_plain(value, budget=None):
    """Serialise an answer to JSON-safe data; raise TypeError/ValueError if it cannot be.

    Examples
    --------
    >>> to_plain(np.float64(2.5)), to_plain((1, "a"))
    (2.5, [1, 'a'])
    >>> to_plain(pd.DataFrame({"a": [1]}, index=["x"]))
    {'__table__': {'columns': ['a'], 'index': ['x'], 'data': [[1]]}}
    """
    budget = budget or _Budget(MAX_ELEMENTS)
    budget.take()
    try:
        return _scalar(value)
    except TypeError:
        pass
    if isinstance(value, pd.DataFrame):
        budget.take(value.size + len(value.index))
        return {
            "__table__": {
                "columns": [to_plain(c, budget) for c in value.columns],
                "index": [to_plain(c, budget) for c in value.index],
                "data": [[to_plain(x, budget) for x in row] for row in value.itertuples(False)],
            }
        }
    if isinstance(value, pd.Series):
        budget.take(2 * len(value))
        return {
            "__series__": {
                "name": to_plain(value.name, budget) if value.name is not None else None,
                "index": [to_plain(c, budget) for c in value.index],
                "data": [to_plain(x, budget) for x in value.tolist()],
            }
        }
    if isinstance(value, np.ndarray):
        budget.take(value.size)
        return [to_plain(x, budget) for x in value.tolist()]
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_plain(x, budget) for x in items]
    if isinstance(value, dict):
        return {str(to_plain(k, budget)): to_plain(v, budget) for k, v in value.items()}
    raise TypeError(
        f"an answer of type {type(value).__name__} cannot be graded: use a number, text, "
        "list, dict, Series or DataFrame"
    )


def from_plain(data, depth=0):
    """Rebuild a value (DataFrame / Series for tables) from :func:`to_plain` output.

    Only dicts, lists, strings, numbers, booleans and None are accepted.
    """
    if depth > 50:
        raise ValueError("answer nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [from_plain(x, depth + 1) for x in data]
    if isinstance(data, dict):
        if set(data) == {"__table__"} and isinstance(data["__table__"], dict):
            t = data["__table__"]
            cols, index, rows = t.get("columns"), t.get("index"), t.get("data")
            if not all(isinstance(x, list) for x in (cols, index, rows)):
                raise ValueError("malformed table")
            return pd.DataFrame(
                [list(r) if isinstance(r, list) else [r] for r in rows],
                columns=[_hashable(from_plain(c, depth + 1)) for c in cols],
                index=[_hashable(from_plain(i, depth + 1)) for i in index],
            )
        if set(data) == {"__series__"} and isinstance(data["__series__"], dict):
            s = data["__series__"]
            if not isinstance(s.get("index"), list) or not isinstance(s.get("data"), list):
                raise ValueError("malformed series")
            name = s.get("name")
            return pd.Series(
                [from_plain(x, depth + 1) for x in s["data"]],
                index=[_hashable(from_plain(i, depth + 1)) for i in s["index"]],
                name=name if isinstance(name, str | int | float) else None,
            )
        return {str(k): from_plain(v, depth + 1) for k, v in data.items()}
    raise ValueError(f"unexpected {type(data).__name__} in an answer")


def _hashable(x):
    return tuple(x) if isinstance(x, list) else x


# -- the child -------------------------------------------------------------------------


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


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _private_top(path: str) -> str | None:
    """The highest folder on the way to ``path`` that other users cannot pass (no o+x)."""
    parts = path.split(os.sep)
    for k in range(2, len(parts) + 1):
        anc = os.sep.join(parts[:k])
        if not os.stat(anc).st_mode & 0o001:
            return anc
    return None


def _expose(libc, paths, staging) -> bool:
    """Make ``paths`` reachable for another user when an ancestor (e.g. /root) is private.

    Inside the private mount namespace: bind every path aside, cover each private
    ancestor with an empty tmpfs (which also hides its other contents), recreate the
    folders on the way and bind each path back. All paths are looked up before the first
    tmpfs is laid, so several paths under one private home (the virtual environment, its
    base Python and the course package under /root) all stay reachable.
    """
    wanted = {}
    for path in paths:
        path = os.path.realpath(path)
        try:
            top = _private_top(path)
        except OSError:  # not there: nothing to expose
            continue
        if top is not None:
            wanted[path] = top
    if any(path == top for path, top in wanted.items()):
        return False  # the folder itself is private: binding it back would not open it
    # Paths inside another wanted path come with it; tops inside another top are covered.
    paths = [p for p in wanted if not any(p.startswith(q + os.sep) for q in wanted)]
    tops = {wanted[p] for p in paths}
    tops = [t for t in tops if not any(t.startswith(u + os.sep) for u in tops)]
    aside, covered = {}, []
    try:
        for k, path in enumerate(sorted(paths)):
            aside[path] = os.path.join(staging, f"expose{k}")
            os.makedirs(aside[path], exist_ok=True)
            if libc.mount(path.encode(), aside[path].encode(), None, _MS_BIND | _MS_REC, None):
                raise OSError(f"cannot bind {path}")
        for top in tops:
            if libc.mount(b"tmpfs", top.encode(), b"tmpfs", 0, b"size=64k,mode=0755") != 0:
                raise OSError(f"cannot cover {top}")
            covered.append(top)
        for path, held in aside.items():
            top = next(t for t in tops if path == t or path.startswith(t + os.sep))
            folder = top
            for part in os.path.relpath(path, top).split(os.sep):
                folder = os.path.join(folder, part)
                if not os.path.isdir(folder):
                    os.mkdir(folder, 0o755)
            if libc.mount(held.encode(), path.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                raise OSError(f"cannot bind {path} back")
    except OSError:
        for top in reversed(covered):  # leave the view as it was: the job runs as before
            libc.umount2(top.encode(), _MNT_DETACH)
        return False
    return True


def _private_temp(libc, keep) -> bool:
    """Fresh, size-limited /tmp, /var/tmp and /dev/shm for this job (mount namespace only).

    What a submission writes there vanishes with the job and no other job sees it.
    ``keep`` are paths under those folders that the job needs (its working folder, Python
    when it is installed under /tmp): each is held open, the folder covered by an empty
    tmpfs, and the path bound back from the open descriptor.
    """
    folders = []
    for folder in ("/dev/shm", "/var/tmp", "/tmp", tempfile.gettempdir()):
        folder = os.path.realpath(folder)
        if os.path.isdir(folder) and folder not in folders:
            folders.append(folder)
    for folder in sorted(folders, key=len):  # /tmp before a TMPDIR inside it
        held = {}
        try:
            for path in sorted({os.path.realpath(k) for k in keep}):
                if path.startswith(folder + os.sep) and not any(
                    path.startswith(h + os.sep) for h in held
                ):
                    held[path] = os.open(path, os.O_PATH | os.O_DIRECTORY)
            opts = f"size={_TEMP_SIZE},mode=1777".encode()
            if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, opts) != 0:
                return False
            for path, fd in held.items():
                here = folder
                for part in os.path.relpath(path, folder).split(os.sep):
                    here = os.path.join(here, part)
                    if not os.path.isdir(here):
                        os.mkdir(here, 0o755)
                source = f"/proc/self/fd/{fd}".encode()
                if libc.mount(source, path.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                    return False
        except OSError:
            return False
        finally:
            for fd in held.values():
                os.close(fd)
    return True


def _needed_paths() -> list[str]:
    """What a notebook run must read: Python, its site-packages, the package, the data."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    needed = [
        sys.base_prefix,
        sys.prefix,
        package,
        os.path.join(os.path.dirname(package), "datasets"),
    ]
    needed += [p for p in sys.path if p and os.path.isdir(p)]
    return sorted({os.path.realpath(p) for p in needed if os.path.exists(p)})


# -- the allow-list sandbox (bubblewrap) ---------------------------------------------------

SANDBOX_MODES = ("best-effort", "strict")
_SYSTEM_PREFIXES = {"/", "/usr", "/usr/local", "/opt"}
_ZYGOTE_TEMP_SIZE = str(1 << 30)  # the zygote's /tmp (the jobs' working folders), bytes


class SandboxUnavailable(OSError):
    """``mode="strict"`` and the allow-list sandbox (bubblewrap) cannot run here."""


def _bwrap() -> str | None:
    """bubblewrap's binary, looked up on PATH and in the system folders."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/bin", "/usr/local/bin"])
    return shutil.which("bwrap", path=path)


def _link_chain(path: str) -> tuple[list[tuple[str, str]], str]:
    """The symbolic links met on the way to ``path`` (link, target) and the real file."""
    links, seen = [], set()
    path = os.path.abspath(path)
    while os.path.islink(path) and path not in seen:
        seen.add(path)
        target = os.readlink(path)
        links.append((path, target))
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return links, os.path.realpath(path)


def _mapped_library_dirs() -> list[str]:
    """The folders of the shared libraries this Python has loaded (libc, libpython...)."""
    dirs = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    name = parts[5].strip()
                    if ".so" in os.path.basename(name) and os.path.isfile(name):
                        dirs.add(os.path.dirname(os.path.realpath(name)))
    except OSError:
        pass
    return sorted(dirs)


def _zygote_sys_path(env: dict) -> list[str]:
    """``sys.path`` of a Python started as the zygote is (clean environment, site on)."""
    out = subprocess.run(
        [sys.executable, "-c", "import sys, json; print(json.dumps(sys.path))"],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        return [p for p in json.loads(out.stdout.strip().splitlines()[-1]) if p]
    except (ValueError, IndexError):
        return list(sys.path)


def allow_list(env: dict | None = None) -> dict:
    """What a job may read under bubblewrap, all read-only: ``{"binds": [...], "links": {...}}``.

    The Python installation (its prefixes, unless they are system folders such as /usr,
    and then only the folders on ``sys.path``), the interpreter and the symbolic links on
    its way, the folders of the shared libraries Python has loaded (libc's folder), the
    dynamic loader's folders, ``/etc/ld.so.cache``, the course package and its
    ``datasets/``. Nothing else of the host: no home folder, no other checkout, no /etc.
    """
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    roots = {package, os.path.join(os.path.dirname(package), "datasets")}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        if os.path.realpath(prefix) not in _SYSTEM_PREFIXES:
            roots.add(prefix)
    roots.update(_zygote_sys_path(env or {"PATH": "/usr/bin:/bin"}))
    roots.update(_mapped_library_dirs())
    roots.update(p for p in ("/lib64", "/usr/lib64", "/etc/ld.so.cache") if os.path.exists(p))
    links: dict = {}
    for top in ("/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin"):
        if os.path.islink(top):  # merged /usr: keep the top-level links
            links[top] = os.readlink(top)
    chain, real = _link_chain(sys.executable)
    for link, target in chain:
        links[link] = target
    roots.add(real)
    real_roots = set()
    for r in roots:
        if os.path.exists(r):
            real_roots.add(os.path.realpath(r))
    binds = sorted(
        r
        for r in real_roots
        if not any(r.startswith(o.rstrip(os.sep) + os.sep) for o in real_roots)
    )
    return {"binds": binds, "links": {k: links[k] for k in sorted(links)}}


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``["/a", "/a/b", "/a/b/c"]``."""
    parts = [p for p in path.split(os.sep) if p]
    return [os.sep + os.sep.join(parts[:k]) for k in range(1, len(parts) + 1)]


def _bwrap_args(allowed: dict, hide) -> list[str]:
    args = ["--die-with-parent", "--new-session", "--unshare-net", "--unshare-ipc"]
    args += ["--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--cap-add", "ALL"] if os.geteuid() == 0 else ["--unshare-user"]
    # The temp folders first: Python or the course may live under /tmp (a CI checkout),
    # and its binds must go on top of the tmpfs, not under it.
    args += ["--size", _ZYGOTE_TEMP_SIZE, "--tmpfs", "/tmp", "--dir", "/var/tmp"]
    binds = allowed["binds"]
    # The folders on the way, readable by the job's user (bwrap would make them 0700).
    ancestors = {os.path.dirname(p) for p in binds} | {os.path.dirname(k) for k in allowed["links"]}
    for path in sorted({a for p in ancestors for a in _ancestors(p)}, key=len):
        if path not in ("/tmp", "/var/tmp") and not any(
            path == b or path.startswith(b + os.sep) for b in binds
        ):
            args += ["--perms", "0755", "--dir", path]
    for path in binds:
        args += ["--ro-bind", path, path]
    for link, target in allowed["links"].items():
        if link not in binds and not any(link.startswith(b + os.sep) for b in binds):
            args += ["--symlink", target, link]
    for path in hide:  # a hidden folder inside an allowed one stays hidden
        if any(path == b or path.startswith(b + os.sep) for b in binds) and os.path.isdir(path):
            args += ["--tmpfs", path]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--chdir", "/tmp"]
    return args


def _bwrap_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.split()[-1]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def bubblewrap_command(hide=(), env=None) -> tuple[list[str] | None, str]:
    """The bwrap command line that starts the zygote, or None and the reason it cannot.

    The command is checked by starting Python in it once and finding the package (about
    0.1 s).
    """
    binary = _bwrap()
    if binary is None:
        return None, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        allowed = allow_list(env)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"the allow-list could not be made: {exc}"
    cmd = [binary, *_bwrap_args(allowed, [os.path.realpath(h) for h in hide]), "--"]
    check = "import importlib.util as u, sys; sys.exit(u.find_spec('sopcourse') is None)"
    probe = [*cmd, sys.executable, "-c", check]
    try:
        out = subprocess.run(
            probe, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bubblewrap did not start: {exc}"
    if out.returncode != 0:
        why = (out.stderr.strip().splitlines() or [f"exit code {out.returncode}"])[-1]
        return None, f"bubblewrap did not start: {why[:300]}"
    return cmd, f"bubblewrap {_bwrap_version(binary)}"


def _unshare(libc, flags) -> str | None:
    """``unshare(flags)``; None when it worked, else the reason in words."""
    if libc.unshare(flags) == 0:
        return None
    return os.strerror(ctypes.get_errno())


def _isolate(hide_paths, uid, staging, workdir=None):
    """Best effort: private mounts hiding ``hide_paths``, no network, another user.

    The report says what held; ``"refused"`` says why the kernel refused the namespaces.
    """
    report = {"network": "not isolated", "files": "not hidden", "user": "same user"}
    report["temp"] = "shared"  # /tmp, /var/tmp, /dev/shm and System V IPC
    report["processes"] = "visible"  # other processes in /proc (bwrap: its PID namespace)
    libc = _libc()
    flags = _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWIPC
    if os.geteuid() != 0:
        real_uid, real_gid = os.getuid(), os.getgid()
        refused = _unshare(libc, flags | _CLONE_NEWUSER)
        if refused is None:
            try:
                with open("/proc/self/setgroups", "w") as fh:
                    fh.write("deny")
                with open("/proc/self/uid_map", "w") as fh:
                    fh.write(f"{real_uid} {real_uid} 1")
                with open("/proc/self/gid_map", "w") as fh:
                    fh.write(f"{real_gid} {real_gid} 1")
            except OSError:
                pass
            ok = True
        else:
            report["refused"] = f"a user namespace: {refused}"
            if _unshare(libc, _CLONE_NEWNET) is None:
                report["network"] = "isolated"
            ok = False
    else:
        refused = _unshare(libc, flags)
        ok = refused is None
        if not ok:
            report["refused"] = f"a mount namespace: {refused}"
            if _unshare(libc, _CLONE_NEWNET) is None:
                report["network"] = "isolated"
    if ok:
        report["network"] = "isolated"
        if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) == 0:
            hidden = 0
            for path in sorted(hide_paths, key=len):
                if not os.path.isdir(path):  # covered by an ancestor already hidden
                    hidden += 1
                elif libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=16k,mode=0555") == 0:
                    hidden += 1
            report["files"] = "hidden" if hidden == len(hide_paths) else "partly hidden"
            exposed = _expose(libc, _needed_paths(), staging)
            keep = [*_needed_paths(), *([workdir] if workdir else [])]
            if _private_temp(libc, keep):
                report["temp"] = "private"
            # Other users' processes out of sight (the grader's command line may hold
            # --seed): a proc of this mount namespace's own with hidepid=invisible.
            if libc.mount(b"proc", b"/proc", b"proc", 0, b"hidepid=invisible") == 0:
                report["processes"] = "other users' hidden"
        else:
            exposed = False
    else:
        exposed = False
    if os.geteuid() == 0 and uid and (exposed or _reachable_by_others(_needed_paths())):
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        report["user"] = f"uid {uid}"
    return report


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


def _reachable_by_others(paths) -> bool:
    """True when every folder on the way to each path lets other users through."""
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)
        for k in range(2, len(parts) + 1):
            try:
                if not os.stat(os.sep.join(parts[:k])).st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


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


def _child(req, req_fd, out_fd):
    import resource

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

    os.setsid()
    _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # The steps come one at a time, each with a fresh nonce that every message about it
    # carries (see Sandbox._read): the spec holds only the nonce of the "ready" message.
    spec = receive()
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
    seed = spec.pop("seed", None)
    if seed is not None:
        for name in spec.get("data", ()):
            module = {"company": "sopcourse.datasets.load", "demo": "sopcourse.grading.demo"}
            __import__(module[name], fromlist=["assign_variant"]).assign_variant(seed)
    del seed
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout, sys.stderr = _CappedWriter(), _CappedWriter()
    send({"e": "ready", "n": spec.get("n"), "isolation": report})

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False
    shell = InteractiveShell(config=cfg)
    shell.showtraceback = lambda *a, **k: None  # errors are reported through the pipe
    # What a cell may change in the shell to tamper with later cells is reset before each.
    saved = {
        "input_transformers_post": list(shell.input_transformers_post),
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "ast_transformers": list(shell.ast_transformers),
    }
    saved_events = {k: list(v) for k, v in shell.events.callbacks.items()}

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
        for attr, value in saved.items():
            getattr(shell, attr)[:] = value
        shell.events.callbacks = {k: list(v) for k, v in saved_events.items()}
        shell.custom_exceptions = ()
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


def _new_uid() -> int:
    return _UID_BASE + int.from_bytes(os.urandom(4), "big") % _UID_SPAN


def _zygote(fd: int, preload: list[str]) -> None:
    import importlib

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a missing optional library is fine
            continue
    import IPython.core.interactiveshell  # noqa: F401
    import traitlets.config  # noqa: F401

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
    for pid, uid, base in jobs.values():
        _sweep(uid, pid)
        if base:
            shutil.rmtree(base, ignore_errors=True)
    os._exit(0)


# -- the grading side -------------------------------------------------------------------

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
]


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
            "import sys, json; from sopcourse.grading.sandbox import _zygote; "
            "_zygote(int(sys.argv[1]), json.loads(sys.argv[2]))"
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
        with self._lock:
            socket.send_fds(self.sock, [msg], [req_r, out_w])
        os.close(req_r)
        os.close(out_w)
        code = "\n".join(str(s.get("code", "")) for s in steps)
        data = [n for n, fn in (("company", "load_company"), ("demo", "demo_sales")) if fn in code]
        # A fresh nonce for the "ready" message, for each step and for the end. Only the
        # spec goes now; _read hands the child each step once the one before is done.
        nonces = [os.urandom(16).hex() for _ in range(len(steps) + 2)]
        spec = {
            "seed": seed,
            "data": data,
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

    def _read(self, fd, result: RunResult, t0, lim: Limits, steps, nonces, post) -> None:
        """Parse the child's JSON lines and hand it each step once the one before is done.

        ``nonces[0]`` is the "ready" message's, ``nonces[1 + i]`` step i's and
        ``nonces[-1]`` the end's; ``post`` queues a request line for the child. A line
        counts only with the nonce of the step it is about and only while that step is in
        progress (from its "start" to the next step's): "start" and "done" of that step,
        "answers" for the questions that step extracts (the last one wins: the extractor
        runs after the cell's own code), "end" once the last step is done. Anything else
        (malformed, a wrong or stale nonce, a question of another step, a second "ready")
        is skipped and counted in ``result.forged``: the student's code, which may read
        the current step's nonce, can at most spoil the step it runs in.
        """
        import hmac

        def genuine(nonce, k):
            return isinstance(nonce, str) and hmac.compare_digest(
                nonce.encode("utf-8", "replace"), nonces[k].encode()
            )

        def hand(k):  # the child gets step k, or the end after the last step
            if k < n:
                msg = {"i": k, "n": nonces[1 + k], "step": steps[k]}
            else:
                msg = {"end": True, "n": nonces[-1]}
            post((json.dumps(msg) + "\n").encode())

        n = len(steps)
        extracts = [{str(q) for q in (s.get("extract") or {})} for s in steps]
        buf, total, last = b"", 0, time.monotonic()
        current = None  # the step whose cell runs: from its "start" to its first "done"
        step = -1  # the step in progress: from its "start" to the next step's (or the end)
        sent = -1  # the last step handed to the child (n: the end)
        while True:
            now = time.monotonic()
            here = step if step >= 0 else None
            deadline = min(last + lim.cell_seconds + 3, t0 + lim.notebook_seconds + 3)
            if step < 0:
                deadline = max(deadline, last + 30)  # start-up
            if now >= deadline:
                late = "notebook" if now >= t0 + lim.notebook_seconds else "cell"
                result.reason = f"stopped: the {late} ran past its time limit"
                if current is None and here is not None:  # e.g. the next step was stolen
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
                try:
                    ev = json.loads(line)
                except (ValueError, RecursionError):
                    ev = None
                if not isinstance(ev, dict):
                    result.forged += 1
                    continue
                kind, i, nonce = ev.get("e"), ev.get("i"), ev.get("n")
                # About the step in progress, with its nonce:
                ok = type(i) is int and 0 <= step == i and genuine(nonce, 1 + step)
                if kind == "fatal" and step < 0:  # from the zygote: before any cell ran
                    result.reason = f"the sandbox failed to start: {str(ev.get('error'))[:300]}"
                elif kind == "ready" and sent < 0 and genuine(nonce, 0):
                    iso = ev.get("isolation")
                    result.isolation = iso if isinstance(iso, dict) else {}
                    sent = 0
                    hand(0)
                elif (
                    kind == "start"
                    and type(i) is int
                    and step < i == sent < n  # handed over and not started yet
                    and genuine(nonce, 1 + i)
                ):
                    step = current = i
                elif kind == "done" and ok:
                    err = ev.get("error")
                    result.cells[i] = {
                        "error": str(err)[:400] if err else None,
                        "seconds": ev.get("seconds")
                        if isinstance(ev.get("seconds"), float | int)
                        else None,
                    }
                    current = None
                    if sent == i:  # the first "done" of this step: hand over the next one
                        sent = i + 1
                        hand(sent)
                elif (
                    kind == "answers"
                    and ok
                    and isinstance(ev.get("q"), str)
                    and ev["q"] in extracts[i]
                    and isinstance(ev.get("values"), dict)
                ):
                    if len(line) <= MAX_ANSWER_BYTES:
                        result.answers[ev["q"]] = ev["values"]
                    else:
                        result.answers[ev["q"]] = {
                            name: {"error": "the answer is too large"} for name in ev["values"]
                        }
                elif kind == "end" and sent == n and genuine(nonce, -1):
                    result.finished = True
                    return
                else:
                    result.forged += 1
                    continue
                last = time.monotonic()


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
