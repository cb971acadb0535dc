# sp-advisor: the Telegram bot in a small image. Build: docker build -t sp-advisor .
# Run:   docker run -e TELEGRAM_BOT_TOKEN=... -v sp-advisor-data:/data sp-advisor
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
COPY locales ./locales
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir . \
 && /opt/venv/bin/pybabel compile --domain=messages --directory=locales --statistics

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SP_ADVISOR_DATA_DIR=/data \
    SP_ADVISOR_LOCALES_DIR=/app/locales
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin advisor \
 && mkdir -p /data && chown advisor /data && chmod 700 /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/locales /app/locales
USER advisor
VOLUME ["/data"]
# The content check loads the catalog, the flows and the compiled translations.
HEALTHCHECK --interval=5m --timeout=30s --start-period=20s CMD ["sp-advisor", "check"]
ENTRYPOINT ["sp-advisor"]
CMD ["run"]
