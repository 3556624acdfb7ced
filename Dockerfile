# The voxedge bot as a production image: production dependencies only, installed from the lock
# file, run by the image's unprivileged `bun` user with the same `bun run server` as on a laptop.
#
#   docker build -t voxedge .
#   docker run -p 3000:3000 -e TWILIO_AUTH_TOKEN=… -e PUBLIC_BASE_URL=https://… -e CACHE_KEY_SECRET=… voxedge
#
# NODE_ENV is production, so the server refuses to start without TWILIO_AUTH_TOKEN,
# PUBLIC_BASE_URL and CACHE_KEY_SECRET (compose.yaml runs it as development for the local stack). Every other setting
# is an environment variable as README.md lists them.

# Dependencies in their own stage: only package.json and bun.lock decide this layer, so a change
# to the source reuses it, and no build tooling or dev dependency reaches the final image.
FROM oven/bun:1 AS deps
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --production

FROM oven/bun:1 AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000
# Owned by root and only readable by `bun`: the server never writes to its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bun.lock tsconfig.json ./
COPY src ./src
USER bun
EXPOSE 3000
# Liveness on /health (200 while the process serves). The image has no curl: bun's fetch asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || '3000') + '/health', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `bun run` passes SIGTERM on to the server, which drains before it exits.
CMD ["bun", "run", "server"]
