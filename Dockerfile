# CineGraph API + UI, CPU PyTorch, running as a non-root user. No secrets are baked in: every
# CINEGRAPH_* setting comes from the environment at run time (see docker-compose.yml and README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# CPU-only PyTorch first, pinned, so that the package install below does not pull CUDA wheels.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md requirements.lock ./
COPY ml ml
COPY service service
COPY frontend frontend
RUN pip install -c requirements.lock .

RUN useradd --create-home --uid 10001 cinegraph \
    && mkdir -p /var/lib/cinegraph \
    && chown cinegraph:cinegraph /var/lib/cinegraph
USER 10001

ENV CINEGRAPH_DATA_DIR=/var/lib/cinegraph \
    CINEGRAPH_FRONTEND_DIR=/app/frontend

# ml-100k is fetched at build time; a new named volume at the data dir starts with it.
RUN cinegraph data fetch

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["cinegraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
