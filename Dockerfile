# hookrelay image: one image, two roles (API and worker), chosen by the command. Node 24 is an LTS
# line supported until April 2028, and one the Temporal SDK supports (20, 22, 24).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The dashboard is bundled from its sources (src/ui and the client and domain modules it imports) by
# the API on the first /ui request.
COPY --from=build /app/src ./src
USER node
EXPOSE 3000
# Override with ["node", "dist/main/worker.js"] for the worker role.
CMD ["node", "dist/main/api.js"]
