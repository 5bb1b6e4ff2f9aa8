# monitor: the article change-monitoring service.
#   docker build -t monitor .
#   docker run -v monitor-data:/data -v "$PWD/inbox:/app/inbox" monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MONITOR_CONFIG=/app/config/monitor.toml \
    MONITOR_DB=/data/monitor.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install .
COPY seeds ./seeds
COPY config ./config

RUN useradd --system --uid 10001 --user-group --home-dir /data monitor \
    && mkdir -p /data /app/inbox \
    && chown monitor:monitor /data /app/inbox
USER monitor
VOLUME ["/data"]

ENTRYPOINT ["monitor"]
CMD ["run"]
