FROM node:20-bookworm-slim
WORKDIR /app
# Debian's ffmpeg, kept patched, parses the uploads; the bundled 2018 build is only the fallback.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --include=optional && npm cache clean --force
COPY . .
ENV HOST=0.0.0.0 DATA_DIR=/data MEDIA_DIR=/data/media
EXPOSE 8080 1883
CMD ["npx", "tsx", "server/main.ts"]
