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
