# Image for the Homeward api and worker (same image, different command). TypeScript runs through
# tsx, as in development, so there is no separate build step to drift from the sources.
FROM node:20-bookworm-slim

WORKDIR /app
# Production unless told otherwise: the process then refuses to start with the development secrets
# published in this repository (config/index.ts).
ENV NODE_ENV=production

# Dependencies first, so source edits reuse the cached install layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
