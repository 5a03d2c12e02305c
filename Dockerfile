# The intacct-assignar worker. Build: `docker build -t intacct-assignar-sync .` (docker-compose.yml does it).
# No secret is copied in (.dockerignore drops env files, config/ and local data): configuration is mounted at
# run time and secrets arrive as environment variables.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 and @swc/core normally fetch prebuilt binaries; the tool chain covers platforms without one
# and stays in this stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Runtime dependencies only (tsx runs the TypeScript sources; there is no separate build step).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Sources stay root-owned and read-only to the service; only .data (the SQLite ledger, used when
# DATABASE_URL is not set) is writable.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
CMD ["node", "bin/intacct-assignar.js", "worker"]
