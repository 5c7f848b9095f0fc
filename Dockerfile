# One image for every service; SERVICE (build argument, or environment at run time) picks the entry point:
#   docker build --build-arg SERVICE=sage-writer -t connector/sage-writer .   # docker-compose.yml
#   docker build -t connector:1.0.0 . && docker run -e SERVICE=sage-writer ...  # Kubernetes sets SERVICE
# Services: amazon-ingest, sage-writer, settlement-reconciler, inventory-publisher, erp-change-poller,
# operator-console (its page's files, src/web, are copied beside the compiled code).
# The same image runs the migrations (Kubernetes Job, see deploy/k8s/components/migrations-job):
#   node -r tsconfig-paths/register dist/tools/scripts/migrate.js latest

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json tsconfig.build.json ./
COPY libs libs
COPY services services
COPY tools/scripts tools/scripts
# no simulator and no demo: they live in tools/ and run with `npm run demo`
RUN npx tsc -p tsconfig.build.json \
 && cp -r services/operator-console/src/web dist/services/operator-console/src/web \
 && test -f dist/tools/scripts/migrate.js \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ARG SERVICE=
# fail the build early on a misspelt SERVICE; empty builds the generic image (SERVICE given at run time)
RUN case "${SERVICE}" in \
      ''|amazon-ingest|sage-writer|settlement-reconciler|inventory-publisher|erp-change-poller|operator-console) ;; \
      *) echo "build argument SERVICE must be one of the six services, got '${SERVICE}'" >&2; exit 1 ;; \
    esac
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    TS_NODE_BASEURL=dist \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# tsconfig*.json are read at run time by tsconfig-paths (path aliases, with baseUrl overridden to dist)
COPY --from=build --chown=root:root /app/package.json /app/tsconfig.json /app/tsconfig.base.json ./
COPY --from=build --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /app/dist dist
LABEL org.opencontainers.image.title="amazon-erp-connector" \
      org.opencontainers.image.licenses="Apache-2.0"
# the node user (uid 1000) owns nothing in /app: the file system can be mounted read-only
USER 1000:1000
EXPOSE 3001 3002 3003 3004 3005 3006
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node -r tsconfig-paths/register dist/services/${SERVICE:?set SERVICE to the service to run}/src/main.js"]
