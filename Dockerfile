# gendan: the API (and, by default, its projections) in one process.
# Build: docker build -t gendan .   Run: docker run -p 8000:8000 -v gendan:/var/lib/gendan gendan
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# fonts-wqy-microhei: the CJK font the PDF documents embed (GENDAN_PDF_FONT).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# The whole tree lives in /srv/gendan and is installed editable: `gendan
# migrate` (run by `serve`) needs alembic.ini and alembic/ from the repo root,
# which a plain `pip install .` would not put in site-packages.
WORKDIR /srv/gendan
COPY . .
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/gendan \
        --shell /usr/sbin/nologin gendan \
    && mkdir -p /var/lib/gendan \
    && chown gendan:gendan /var/lib/gendan \
    && chmod 0700 /var/lib/gendan

# State (the SQLite database and the embedded JWT secret) goes to the volume;
# the code in /srv/gendan stays root-owned and read-only for the service.
# Set GENDAN_DATABASE_URL=postgresql://... to use PostgreSQL instead.
ENV GENDAN_VAR_DIR=/var/lib/gendan \
    GENDAN_DATABASE_URL=sqlite:////var/lib/gendan/gendan.db
VOLUME ["/var/lib/gendan"]

USER gendan
EXPOSE 8000
# Liveness only: readiness (/readyz) is for the load balancer.
HEALTHCHECK --interval=30s --timeout=5s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# `serve` applies the migrations first, then starts uvicorn.
CMD ["gendan", "serve", "--host", "0.0.0.0", "--port", "8000"]
