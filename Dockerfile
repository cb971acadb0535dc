# sp-advisor: the Telegram bot in a small image. Build: docker build -t sp-advisor .
# Run:   docker run -e TELEGRAM_BOT_TOKEN=... -v sp-advisor-data:/data sp-advisor
#
# Stage 1 builds a virtual environment at the path it will have in the image;
# stage 2 copies only that. No pip or setuptools in the final image: nothing
# there is meant to install anything, and less code is less to patch.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md LICENSE babel.cfg ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
COPY locales ./locales
# The wheel carries the translation catalogs (setup.py), so nothing else is copied.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir . \
 && /opt/venv/bin/pip uninstall --yes setuptools pip

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SP_ADVISOR_DATA_DIR=/data
# The base image's own Python carries pip and setuptools too; the venv runs on it.
RUN python -m pip uninstall --yes --root-user-action=ignore pip setuptools wheel \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin advisor \
 && mkdir -p /data && chown advisor /data && chmod 700 /data
COPY --from=build /opt/venv /opt/venv
USER advisor
VOLUME ["/data"]
# Healthy only while the bot holds its data folder and its loops (updates, sender,
# housekeeping) ran in the last 2 minutes: a stuck bot is restarted.
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s CMD ["sp-advisor", "health"]
ENTRYPOINT ["sp-advisor"]
CMD ["run"]
