"""The namespace sandbox: the fallback isolation backend, and the job's private temp.

Used when bubblewrap cannot run (``--sandbox best-effort``) and, under bubblewrap too,
for each job's own /tmp. In the forked job, before any student code: a private mount
namespace with empty tmpfs over the instructor's folders (the view is the host minus
those folders), a new and empty network namespace, a new IPC namespace, the folders
Python needs exposed to a user of the job's own, fresh size-limited /tmp, /var/tmp and
/dev/shm, and a /proc with ``hidepid=invisible``. Everything is best effort:
:func:`_isolate` reports what held.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_CLONE_NEWIPC = 0x08000000
_TEMP_SIZE = "64m"  # each private /tmp, /var/tmp and /dev/shm (tmpfs pages escape RLIMIT_AS)
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000
_MNT_DETACH = 2


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
