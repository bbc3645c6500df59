# Sourced by scripts/demo, scripts/test and scripts/bench: make sure .venv exists and
# matches the pinned lock file(s). Safe to run repeatedly; reinstalls only when a lock changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
UV_VERSION="0.13.9"

senim_bootstrap() {
  # $@: lock files to install (relative to $ROOT)
  local stamp="$VENV/.senim-stamp-$(basename "$1" .lock)" want
  want="$(cd "$ROOT" && cat pyproject.toml setup.py requirements/build.lock scripts/_bootstrap.sh src/senim/discovery/_kernel.pyx "$@" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "senim: creating virtual environment in .venv" >&2
    "$PY" -m venv "$VENV"
  fi
  if [ ! -x "$VENV/bin/uv" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  echo "senim: installing pinned dependencies ($*)" >&2
  local args=()
  for f in "$@"; do args+=("$ROOT/$f"); done
  # install (not sync): the demo's runtime set and the test set share one .venv without
  # uninstalling each other. --compile-bytecode: start-up stays fast even where
  # PYTHONDONTWRITEBYTECODE is set.
  local reqs=()
  for f in "${args[@]}"; do reqs+=(-r "$f"); done
  "$VENV/bin/uv" pip install --quiet --compile-bytecode --python "$VENV/bin/python" "${reqs[@]}"
  # the editable install builds the compiled kernel in place (setup.py; its source is part
  # of the stamp above, so an edit rebuilds it), with pinned build requirements
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps \
    --build-constraints "$ROOT/requirements/build.lock" -e "$ROOT"
  # byte-compile what the installers did not: the packages the venv was created with (pip,
  # setuptools: its distutils-precedence.pth runs at every interpreter start)
  "$VENV/bin/python" -m compileall -q -j 0 "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null 2>&1 || true
  echo "$want" > "$stamp"
}

senim_compile() {
  # byte-compile senim's own sources (an editable install is not compiled by uv)
  "$VENV/bin/python" -m compileall -q -j 0 "$ROOT/src" >/dev/null || true
}
