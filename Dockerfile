# The Homeward image: one image for the api, the worker and the one-shot migration (the command
# chooses). Two stages: the first installs every dependency and runs `npm run build`; the second
# holds only production dependencies and the compiled code, so no TypeScript, tsx or compiler runs
# in production. test/build/image.test.ts builds it where a Docker engine answers, and otherwise
# runs these same steps outside Docker.

# ---- build: compile to JavaScript and prebuild the workflow bundle ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so source edits reuse the cached install layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime ----
FROM node:20-bookworm-slim
WORKDIR /app
# Production unless told otherwise: the process then refuses to start with the development secrets
# published in this repository (config/index.ts).
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and not writable by the process: the code cannot be changed by what it runs.
COPY --from=build /app/dist ./dist
# The image's own user (uid 1000), never root.
USER node
EXPOSE 3000
# Liveness of the api (the default command). The worker has a check of its own
# (dist/scripts/worker-health.js, see docker-compose.yml) and the migration exits when done.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: signals reach the process, which drains before it exits.
CMD ["node", "dist/api/server.js"]
