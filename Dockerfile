# syntax=docker/dockerfile:1
# The job board's image: gunicorn serving the app, as a non-root user, with its translations
# compiled and its static files collected at build time. See README "Deployment".

FROM python:3.13-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, in a layer of their own that changes only with the lock file.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-dev --no-install-project
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev
# Settings refuse to load without a secret key; this one exists only during the build.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret /app/.venv/bin/python manage.py compilemessages --ignore=.venv \
    && DJANGO_SECRET_KEY=build-only-not-a-secret /app/.venv/bin/python manage.py collectstatic --noinput

FROM python:3.13-slim-bookworm
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
COPY --from=build --chown=root:root /app /app
WORKDIR /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
