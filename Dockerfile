# zhuihui: the Official Account webhook (default) or the personal-account bot (`bot`).
#   docker build -t zhuihui .
#   docker run -e WECHAT_OA_TOKEN=… -p 127.0.0.1:8080:8080 -v zhuihui-data:/data zhuihui
#   docker run -v zhuihui-bot:/data zhuihui bot
# Debian-based (glibc: the puppets' native modules have prebuilt binaries for it).

# --- build: every dependency (esbuild is a devDependency), then dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The dependency layer is cached until the lock file changes; install scripts run (they are
# approved in package.json's allowScripts), `prepare` waits for the source below.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- run: production dependencies, the bundle, the flows and their words; no compiler ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/flows ./flows
COPY --from=build /app/locales ./locales
# The image's own unprivileged user (uid 1000); sessions and the bot's login live in /data.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||process.env.PORT)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1's only child… and PID 1 itself: no npm or shell in between, so `docker stop`
# (SIGTERM) reaches it and it drains (answers in flight, queued replies sent) and exits 0.
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
