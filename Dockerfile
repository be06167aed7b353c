# Secondline in a container: the README's set-up and run commands, as a non-root user.
# Build: docker build -t secondline .   Run: see compose.yaml, or docker run with the settings of the README.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 secondline
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY config ./config
RUN python3 -m venv V && V/bin/pip install --no-cache-dir . && chown -R secondline /app

USER secondline
ENV PORT=3000 \
    SUPPORT_CONFIG=config/support.example.yml \
    DATABASE_URL=sqlite://data/secondline.sqlite3
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["V/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=2)"]
CMD ["V/bin/python", "-m", "bot"]
