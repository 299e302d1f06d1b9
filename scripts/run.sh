#!/usr/bin/env bash
# Start the action server, the staff API and the Rasa server; stop all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/log
pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "Stopped."; }
trap stop EXIT
trap 'exit 0' INT TERM

# Zalo: real credentials when ZALO_APP_ID is set; otherwise a local fake OA (chat page on
# :8090) with development credentials, so the whole Zalo path can be tried in a browser.
if [ -z "${ZALO_APP_ID:-}" ]; then
  export ZALO_APP_ID=1234567890 ZALO_OA_SECRET_KEY=dev-oa-secret-key ZALO_APP_SECRET=dev-app-secret \
         ZALO_ACCESS_TOKEN=dev-access-token-1 ZALO_REFRESH_TOKEN=dev-refresh-token-1 \
         ZALO_API_BASE=http://127.0.0.1:8090 ZALO_OAUTH_BASE=http://127.0.0.1:8090
  $BIN/python -m scripts.fake_zalo --port 8090 \
    --webhook-url http://127.0.0.1:5005/webhooks/zalo/webhook >var/log/fake_zalo.log 2>&1 & pids+=($!)
fi
export ZALO_API_BASE="${ZALO_API_BASE:-https://openapi.zalo.me}" ZALO_OAUTH_BASE="${ZALO_OAUTH_BASE:-https://oauth.zaloapp.com}"
export ZALO_OA_SECRET_KEY="${ZALO_OA_SECRET_KEY:-}" ZALO_APP_SECRET="${ZALO_APP_SECRET:-}"
export ZALO_ACCESS_TOKEN="${ZALO_ACCESS_TOKEN:-}" ZALO_REFRESH_TOKEN="${ZALO_REFRESH_TOKEN:-}"

# Rasa's HTTP API (conversations, model, status) needs this token; POST /model/parse and the
# webhooks stay open (bot/channels/public_api.py). The staff API reads the same variable.
export LETAN_RASA_TOKEN="${LETAN_RASA_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(24))')}"

# The one switch to the shared services (procedure_kb/settings.py): LETAN_BACKEND=services puts
# the KB, queue, complaints and Rasa's tracker store on PostgreSQL, Rasa's locks on Redis and
# its events on RabbitMQ, read into statistics by the event consumer.
ENDPOINTS=endpoints.yml
if [ "${LETAN_BACKEND:-embedded}" = services ]; then
  eval "$($BIN/python -m scripts.services_env)"
  export LETAN_ACTION_ENDPOINT=http://127.0.0.1:5055/webhook
  ENDPOINTS=deploy/endpoints.services.yml
  $BIN/python -m procedure_kb.event_consumer >var/log/events.log 2>&1 & pids+=($!)
fi

# The action server only on the loopback address (rasa_sdk reads SANIC_HOST).
SANIC_HOST=127.0.0.1 $BIN/rasa run actions --actions actions --port 5055 >var/log/actions.log 2>&1 & pids+=($!)
$BIN/uvicorn procedure_kb.api.app:app --host 127.0.0.1 --port 8000 --ws wsproto >var/log/api.log 2>&1 & pids+=($!)
$BIN/rasa run --enable-api --auth-token="$LETAN_RASA_TOKEN" --port 5005 --model models/letan.tar.gz \
  --endpoints "$ENDPOINTS" --credentials credentials.yml >var/log/rasa.log 2>&1 & pids+=($!)

echo "Starting (logs in var/log/)..."
for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:5005/status?token=$LETAN_RASA_TOKEN" >/dev/null && curl -fs http://127.0.0.1:8000/health >/dev/null \
     && curl -fs http://127.0.0.1:5055/health >/dev/null; then
    cat <<MSG
Lễ tân số is running:
  Rasa server     http://127.0.0.1:5005   (POST /webhooks/rest/webhook, POST /model/parse;
                  the rest of its HTTP API needs ?token=\$LETAN_RASA_TOKEN)
  Action server   http://127.0.0.1:5055
  Staff console   http://127.0.0.1:8000/staff   (API: /api/..., /docs; GET /health)
  Zalo            POST :5005/webhooks/zalo/webhook; without ZALO_APP_ID a fake OA's
                  chat page is at http://127.0.0.1:8090/
                  first admin: make admin
Press Ctrl-C to stop.
MSG
    wait -n "${pids[@]}" || true
    echo "A server stopped; see var/log/." >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see var/log/." >&2; tail -n 20 var/log/*.log >&2; exit 1; }; done
  sleep 1
done
echo "Timed out waiting for the servers; see var/log/." >&2
exit 1
