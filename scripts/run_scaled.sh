#!/usr/bin/env bash
# The scale-out architecture on one machine: nginx in front of 2 Rasa servers, 2 action
# servers and 2 API workers; PostgreSQL for the KB, queue, complaints and Rasa's tracker
# store; Redis for Rasa's lock store (atomic); RabbitMQ for Rasa's events, read by the
# statistics consumer. Public ports as with `make run`: 5005, 5055, 8000. Ctrl-C stops all.
# LETAN_PORT_OFFSET moves every port (tests run a second deployment beside a running one);
# LETAN_RUN_DIR is where logs and nginx's files go.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN="${LETAN_RUN_DIR:-var/scaled}"
mkdir -p "$RUN/log" "$RUN/nginx"
RUN="$(cd "$RUN" && pwd)"
chmod 755 "$RUN" "$RUN/nginx"   # nginx's workers (www-data when started as root) write body files there
OFFSET="${LETAN_PORT_OFFSET:-0}"
port() { echo $(($1 + OFFSET)); }
RASA=$(port 5005) ACTIONS=$(port 5055) API=$(port 8000)
RASA_1=$(port 5105) RASA_2=$(port 5106) ACTIONS_1=$(port 5155) ACTIONS_2=$(port 5156)
API_1=$(port 8100) API_2=$(port 8101)

export LETAN_BACKEND=services   # PostgreSQL, Redis, RabbitMQ: LETAN_PG_*, LETAN_REDIS_*, LETAN_RABBITMQ_*
eval "$($BIN/python -m scripts.services_env)"
export LETAN_ACTION_ENDPOINT="http://127.0.0.1:$ACTIONS/webhook"   # nginx, before both action servers
export LETAN_RASA_URL="http://127.0.0.1:$RASA"
export LETAN_PUBLIC_BASE_URL="${LETAN_PUBLIC_BASE_URL:-http://127.0.0.1:$API}"
export LETAN_RASA_TOKEN="${LETAN_RASA_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(24))')}"
export LETAN_TRUSTED_PROXIES='["127.0.0.1"]'   # nginx: rate limits per citizen, not per proxy
for name in ZALO_APP_ID ZALO_OA_SECRET_KEY ZALO_APP_SECRET ZALO_ACCESS_TOKEN ZALO_REFRESH_TOKEN ZALO_API_BASE ZALO_OAUTH_BASE; do
  export "$name=${!name:-}"   # the Zalo channel stays off unless configured
done

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
$BIN/python -m procedure_kb.seed   # creates the database when missing
sed -e "s#@ROOT@#$RUN/nginx#g" -e "s#@RASA@#$RASA#g" -e "s#@ACTIONS@#$ACTIONS#g" -e "s#@API@#$API#g" \
    -e "s#@RASA_1@#$RASA_1#g" -e "s#@RASA_2@#$RASA_2#g" -e "s#@ACTIONS_1@#$ACTIONS_1#g" \
    -e "s#@ACTIONS_2@#$ACTIONS_2#g" -e "s#@API_1@#$API_1#g" -e "s#@API_2@#$API_2#g" \
    -e "s#@CHAT_RATE@#${LETAN_NGINX_CHAT_RATE:-5r/s}#g" -e "s#@TICKET_RATE@#${LETAN_NGINX_TICKET_RATE:-1r/s}#g" \
    deploy/nginx.conf.template > "$RUN/nginx/nginx.conf"

# Each process runs under a small supervisor that restarts it 2 s after it exits (what
# systemd's Restart=always does in production), and writes its pid to $RUN/<name>.pid, so
# the fault scripts can kill one replica (pausing its supervisor to keep it down a while). Each supervisor is its own
# process group (set -m), so stopping kills the group: supervisor and server together.
set -m
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop EXIT
trap 'exit 0' INT TERM
supervise() {
  local name=$1; shift
  echo "$BASHPID" >"$RUN/$name.supervisor.pid"
  while true; do
    "$@" & echo $! >"$RUN/$name.pid"
    wait $! && status=0 || status=$?
    echo "$(date -Is) $name exited ($status); restarting in 2 s" >>"$RUN/log/supervisor.log"
    sleep 2
  done
}
start() { local name=$1; shift; supervise "$name" "$@" >"$RUN/log/$name.log" 2>&1 & pids+=($!); }

for port in $ACTIONS_1 $ACTIONS_2; do
  start "actions-$port" env SANIC_HOST=127.0.0.1 $BIN/rasa run actions --actions actions --port "$port"
done
for port in $API_1 $API_2; do
  start "api-$port" $BIN/uvicorn procedure_kb.api.app:app --host 127.0.0.1 --port "$port" --ws wsproto
done
for port in $RASA_1 $RASA_2; do
  start "rasa-$port" $BIN/rasa run --enable-api --auth-token="$LETAN_RASA_TOKEN" -i 127.0.0.1 \
    --port "$port" --model models/letan.tar.gz \
    --endpoints deploy/endpoints.services.yml --credentials credentials.yml
done
start events $BIN/python -m procedure_kb.event_consumer
start nginx nginx -p "$RUN/nginx" -c nginx.conf -g 'daemon off;'

echo "Starting the scaled deployment (logs in $RUN/log/)..."
ready() {
  for url in "http://127.0.0.1:$RASA_1/status?token=$LETAN_RASA_TOKEN" "http://127.0.0.1:$RASA_2/status?token=$LETAN_RASA_TOKEN" \
             "http://127.0.0.1:$API/health" "http://127.0.0.1:$ACTIONS/health"; do
    curl -fs "$url" >/dev/null || return 1
  done
}
for _ in $(seq 1 240); do
  if ready; then
    echo "Lễ tân số (scaled) is running behind nginx: Rasa :$RASA, actions :$ACTIONS, API :$API."
    echo "PostgreSQL database '$LETAN_PG_DATABASE', Redis locks, RabbitMQ queue '${LETAN_EVENT_QUEUE:-rasa_events}'. Ctrl-C stops all."
    wait
  fi
  sleep 1
done
echo "Timed out waiting for the servers; see $RUN/log/." >&2
tail -n 20 "$RUN"/log/*.log >&2
exit 1
