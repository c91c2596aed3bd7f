# shellcheck shell=bash
# tools/lib/setup.sh: what tools/demo and tools/test share: machine set-up and the build.
#
# Sourced by scripts that run with `set -euo pipefail` from the repository root. Defines functions
# only; nothing happens until a script calls them. The usual order:
#
#   source tools/lib/setup.sh
#   hades_setup                          # every set-up step below
#   configure_and_build build [-DFOO=ON ...]
#
# To add a set-up step (a Debian package, an npm tool, a Python module for tests), add it to a
# list below or write a function and call it from hades_setup(). Every step must be idempotent and
# must work as root without a terminal (CI runs `bash .ci/run` as root with no stdin).

HADES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian 12 packages the build and the tests need (the libraries are CMakeLists.txt's
# find_package() calls). One package a line, so adding one is a one-line change.
HADES_APT_PACKAGES=(
  ninja-build
  ccache
  cmake
  g++
  libboost-dev
  libboost-program-options-dev
  libboost-test-dev
  nlohmann-json3-dev
  libyaml-cpp-dev
  libsqlitecpp-dev
  libspdlog-dev
  libssl-dev
  pkg-config  # finds libutf8proc (it has no CMake package)
  libutf8proc-dev  # Unicode NFKC and case folding of company names (plugins/libraries/crm_text/src/crm_text.cc)
  python3  # test scripts and fake servers
  sqlite3  # tests and tools/demo inspect databases with the CLI
  clang  # tools/fuzz: the fuzz targets are built with clang
  clang-format  # tools/lint, and tools/test's format check
  clang-tidy  # tools/lint
  libclang-rt-14-dev  # tools/fuzz: libFuzzer and clang's sanitizer runtimes
  python3-yaml  # bench/export_reference.py
  python3-pandas  # bench/calibrate_pandas.py
  python3-statsmodels  # calibrator tests: independent oracle (Wilson interval)
  python3-scipy  # calibrator tests: independent oracle (chi-square, binomial test)
  python3-sklearn  # calibrator tests: independent oracle (AUC, Brier)
  chromium  # calibration page tests: a real browser, driven by playwright-core (never downloaded)
)

# npm packages, pinned as NAME@VERSION, installed into .deps/npm (ignored by git).
HADES_NPM_PACKAGES=(
  @libsql/client@0.18.0  # the official libSQL client: tests cross-check what HADES wrote to sqld
  @zohocrm/nodejs-sdk-8.0@2.0.0  # Zoho's official CRM SDK: tests check tools/zoho_sim against it
  playwright-core@1.65.2  # drives Debian's chromium in the page tests; downloads no browser
)

hades_log() {
  printf 'hades-setup: %s\n' "$*" >&2
}

# Prints, one a line, those of the given Debian packages that are not installed.
hades_missing_apt_packages() {
  local pkg status
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

# Installs the given Debian packages that are missing. As root it runs apt-get; otherwise it prints
# the command to run and exits 2 (the whole script, since callers use set -e semantics).
ensure_apt_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    hades_log "dpkg-query not found: these scripts expect Debian 12. Install by hand: $*"
    exit 2
  fi
  local missing=()
  mapfile -t missing < <(hades_missing_apt_packages "$@")
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    hades_log "missing Debian packages: ${missing[*]}"
    hades_log "install them, then run this again:"
    printf 'sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 2
  fi
  hades_log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update </dev/null
  apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
}

# Installs Debian's nodejs and npm unless `node` and `npm` are already there: a machine with
# NodeSource's nodejs has npm inside it, and Debian's npm package would conflict with it.
ensure_node_and_npm() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return 0
  fi
  ensure_apt_packages nodejs npm
}

# Installs the pinned sqld (the libSQL server) into .deps/sqld for the Turso backend's tests:
# tools/sqld/install.sh checks the hashes and skips the download when the binary is there.
ensure_sqld() {
  ensure_node_and_npm
  "$HADES_ROOT/tools/sqld/install.sh" </dev/null >/dev/null
  export HADES_SQLD="$HADES_ROOT/.deps/sqld/bin/sqld"
}

# Installs the given pinned npm packages (NAME@VERSION) into $HADES_ROOT/.deps/npm; their commands
# land in .deps/npm/node_modules/.bin, which this function puts on PATH. Reinstalls only when the
# list changes. Needs Debian's nodejs and npm, which it installs like any other package.
ensure_npm_packages() {
  if (($# == 0)); then
    return 0
  fi
  ensure_node_and_npm
  local prefix="$HADES_ROOT/.deps/npm"
  local stamp="$prefix/.installed"
  local wanted
  wanted="$(printf '%s\n' "$@")"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    hades_log "installing npm packages into .deps/npm: $*"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact "$@" </dev/null
    printf '%s\n' "$wanted" >"$stamp"
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
}

# Makes ccache hits independent of where the tree is checked out (CMakeLists.txt already uses
# ccache as the compiler launcher when it finds it).
setup_ccache() {
  if command -v ccache >/dev/null 2>&1; then
    export CCACHE_BASEDIR="$HADES_ROOT"
    export CCACHE_NOHASHDIR=1
  fi
}

# Every set-up step, in order. Later needs go here as one more call.
hades_setup() {
  ensure_apt_packages "${HADES_APT_PACKAGES[@]}"
  ensure_npm_packages "${HADES_NPM_PACKAGES[@]}"
  ensure_sqld
  setup_ccache
}

# configure_and_build BUILD_DIR [CMAKE_ARGS...]
# Configures BUILD_DIR (relative to the repository root) with Ninja and builds it on 2 cores.
# CMAKE_ARGS come after the defaults, so `-DCMAKE_BUILD_TYPE=Debug` overrides RelWithDebInfo.
configure_and_build() {
  local build_dir="$1"
  shift
  local cache="$HADES_ROOT/$build_dir/CMakeCache.txt"
  if [[ -f "$cache" ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
    hades_log "$build_dir was configured with another generator than Ninja; remove it and retry:"
    printf 'rm -rf %q\n' "$HADES_ROOT/$build_dir" >&2
    exit 2
  fi
  cmake -S "$HADES_ROOT" -B "$HADES_ROOT/$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHADES_WERROR=ON "$@" </dev/null
  cmake --build "$HADES_ROOT/$build_dir" -j2 </dev/null
}
