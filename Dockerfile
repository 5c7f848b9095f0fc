# One image for every service: docker build --build-arg SERVICE=sage-writer -t connector/sage-writer .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json tsconfig.build.json ./
COPY libs libs
COPY services services
COPY tools/scripts tools/scripts
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE} TS_NODE_BASEURL=dist
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json /app/tsconfig.json /app/tsconfig.base.json ./
USER node
EXPOSE 3001 3002 3003 3004 3005
CMD ["sh", "-c", "exec node -r tsconfig-paths/register dist/services/${SERVICE}/src/main.js"]
