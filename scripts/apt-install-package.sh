#!/bin/sh
# Installs one Debian package for a test's on-demand tool (scripts/ensure-chromium.sh,
# scripts/ensure-docker-compose.sh): `apt-get install -y <package>`, with `apt-get update` first when the plain
# install fails; as root, or through passwordless sudo. Progress and reasons go to stderr.
# Exit status 0: installed; 3: it could not be (the reason is on stderr).
set -eu

PACKAGE="$1"
log() { echo "[$PACKAGE] $*" >&2; }

if ! command -v apt-get >/dev/null 2>&1; then
  log "$PACKAGE is missing and apt-get is not available: install it yourself (see the calling script for the override variable)"
  exit 3
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    log "$PACKAGE is missing and installing it needs root: run 'apt-get install -y $PACKAGE' as root"
    exit 3
  fi
else
  SUDO=""
fi

# Two test processes may get here at once: one installs, the other waits for dpkg's lock (apt-get's own
# lock timeout), then finds the package installed.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q"
log "installing Debian's $PACKAGE package (apt-get install -y $PACKAGE)…"
if ! $APT install --no-install-recommends "$PACKAGE" >&2; then
  log "install failed; running apt-get update and trying again"
  $APT update >&2 || true
  if ! $APT install --no-install-recommends "$PACKAGE" >&2; then
    log "apt-get install -y $PACKAGE failed (see the output above)"
    exit 3
  fi
fi
