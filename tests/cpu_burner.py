"""Run a command while busy loops keep every CPU core at 100 % (``make test-stress``).

    python tests/cpu_burner.py [--per-core N] -- COMMAND...

A busy machine is slow, not wrong: the suite must pass like this too. The burners run at
normal priority (the tests compete with them for every core) and stop when the command
ends, also when it fails or is interrupted. The command's exit code is returned.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time


def _burn() -> None:  # pragma: no cover - runs in the burner processes
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    x = 0
    while True:
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-core", type=int, default=1, help="busy loops per core")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    cores = len(os.sched_getaffinity(0))
    burners = [mp.Process(target=_burn, daemon=True) for _ in range(cores * args.per_core)]
    for b in burners:
        b.start()
    print(f"cpu_burner: {len(burners)} busy loops on {cores} cores while: {' '.join(command)}")
    t0 = time.monotonic()
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 130
    finally:
        for b in burners:
            b.terminate()
        for b in burners:
            b.join(timeout=5)
    print(
        f"cpu_burner: the command ended with exit code {code} after {time.monotonic() - t0:.0f} s"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
