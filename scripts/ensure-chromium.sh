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

sh "$(dirname "$0")/apt-install-package.sh" chromium || exit 3
if found=$(find_chromium); then echo "$found"; exit 0; fi
log "the chromium package installed but no chromium command is on PATH"
exit 3
