# syntax=docker/dockerfile:1
# Implementation Hub API. Build: docker build -t implementation-hub .
# Run: docker run -e DATABASE_URL=postgresql://... -e HUB_KEY_ENCRYPTION_KEY=... -p 8080:8080 implementation-hub
# `hub serve` applies migrations (advisory-locked, safe for several replicas), then starts
# uvicorn with HUB_WORKERS workers. Other commands: `docker run IMAGE migrate`, `keys rotate`, ...

# ---- builder: a venv with the project and its runtime dependencies only ----------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --quiet "pip>=24"
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Dependencies first (from pyproject.toml, pinned by constraints.txt), so that a code-only
# change reuses this layer.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --quiet -c constraints.txt -r /tmp/requirements.txt

# The project itself, non-editable (the build context is limited by .dockerignore); check
# that the migrations ship inside the package, then drop the venv's build tools.
COPY . .
RUN pip install --quiet -c constraints.txt . \
 && python -c "import migrations, pathlib; p = pathlib.Path(migrations.__file__).parent; assert (p / 'env.py').is_file() and (p / 'script.py.mako').is_file() and any((p / 'versions').glob('0*.py')), p" \
 && pip check \
 && pip uninstall --quiet --yes setuptools

# ---- runtime: Python, the venv and an unprivileged user; no sources, tests or tools -----
FROM python:3.11-slim

RUN groupadd --system --gid 10001 hub \
 && useradd --system --uid 10001 --gid hub --home-dir /var/lib/hub --no-create-home \
        --shell /usr/sbin/nologin hub \
 && install -d -o hub -g hub -m 0750 /var/lib/hub

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HUB_ENVIRONMENT=production \
    HUB_HOST=0.0.0.0 \
    HUB_PORT=8080 \
    HUB_WORKERS=2 \
    HUB_DATA_DIR=/var/lib/hub

WORKDIR /var/lib/hub
USER 10001:10001
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HUB_PORT', '8080'), timeout=3)"]

ENTRYPOINT ["hub"]
CMD ["serve"]
