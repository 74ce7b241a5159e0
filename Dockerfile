# The IMR search application image (web UI, CLI and indexer); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY imr_search ./imr_search
COPY indexer ./indexer
COPY mappings ./mappings
COPY search_ui ./search_ui
RUN pip install ".[serve]" \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin imr

USER imr
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "search_ui:create_app()"]
