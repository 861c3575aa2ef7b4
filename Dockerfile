# syntax=docker/dockerfile:1
# The certification back-office server. Build: docker build -t certification-back-office .
# Run: docker run -p 4000:4000 -e DATABASE_URL=postgres://... certification-back-office
# (without DATABASE_URL it starts the embedded PostgreSQL under /app/.data: mount a volume there).

# --- build: all dependencies, TypeScript compiled into dist/ ------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY admin ./admin
COPY scripts ./scripts
RUN npm run build

# --- run: production dependencies and the compiled server only -----------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# DATA_DIR holds the generated secrets (and the embedded database when DATABASE_URL is unset).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
VOLUME ["/app/.data"]
EXPOSE 4000
# /readyz: 200 once the database answers and every migration is applied. No curl in the slim image: Node's fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: SIGTERM reaches the server, which drains requests and closes the database.
CMD ["node", "dist/src/main.js"]
