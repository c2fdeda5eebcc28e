# Decentra: one image, run with `docker compose up` (see docs/deployment.md).
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
# Dev dependencies are needed to build the web app (Vite); NODE_ENV is set only afterwards,
# because npm ci skips them under NODE_ENV=production.
RUN npm ci --no-audit --no-fund && npm run build
ENV NODE_ENV=production DECENTRA_DATA_DIR=/data
VOLUME /data
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "require('https').get('https://127.0.0.1:8765/healthz',{rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
CMD ["npm", "start"]
