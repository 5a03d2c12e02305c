# The intacct-assignar worker. Build: `docker build -t intacct-assignar-sync .` (docker-compose.yml does it).
# No secret is copied in (.dockerignore drops env files, config/ and local data): configuration is mounted at
# run time and secrets arrive as environment variables.
#
# Node 22 LTS (Node 20 reached end of life in April 2026; the code still runs on 20 for development).

FROM node:22-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 and @swc/core normally fetch prebuilt binaries; the tool chain covers platforms without one
# and stays in this stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Runtime dependencies only (tsx runs the TypeScript sources; there is no separate build step).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The workflow bundle is built here, once, into the image: the worker loads it from the path below and never
# bundles or writes under /app at run time (test/integration/worker-readonly.test.ts starts it this way).
ENV INTACCT_ASSIGNAR_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
RUN node node_modules/tsx/dist/cli.mjs scripts/build-workflow-bundle.ts "$INTACCT_ASSIGNAR_WORKFLOW_BUNDLE"
# Sources and the bundle stay root-owned and read-only to the service; only .data (the SQLite ledger, used
# when DATABASE_URL is not set) is writable.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
# GET /healthz (worker running, ledger answering, which process serves each connection) and GET /metrics
# (Prometheus: the service's and the Temporal SDK's). Unset either variable to turn its endpoint off.
ENV HEALTH_ADDRESS=0.0.0.0:8081 METRICS_ADDRESS=0.0.0.0:9464
EXPOSE 8081 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/intacct-assignar.js", "worker"]
