#!/usr/bin/env bash
# Run tests as an ordinary user (not root) with the course and its virtual environment in
# that user's private home, as on a JupyterHub server or a student's laptop:
#
#     tests/as_another_user.sh [TEST PATHS...]     (default: tests/grading)
#
# Needs root (or sudo) to create the user `sopcourse-ci`. The working tree is copied
# (without .venv and .git), the user builds its own venv with `make venv` from a Python
# it can run, and runs `make test-fast TESTS=... MARK=` there (the slow tests too).
set -euo pipefail
cd "$(dirname "$0")/.."
USER_NAME=sopcourse-ci
TESTS="${*:-tests/grading}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

id "$USER_NAME" >/dev/null 2>&1 || $SUDO useradd --create-home --shell /bin/bash "$USER_NAME"
HOME_DIR=$(getent passwd "$USER_NAME" | cut -d: -f6)
$SUDO mkdir -p "$HOME_DIR"
$SUDO chown "$USER_NAME": "$HOME_DIR"
$SUDO chmod 700 "$HOME_DIR"
as_user() { $SUDO runuser -u "$USER_NAME" -- env -u PYTHONPATH HOME="$HOME_DIR" "$@"; }

# A Python 3.11+ with venv that this user can run (root's pyenv or uv Python is private).
PY=""
for candidate in python3.13 python3.12 python3.11 /usr/bin/python3 python3; do
  path=$(command -v "$candidate" 2>/dev/null || true)
  [ -n "$path" ] || continue
  if as_user "$path" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' \
    2>/dev/null; then
    PY=$path
    break
  fi
done
if [ -z "$PY" ]; then
  echo "as_another_user: no Python 3.11+ with venv that $USER_NAME can run" >&2
  echo "(install Debian's python3-venv, or a Python outside root's home)" >&2
  exit 1
fi

COURSE="$HOME_DIR/course"
$SUDO rm -rf "$COURSE"
$SUDO mkdir -p "$COURSE"
tar -c --exclude=./.venv --exclude=./.git --exclude=./tests/artifacts \
  --exclude='__pycache__' . | $SUDO tar -x -C "$COURSE"
$SUDO chown -R "$USER_NAME": "$COURSE"
echo "as_another_user: $USER_NAME (uid $(id -u "$USER_NAME")), home $HOME_DIR (mode 700)," \
  "Python $("$PY" -c 'import sys; print(sys.version.split()[0])') at $PY"
as_user make -C "$COURSE" --no-print-directory venv PYTHON="$PY"
as_user make -C "$COURSE" --no-print-directory test-fast TESTS="$TESTS" MARK=
