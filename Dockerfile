# lederbot: the same steps as `make setup` and `make index`, on slim Python 3.11, as a non-root user.
# Build:  docker build -t lederbot .      Run with PostgreSQL and two replicas: docker compose up
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    LEDERBOT_DATA_DIR=/app/data LEDERBOT_LOG_FORMAT=json

# Debian's bokmål and nynorsk hunspell dictionaries and libhunspell: scan detection and OCR repair read them.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends hunspell-no libhunspell-1.7-0 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 lederbot
WORKDIR /app

# CPU-only torch first and pinned (as `make setup` does), so nothing pulls the CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY index ./index
COPY handlers ./handlers
RUN pip install .

COPY knowledge ./knowledge
# The index is built into the image (as `make index` does), so a container answers at once.
RUN lederbot index build && chown -R lederbot:lederbot /app/data

USER lederbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz').status != 200)"
# Slack over Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on :3000; Teams when MICROSOFT_APP_* are set.
CMD ["lederbot", "serve", "--port", "3000"]
