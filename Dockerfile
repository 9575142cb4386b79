# syntax=docker/dockerfile:1
# Clinic Billing: one image for the API, the worker and the migration step (compose picks the command).

# --- build: every dependency (TypeScript is a dev dependency), then the compiled apps ---------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/billing/package.json libs/billing/
# No install scripts: the `node` dev dependency (Node 24 for developers' machines) is not needed
# here, where the base image is Node 24 already, and tsc runs on that node directly.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY libs/billing/tsconfig.json libs/billing/
COPY libs/billing/src libs/billing/src
COPY apps/api/tsconfig.json apps/api/
COPY apps/api/src apps/api/src
COPY apps/worker/tsconfig.json apps/worker/
COPY apps/worker/src apps/worker/src
RUN node node_modules/typescript/bin/tsc -b

# --- runtime: production dependencies only, the compiled output, a non-root user ------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/billing/package.json libs/billing/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/libs/billing/dist libs/billing/dist
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
# The node image's unprivileged user; the app writes nothing to disk.
USER node
EXPOSE 3000 3001
# The API's readiness (Postgres and Redis answer); compose gives the worker its own check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1 (not npm), so SIGTERM reaches the app and it drains before exiting.
# The same node flags as npm start's (package.json).
CMD ["node", "--max-semi-space-size=32", "--enable-source-maps", "apps/api/dist/main.js"]
