# Decentra: one image, run with `docker compose up` (see docs/deployment.md).
# scripts/verify-image.sh (run by CI) builds it, runs it as its user on a volume, restarts it and
# checks what it holds.

# Build: every dependency (Vite for the web app, esbuild for the server bundle), then the web app
# and the server bundle. NODE_ENV is not set here: npm ci would skip the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The manifests alone first: the install layer is reused for as long as they do not change.
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/client/package.json packages/client/
COPY apps/server/package.json apps/server/
COPY apps/cli/package.json apps/cli/
COPY apps/web/package.json apps/web/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build -w @decentra/web && node scripts/build.mjs server

# Runtime dependencies: the server's alone, installed afresh (not the web app's, which Vite has
# bundled, nor the tests' and benches'). Most of the server's are bundled into main.js too, but
# PGlite and argon2 are loaded from node_modules and swagger-ui and pino read files there. No
# package the server needs runs an install script. The workspace links would dangle: dropped.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/packages/protocol/package.json packages/protocol/
COPY --from=build /app/packages/client/package.json packages/client/
COPY --from=build /app/apps/server/package.json apps/server/
COPY --from=build /app/apps/cli/package.json apps/cli/
COPY --from=build /app/apps/web/package.json apps/web/
COPY --from=build /app/e2e/package.json e2e/
COPY --from=build /app/bench/package.json bench/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace=@decentra/server --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/@decentra node_modules/.bin

# Run: the server bundle (apps/server/dist/main.js; not its source map, which node reads only
# with --enable-source-maps), the web app (apps/web/dist), the SQL migrations it reads from
# apps/server/src/storage/migrations, the root package.json (the version it reports) and the
# runtime dependencies, all owned by root: the server cannot change its own code.
# It runs as `node` (uid 1000) and writes only /data, which is node's and 0700 (the server refuses
# a data folder other users can write). node is PID 1 and handles SIGTERM itself.
FROM node:20-bookworm-slim
ENV NODE_ENV=production DECENTRA_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY apps/server/package.json apps/server/
COPY apps/server/src/storage/migrations apps/server/src/storage/migrations
COPY scripts/healthcheck.mjs scripts/
COPY --from=build /app/apps/server/dist/main.js apps/server/dist/
COPY --from=build /app/apps/web/dist apps/web/dist
RUN mkdir -m 0700 /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8765
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["node", "scripts/healthcheck.mjs"]
# The same command as `npm start` (package.json); --v8-pool-size=0 sizes V8's worker pool to the CPUs.
CMD ["node", "--v8-pool-size=0", "apps/server/dist/main.js"]
