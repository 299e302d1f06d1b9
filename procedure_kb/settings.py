"""All configuration read from the environment, in one place."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Literal
from urllib.parse import quote

from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'letan.db'}"


class Settings(BaseSettings):
    """Settings with the embedded defaults (one SQLite file under var/).

    `backend` is the one switch to the shared services: with "services" the knowledge base,
    queue and complaints go to PostgreSQL (pg_*), Rasa's tracker store too, its locks to
    Redis (redis_*) and its events to RabbitMQ (rabbitmq_*) — scripts/run.sh picks
    deploy/endpoints.services.yml. An explicit database_url or rabbitmq_url still wins.
    """

    backend: Literal["embedded", "services"] = "embedded"
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"
    pg_password: str = ""
    pg_database: str = "letan"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    lock_key_prefix: str = "letan"  # Rasa's conversation locks in Redis (db 1)
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = "guest"

    database_url: str = ""
    # How often the NLU entity extractor checks whether the KB changed.
    kb_refresh_seconds: float = 5.0
    # The needs-review list shows facts checked longer ago than this (days; about 6 months).
    fact_max_age_days: int = 183
    # Public portal shown when a procedure has no link of its own.
    national_portal_url: str = "https://dichvucong.gov.vn"
    # The Rasa server the staff preview talks to (REST channel).
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's HTTP API token (`rasa run --auth-token`), when the server requires one.
    rasa_token: str = ""
    # Staff logins.
    api_token_minutes: int = 12 * 60
    web_session_minutes: int = 8 * 60
    login_max_failures: int = 5  # per username within the window (x4 per client address)
    login_window_minutes: int = 15
    # Send the page session cookie over HTTPS only (set true behind TLS).
    cookie_secure: bool = False
    # Requests per minute per client address on the public endpoints (0 = no limit; counted
    # in the process, or in Redis with the services backend: procedure_kb/rate_windows.py):
    # ticket issuing, logins (API and page), voice turns and TTS.
    rate_limit_tickets_per_minute: int = 20
    rate_limit_login_per_minute: int = 10
    rate_limit_speech_per_minute: int = 30
    # Messages per minute per sender on the Rasa webhooks (REST, robot, Zalo).
    rate_limit_webhook_per_minute: int = 30
    # The lobby robot's shared secret: when set, POST /webhooks/robot/webhook needs
    # "Authorization: Bearer <token>" (bot/channels/robot.py; the robot's client sends it).
    robot_token: str = ""
    # Reverse proxies whose X-Forwarded-For is believed (exact peer addresses, JSON list).
    trusted_proxies: List[str] = []
    # Complaints closed more than this many days ago lose their contact data
    # (`python -m procedure_kb.retention`, `make purge`).
    complaint_contact_retention_days: int = 90
    # Queue: call one priority ticket per this many normal ones (0 = priority always first),
    # and mark a ticket no-show when skipped after this many calls.
    queue_priority_every: int = 0
    queue_max_calls: int = 3
    # Printed tickets: the address citizens' QR codes open, and a font with Vietnamese glyphs.
    public_base_url: str = "http://127.0.0.1:8000"
    ticket_font: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    # Largest request body the staff API accepts (bytes), and for KB import files.
    max_request_bytes: int = 512 * 1024
    max_import_bytes: int = 10 * 1024 * 1024
    # Dossier status lookup: "local" (the table staff import into) or "http" (a provincial
    # one-stop system's public lookup at dossier_http_url). The mapping (JSON) names the
    # query parameters and JSON fields when they differ from the defaults (dossier_sources.py).
    dossier_source: Literal["local", "http"] = "local"
    dossier_http_url: str = ""
    dossier_http_mapping: Dict[str, Any] = {}
    # HTTP lookup: timeout per attempt (seconds), extra attempts after a network error or
    # a 5xx, and how long answers are kept in memory (seconds; "not found" more briefly).
    dossier_http_timeout: float = 3.0
    dossier_http_retries: int = 2
    dossier_cache_seconds: float = 60.0
    # Zalo Official Account (env names without the LETAN_ prefix, as credentials.yml uses
    # them). An empty app id or secret turns the channel off. The access/refresh pair seeds
    # the token store once; refreshed pairs live in the database (zalo_tokens).
    zalo_app_id: str = Field("", env="ZALO_APP_ID")
    zalo_oa_secret_key: str = Field("", env="ZALO_OA_SECRET_KEY")
    zalo_app_secret: str = Field("", env="ZALO_APP_SECRET")
    zalo_access_token: str = Field("", env="ZALO_ACCESS_TOKEN")
    zalo_refresh_token: str = Field("", env="ZALO_REFRESH_TOKEN")
    zalo_api_base: str = Field("https://openapi.zalo.me", env="ZALO_API_BASE")
    zalo_oauth_base: str = Field("https://oauth.zaloapp.com", env="ZALO_OAUTH_BASE")
    # Webhook events older than this are refused as replays (seconds).
    zalo_max_event_age_seconds: int = 300
    # Sending: timeout per attempt (seconds) and extra attempts after a network error.
    zalo_timeout: float = 10.0
    zalo_send_retries: int = 2

    # Speech recognition (speech/asr.py): the Vosk model folder (`make speech-model`), the
    # pause that ends an utterance once speech started, the longest utterance and WAV
    # upload (seconds), and the mean word confidence a domain-grammar decode needs.
    vosk_model_path: str = Field("", env="VOSK_MODEL_PATH")
    asr_silence_timeout_seconds: float = 1.2
    asr_max_utterance_seconds: float = 30.0
    asr_max_audio_seconds: float = 60.0
    asr_grammar_min_confidence: float = 0.6
    # Speech synthesis (speech/tts.py, espeak-ng): regional voice bac, trung or nam, female
    # variant, words per minute, volume 0..1, and how many WAVs of repeated phrases to keep.
    tts_region: Literal["bac", "trung", "nam"] = "bac"
    tts_rate: int = 160
    tts_volume: float = 1.0
    tts_female: bool = False
    tts_cache_size: int = 256

    # Scale-out: Rasa's event broker (RabbitMQ) and the queue the statistics consumer reads.
    rabbitmq_url: str = ""
    event_queue: str = "rasa_events"
    # Key(s) encrypting conversation events in Rasa's tracker store (Fernet, comma-separated:
    # the first encrypts, all decrypt, for rotation). Empty: a key kept in var/tracker.key.
    tracker_key: str = ""

    @validator("database_url", always=True)
    def _database_for_backend(cls, value: str, values: Dict[str, Any]) -> str:
        if value or values.get("backend") != "services":
            return value or EMBEDDED_DATABASE_URL
        password = f":{quote(values['pg_password'], safe='')}" if values["pg_password"] else ""
        return (f"postgresql+psycopg2://{quote(values['pg_user'], safe='')}{password}"
                f"@{values['pg_host']}:{values['pg_port']}/{values['pg_database']}")

    @validator("rabbitmq_url", always=True)
    def _broker_from_parts(cls, value: str, values: Dict[str, Any]) -> str:
        user, password = (quote(values[name], safe="") for name in ("rabbitmq_user", "rabbitmq_password"))
        return value or f"amqp://{user}:{password}@{values['rabbitmq_host']}:{values['rabbitmq_port']}/"

    class Config:
        env_prefix = "LETAN_"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
