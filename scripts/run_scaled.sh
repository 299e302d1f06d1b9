#!/usr/bin/env bash
# The scale-out architecture on one machine: nginx in front of 2 Rasa servers, 2 action
# servers and 2 API workers; PostgreSQL for the KB, queue, complaints and Rasa's tracker
# store; Redis for Rasa's lock store (atomic); RabbitMQ for Rasa's events, read by the
# statistics consumer. Public ports as with `make run`: 5005, 5055, 8000. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN=var/scaled
mkdir -p "$RUN/log" "$RUN/nginx"

export LETAN_PG_HOST="${LETAN_PG_HOST:-127.0.0.1}" LETAN_PG_PORT="${LETAN_PG_PORT:-5432}"
export LETAN_PG_USER="${LETAN_PG_USER:-postgres}" LETAN_PG_PASSWORD="${LETAN_PG_PASSWORD:-}"
export LETAN_PG_DATABASE="${LETAN_PG_DATABASE:-letan}"
export LETAN_REDIS_HOST="${LETAN_REDIS_HOST:-127.0.0.1}" LETAN_REDIS_PORT="${LETAN_REDIS_PORT:-6379}"
export LETAN_RABBITMQ_HOST="${LETAN_RABBITMQ_HOST:-127.0.0.1}"
export LETAN_RABBITMQ_USER="${LETAN_RABBITMQ_USER:-guest}" LETAN_RABBITMQ_PASSWORD="${LETAN_RABBITMQ_PASSWORD:-guest}"
export LETAN_RABBITMQ_URL="amqp://$LETAN_RABBITMQ_USER:$LETAN_RABBITMQ_PASSWORD@$LETAN_RABBITMQ_HOST:5672/"
export LETAN_DATABASE_URL="postgresql+psycopg2://$LETAN_PG_USER:$LETAN_PG_PASSWORD@$LETAN_PG_HOST:$LETAN_PG_PORT/$LETAN_PG_DATABASE"
export LETAN_RASA_URL=http://127.0.0.1:5005
export LETAN_RASA_TOKEN="${LETAN_RASA_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(24))')}"
export LETAN_TRUSTED_PROXIES='["127.0.0.1"]'   # nginx: rate limits per citizen, not per proxy
for name in ZALO_APP_ID ZALO_OA_SECRET_KEY ZALO_APP_SECRET ZALO_ACCESS_TOKEN ZALO_REFRESH_TOKEN ZALO_API_BASE ZALO_OAUTH_BASE; do
  export "$name=${!name:-}"   # the Zalo channel stays off unless configured
done

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
$BIN/python - <<'PY'
import os
from sqlalchemy import create_engine, text
server = os.environ["LETAN_DATABASE_URL"].rsplit("/", 1)[0]
name = os.environ["LETAN_PG_DATABASE"]
with create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", future=True).connect() as c:
    if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
        c.execute(text(f'CREATE DATABASE "{name}"'))
PY
$BIN/python -m procedure_kb.seed
sed "s#@ROOT@#$PWD/$RUN/nginx#g" deploy/nginx.conf.template > "$RUN/nginx/nginx.conf"

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "Stopped."; }
trap stop EXIT
trap 'exit 0' INT TERM
start() { local name=$1; shift; "$@" >"$RUN/log/$name.log" 2>&1 & pids+=($!); }

start actions-1 env SANIC_HOST=127.0.0.1 $BIN/rasa run actions --actions actions --port 5155
start actions-2 env SANIC_HOST=127.0.0.1 $BIN/rasa run actions --actions actions --port 5156
start api-1 $BIN/uvicorn procedure_kb.api.app:app --host 127.0.0.1 --port 8100 --ws wsproto
start api-2 $BIN/uvicorn procedure_kb.api.app:app --host 127.0.0.1 --port 8101 --ws wsproto
for port in 5105 5106; do
  start "rasa-$port" $BIN/rasa run --enable-api --auth-token "$LETAN_RASA_TOKEN" -i 127.0.0.1 \
    --port $port --model models/letan.tar.gz \
    --endpoints deploy/endpoints.scaled.yml --credentials credentials.yml
done
start events $BIN/python -m procedure_kb.event_consumer
start nginx nginx -p "$PWD/$RUN/nginx" -c nginx.conf -g 'daemon off;'

echo "Starting the scaled deployment (logs in $RUN/log/)..."
for _ in $(seq 1 240); do
  if curl -fs "http://127.0.0.1:5105/status?token=$LETAN_RASA_TOKEN" >/dev/null \
     && curl -fs "http://127.0.0.1:5106/status?token=$LETAN_RASA_TOKEN" >/dev/null \
     && curl -fs http://127.0.0.1:8000/health >/dev/null && curl -fs http://127.0.0.1:5055/health >/dev/null; then
    echo "Lễ tân số (scaled) is running behind nginx: Rasa :5005, actions :5055, API :8000."
    echo "PostgreSQL database '$LETAN_PG_DATABASE', Redis locks, RabbitMQ queue rasa_events. Ctrl-C stops all."
    wait -n "${pids[@]}" || true
    echo "A process stopped; see $RUN/log/." >&2
    exit 1
  fi
  sleep 1
done
echo "Timed out waiting for the servers; see $RUN/log/." >&2
tail -n 20 "$RUN"/log/*.log >&2
exit 1
