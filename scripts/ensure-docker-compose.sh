#!/bin/sh
# Makes sure the `docker-compose` command exists, so test/integration/docker-compose.test.ts can validate
# docker-compose.yml (`docker-compose config` needs no Docker engine). Prints the command's path on stdout
# (progress goes to stderr). Order: $DOCKER_COMPOSE_PATH, `docker-compose` on PATH, else Debian's package
# (`apt-get install -y docker-compose`, with `apt-get update` first when the plain install fails).
# Exit status 3 means it could not be provided; the reason is on stderr.
set -eu

log() { echo "[docker-compose] $*" >&2; }

if [ -n "${DOCKER_COMPOSE_PATH:-}" ]; then
  if [ -x "$DOCKER_COMPOSE_PATH" ]; then echo "$DOCKER_COMPOSE_PATH"; exit 0; fi
  log "DOCKER_COMPOSE_PATH=$DOCKER_COMPOSE_PATH is not an executable file"; exit 3
fi
if found=$(command -v docker-compose 2>/dev/null); then echo "$found"; exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "docker-compose is missing and apt-get is not available: install Docker Compose v1 (docker-compose) or set DOCKER_COMPOSE_PATH"
  exit 3
fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    log "docker-compose is missing and installing it needs root: run 'apt-get install -y docker-compose' as root"
    exit 3
  fi
else
  SUDO=""
fi

# Two test processes may get here at once: one installs, the other waits for dpkg's lock (apt-get's own
# lock timeout), then finds the package installed.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q"
log "installing Debian's docker-compose package (apt-get install -y docker-compose)…"
if ! $APT install --no-install-recommends docker-compose >&2; then
  log "install failed; running apt-get update and trying again"
  $APT update >&2 || true
  if ! $APT install --no-install-recommends docker-compose >&2; then
    log "apt-get install -y docker-compose failed (see the output above)"
    exit 3
  fi
fi
if found=$(command -v docker-compose 2>/dev/null); then echo "$found"; exit 0; fi
log "the docker-compose package installed but no docker-compose command is on PATH"
exit 3
