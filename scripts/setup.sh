#!/usr/bin/env bash
# Install what the project needs, once: the Python package into .venv and the pinned npm
# toolchain (Anvil, solc, OpenZeppelin Contracts) into node_modules. Each step runs again only
# when its inputs (pyproject.toml, package-lock.json) change, so running this twice is cheap.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11 or newer is required; set PYTHON to its path" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "error: npm (Node.js 18 or newer) is required to install Anvil and solc" >&2
  exit 1
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python_bin" -m venv .venv
fi
python_stamp="$(stamp pyproject.toml)"
if [ "$(cat .venv/.installed 2>/dev/null)" != "$python_stamp" ]; then
  echo "setup: installing the Python package and its test dependencies"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$python_stamp" > .venv/.installed
fi

npm_stamp="$(stamp package.json package-lock.json)"
if [ "$(cat node_modules/.installed 2>/dev/null)" != "$npm_stamp" ]; then
  echo "setup: installing the pinned npm toolchain (anvil, solc, @openzeppelin/contracts)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > node_modules/.installed
fi
