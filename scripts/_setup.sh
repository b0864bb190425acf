# Shared by scripts/run, scripts/test, scripts/serve and scripts/smoke-production: make the
# virtual environment and install the locked packages (again only when the lock file changes).
# Usage: source scripts/_setup.sh EXTRAS   (EXTRAS is "" for run time, "test" or "dev")
# Every package comes from the lock file with its hashes checked; the project itself is then
# installed in place (editable), without looking at its dependencies again.
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
case "$_extras" in
  "") _lock=requirements.lock ;;
  test | dev) _lock="requirements-$_extras.lock" ;;
  *) echo "scripts/_setup.sh: unknown extras '$_extras'" >&2; exit 2 ;;
esac
_inputs=$("$PYTHON" scripts/_lock_inputs.py)
if ! head -1 "$_lock" | grep -q "^# inputs: $_inputs "; then
  echo "$_lock was not made from pyproject.toml's present dependency ranges: run scripts/lock." >&2
  exit 1
fi
_stamp=".venv/.installed-${_extras:-base}"
_hash=$(cat "$_lock" pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_hash" ]; then
  echo "Installing packages ($_lock)"
  .venv/bin/python -m pip install --quiet --upgrade 'pip>=25,<27'
  .venv/bin/python -m pip install --quiet --require-hashes -r "$_lock"
  # (setuptools warns that an editable install maps folders: expected, and hidden.)
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$_hash" > "$_stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"

# Debian packages the app needs at run time: Pango for WeasyPrint's PDFs.
# Usage: ensure_debian_packages PACKAGE... (installs the missing ones with apt-get).
ensure_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} (apt-get install -y)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
