# Rebound API: small, non-root image; migrations run before the server starts.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/rebound

# Dependency layer: rebuilt only when the lock file changes.
COPY requirements.lock .
RUN python -m pip install --require-hashes -r requirements.lock

RUN useradd --system --uid 10001 --home-dir /srv/rebound rebound \
    && mkdir -p /srv/rebound/var && chown rebound /srv/rebound/var
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app

USER rebound
ENV ENVIRONMENT=production HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=2)"
CMD ["sh", "-c", "alembic upgrade head && exec python -m app.main"]
