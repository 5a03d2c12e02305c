#!/bin/sh
# Makes sure a Chromium executable exists, for the console's browser tests (test/browser/, driven with
# playwright-core). Prints the executable's path on stdout (progress goes to stderr). Order: $CHROMIUM_PATH,
# `chromium` (or `chromium-browser`) on PATH, else Debian's package (`apt-get install -y chromium`, with
# `apt-get update` first when the plain install fails).
# Exit status 3 means it could not be provided; the reason is on stderr.
set -eu

log() { echo "[chromium] $*" >&2; }

find_chromium() {
  for name in chromium chromium-browser; do
    if found=$(command -v "$name" 2>/dev/null); then echo "$found"; return 0; fi
  done
  return 1
}

if [ -n "${CHROMIUM_PATH:-}" ]; then
  if [ -x "$CHROMIUM_PATH" ]; then echo "$CHROMIUM_PATH"; exit 0; fi
  log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"; exit 3
fi
if found=$(find_chromium); then echo "$found"; exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "chromium is missing and apt-get is not available: install Chromium or set CHROMIUM_PATH"
  exit 3
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    log "chromium is missing and installing it needs root: run 'apt-get install -y chromium' as root"
    exit 3
  fi
else
  SUDO=""
fi

# Two test processes may get here at once: one installs, the other waits for dpkg's lock (apt-get's own
# lock timeout), then finds the package installed.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q"
log "installing Debian's chromium package (apt-get install -y chromium)…"
if ! $APT install --no-install-recommends chromium >&2; then
  log "install failed; running apt-get update and trying again"
  $APT update >&2 || true
  if ! $APT install --no-install-recommends chromium >&2; then
    log "apt-get install -y chromium failed (see the output above)"
    exit 3
  fi
fi
if found=$(find_chromium); then echo "$found"; exit 0; fi
log "the chromium package installed but no chromium command is on PATH"
exit 3
