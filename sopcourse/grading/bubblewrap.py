"""The allow-list sandbox: the zygote and its jobs run under bubblewrap (``bwrap``).

A job sees only what :func:`allow_list` names, read-only (the Python installation, the
shared libraries it loaded, the course package and its ``datasets/``), a tmpfs /tmp for
the jobs' working folders, and its own PID, network, IPC and UTS namespaces: no home
folder, no other checkout of the course, no /etc, no other process's command line.
:func:`bubblewrap_command` builds the command line and checks that it starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

_SYSTEM_PREFIXES = {"/", "/usr", "/usr/local", "/opt"}
_ZYGOTE_TEMP_SIZE = str(1 << 30)  # the zygote's /tmp (the jobs' working folders), bytes


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
