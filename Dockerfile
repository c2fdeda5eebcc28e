# Decentra: one image, run with `docker compose up` (see docs/deployment.md).

# Build: every dependency (Vite for the web app, esbuild for the server bundle), then only the
# runtime ones are kept. NODE_ENV is not set here: npm ci would skip the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
  && npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# Run: the built server (apps/server/dist/main.js), the web app (apps/web/dist), the SQL
# migrations it reads from apps/server/src/storage/migrations, and the runtime dependencies
# (PGlite and argon2 are loaded from node_modules; swagger-ui serves its files from there).
# node is PID 1 and handles SIGTERM itself; no npm or tsx in the process tree.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production DECENTRA_DATA_DIR=/data
VOLUME /data
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "require('https').get('https://127.0.0.1:8765/readyz',{rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
# The same command as `npm start` (package.json); --v8-pool-size=0 sizes V8's worker pool to the CPUs.
CMD ["node", "--v8-pool-size=0", "apps/server/dist/main.js"]
