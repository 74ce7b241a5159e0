# The IMR search application image (web UI, CLI and indexer); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mappings ./mappings
COPY clinical ./clinical
COPY imr_search ./imr_search
COPY indexer ./indexer
COPY synthetic ./synthetic
COPY search_ui ./search_ui
COPY imr_cli ./imr_cli
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin imr

USER imr
EXPOSE 8000
# The server of `imr-search serve` (search_ui/server.py): uvicorn's event loop in each gunicorn
# worker, so slow or idle clients hold a socket, not a thread; headers must arrive within 10 s.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--worker-class", "search_ui.worker.Worker", "--keep-alive", "5", \
     "search_ui.asgi:create_asgi_app()"]
