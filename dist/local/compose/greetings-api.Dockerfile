# Image of service greetings-api, rendered by zacatl-infra (zacatl_infra.local.container) from its
# ServiceSpec: change the spec and re-render instead of editing this file.
#
# Stages: install (every dependency) -> build (compile) and dev (hot reload, docker-compose.yml);
# deps (production dependencies only) -> runtime (the shipped image, docker-compose.prod.yml and
# the cluster). Native modules compiled in deps load in runtime because both share Node 26
# and Debian 13 (glibc): Alpine's musl builds would not load on the distroless runtime.

FROM node:26-trixie-slim@sha256:715e55e4b84e4bb0ff48e49b398a848f08e55daed8eb6a0ea1839ae53bc57583 AS install
WORKDIR /app
# No native build tools: every dependency installs from npm or a prebuilt binary.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM install AS build
COPY . .
RUN npm run build

FROM install AS dev
COPY . .
# npm writes its cache and logs under HOME; the unprivileged user may only write /tmp.
ENV npm_config_cache=/tmp/.npm
USER 65532:65532
EXPOSE 8082
CMD ["npm", "run", "dev"]

FROM node:26-trixie-slim@sha256:715e55e4b84e4bb0ff48e49b398a848f08e55daed8eb6a0ea1839ae53bc57583 AS deps
WORKDIR /app
# No native build tools: every dependency installs from npm or a prebuilt binary.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Distroless: no shell, no package manager; the application files stay owned by root, so the
# process cannot change its own code, and only /tmp is writable (an emptyDir or a tmpfs at run time).
FROM gcr.io/distroless/nodejs26-debian13:nonroot@sha256:d440510c9ef4ff874b240bb6b855e4de4e797db283e41d8d506da5085a677f26 AS runtime
WORKDIR /app
ENV NODE_ENV=production
# Amazon RDS CA bundle, which DocumentDB's TLS certificates chain to and Node does not trust by
# default: a DocumentDB connection string names this file (tlsCAFile), so the pod needs no internet.
# Fetched at build time over HTTPS (AWS publishes no checksum to pin); world-readable, root-owned.
# checkov:skip=CKV_DOCKER_4:ADD fetches one remote file over HTTPS, which COPY cannot; nothing is unpacked
ADD --chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
USER 65532:65532
EXPOSE 8082
# The readiness check of the Deployment, in the image: the same path, port and timings.
HEALTHCHECK --interval=5s --timeout=3s --start-period=150s --retries=2 CMD ["/nodejs/bin/node", "-e", "fetch(\"http://127.0.0.1:8082/api/greetings\",{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["dist/index.js"]
