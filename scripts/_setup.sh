# Shared by scripts/run and scripts/test: make the virtual environment and install the
# packages that pyproject.toml declares (again only when it has changed).
# Usage: source scripts/_setup.sh EXTRAS   (EXTRAS is "" or "test")
set -euo pipefail
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Challenge needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating a virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi
_extras=${1:-}
_target="."
[ -n "$_extras" ] && _target=".[$_extras]"
_stamp=".venv/.installed-${_extras:-base}"
_hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_hash" ]; then
  echo "Installing packages ($_target)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$_target"
  echo "$_hash" > "$_stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
