# Sourced by build/test.sh and build/ryw.sh: installs what the tests and the demo start, when it is missing.
# On Debian/Ubuntu it installs as root or with sudo; elsewhere it prints the one install line and stops.

_ryw_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Runs apt-get as root, or through sudo; fails (with the line to run) where neither is possible.
_ryw_apt_install() {
  local packages=("$@")
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${packages[*]}. Install it with your package manager (macOS: brew install redis)." >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "Missing: ${packages[*]}. Install it with: sudo apt-get install -y ${packages[*]}" >&2
      return 1
    fi
  fi
  echo "Installing ${packages[*]} from apt (about 30 s)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
}

# redis-server: every suite and the demo start real servers.
ensure_redis() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ "${1:-}" = "--sentinel" ] && ! command -v redis-sentinel >/dev/null 2>&1 && missing+=(redis-sentinel)
  [ ${#missing[@]} -eq 0 ] || _ryw_apt_install "${missing[@]}"
}

# Azurite and the Node queue SDK, pinned in build/tools/package-lock.json (npm ci, about 40 s once).
ensure_node_tools() {
  if [ -x "$_ryw_root/build/tools/node_modules/.bin/azurite" ] \
    && [ "$_ryw_root/build/tools/node_modules/.package-lock.json" -nt "$_ryw_root/build/tools/package-lock.json" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "Missing: Node.js 20+ with npm (for Azurite). Install it with: sudo apt-get install -y nodejs npm" >&2
    return 1
  fi
  echo "Installing Azurite and @azure/storage-queue from npm into build/tools (about 40 s)"
  npm ci --prefix "$_ryw_root/build/tools" --no-audit --no-fund --loglevel=error >/dev/null
}

ensure_test_tools() {
  ensure_redis --sentinel && ensure_node_tools
}
