# monitor: the article change-monitoring service.
#   docker build -t monitor .
#   docker run -v monitor-data:/data -v "$PWD/inbox:/app/inbox" monitor        # the service
#   docker run -v monitor-data:/data monitor changes --json                     # the log
#
# `monitor run` is PID 1 in the container. The kernel gives PID 1 no default signal
# actions, so a process without its own handlers ignores `docker stop`; monitor installs
# explicit SIGTERM and SIGINT handlers and stops gracefully within 10 s (docker stop's
# default wait before SIGKILL): checks in flight get a few seconds, the rest are abandoned
# cleanly, nothing is half-written. No init process (tini, --init) is needed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MONITOR_CONFIG=/app/config/monitor.toml \
    MONITOR_DB=/data/monitor.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install .
COPY seeds ./seeds
COPY config ./config

# An unprivileged user owns only what the service writes: the database (with its WAL and
# the single-instance lock file next to it) in the /data volume, and the watched inbox.
RUN useradd --system --uid 10001 --user-group --home-dir /data monitor \
    && mkdir -p /data /app/inbox \
    && chown monitor:monitor /data /app/inbox
USER monitor
VOLUME ["/data"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["monitor"]
CMD ["run"]
