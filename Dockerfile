# Timeline server image. Build: `docker build -t timeline .`; run: see docker-compose.yml.
# Two stages: the build stage has the compilers better-sqlite3 needs and the dev dependencies; the
# runtime stage holds only the compiled server and its production dependencies, and runs as `node`.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon from source when no prebuilt binary matches, and
# `npm ci` builds verify's own (binding.gyp).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so editing the sources does not reinstall them.
COPY package.json package-lock.json binding.gyp ./
COPY src/audit/verify/native ./src/audit/verify/native
RUN npm ci
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY scripts/build-web.ts ./scripts/build-web.ts
COPY src ./src
COPY migrations ./migrations
RUN npm run build \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=3000 \
    TIMELINE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build/Release/range_hashes.node ./build/Release/range_hashes.node
# The embedded (sqlite) store writes here; a named volume mounted on /data inherits this ownership.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# The slim image has no curl: node's own fetch asks GET /health (200 up, 503 down).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
