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

sh "$(dirname "$0")/apt-install-package.sh" docker-compose || exit 3
if found=$(command -v docker-compose 2>/dev/null); then echo "$found"; exit 0; fi
log "the docker-compose package installed but no docker-compose command is on PATH"
exit 3
