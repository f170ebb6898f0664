FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --include=optional && npm cache clean --force
COPY . .
ENV HOST=0.0.0.0 DATA_DIR=/data MEDIA_DIR=/data/media
EXPOSE 8080 1883
CMD ["npx", "tsx", "server/main.ts"]
