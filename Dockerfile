# syntax=docker/dockerfile:1
# newswire images, one target per service:
#   docker build --target scraper|enricher|api|init -t newswire-<target> .
# Every service is the same Python package; each image installs only its own extra, with
# versions pinned by requirements.lock (used as a constraints file), so the api image carries
# no spaCy model and the scraper no Faust. Runtime stages copy a finished virtualenv and run as
# an unprivileged user.

FROM python:3.11.14-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# ---- build: the sources and an empty virtualenv; one stage per extra fills it ----
FROM base AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements.lock pyproject.toml README.md ./
COPY newswire newswire
COPY schemas schemas
COPY services services

FROM build AS build-init
RUN pip install --constraint requirements.lock .

FROM build AS build-scraper
RUN pip install --constraint requirements.lock ".[scraper]"

FROM build AS build-enricher
RUN pip install --constraint requirements.lock ".[enricher]"

FROM build AS build-api
RUN pip install --constraint requirements.lock ".[api]"

# ---- runtime: no compiler, no sources, no root ----
FROM base AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/newswire --create-home newswire
WORKDIR /var/lib/newswire
ENV NEWSWIRE_DATA_DIR=/var/lib/newswire \
    NEWSWIRE_LOG_FORMAT=json
USER newswire
ENTRYPOINT ["newswire"]

# One-shot: creates the topics (partitions and retention from NEWSWIRE_TOPIC_*) if missing.
FROM runtime AS init
COPY --from=build-init /opt/venv /opt/venv
ENTRYPOINT ["python", "-c", "import asyncio; from newswire.kafka import ensure_topics; from newswire.settings import CommonSettings; print(asyncio.run(ensure_topics(CommonSettings())))"]

FROM runtime AS scraper
COPY --from=build-scraper /opt/venv /opt/venv
# The scraper binds its metrics to loopback by default; in a container Prometheus comes from outside.
ENV NEWSWIRE_METRICS_HOST=0.0.0.0 \
    NEWSWIRE_METRICS_PORT=9101
EXPOSE 9101
CMD ["scrape"]

FROM runtime AS enricher
COPY --from=build-enricher /opt/venv /opt/venv
ENV NEWSWIRE_METRICS_PORT=9102
EXPOSE 9102
CMD ["enrich"]

FROM runtime AS api
COPY --from=build-api /opt/venv /opt/venv
ENV NEWSWIRE_API_HOST=0.0.0.0 \
    NEWSWIRE_API_PORT=8000
EXPOSE 8000
CMD ["api"]
