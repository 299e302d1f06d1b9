"""What the Zalo channel needs to know, from credentials.yml (Rasa) or the settings (API)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from procedure_kb.settings import get_settings

DEFAULT_API_BASE = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    oa_secret_key: str
    app_secret: str
    access_token: str
    refresh_token: str
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    max_event_age_seconds: int = 300
    timeout: float = 10.0
    send_retries: int = 2

    def missing(self) -> list:
        """The names of the required settings that are empty (the channel is off if any)."""
        required = {"ZALO_APP_ID": self.app_id, "ZALO_OA_SECRET_KEY": self.oa_secret_key,
                    "ZALO_APP_SECRET": self.app_secret, "ZALO_ACCESS_TOKEN": self.access_token,
                    "ZALO_REFRESH_TOKEN": self.refresh_token}
        return [name for name, value in required.items() if not value]


def from_credentials(credentials: Optional[Dict[str, Any]]) -> ZaloConfig:
    """The channel's credentials.yml entry (values from ${ZALO_*}); limits from the settings."""
    given = {key: str(value or "") for key, value in (credentials or {}).items()}
    return _with_limits(
        app_id=given.get("app_id", ""), oa_secret_key=given.get("oa_secret_key", ""),
        app_secret=given.get("app_secret", ""), access_token=given.get("access_token", ""),
        refresh_token=given.get("refresh_token", ""),
        api_base=given.get("api_base") or DEFAULT_API_BASE,
        oauth_base=given.get("oauth_base") or DEFAULT_OAUTH_BASE,
    )


def from_settings() -> ZaloConfig:
    """For processes without credentials.yml (the staff API's proactive messages)."""
    settings = get_settings()
    return _with_limits(
        app_id=settings.zalo_app_id, oa_secret_key=settings.zalo_oa_secret_key,
        app_secret=settings.zalo_app_secret, access_token=settings.zalo_access_token,
        refresh_token=settings.zalo_refresh_token, api_base=settings.zalo_api_base,
        oauth_base=settings.zalo_oauth_base,
    )


def _with_limits(**values: str) -> ZaloConfig:
    settings = get_settings()
    return ZaloConfig(**values, max_event_age_seconds=settings.zalo_max_event_age_seconds,
                      timeout=settings.zalo_timeout, send_retries=settings.zalo_send_retries)
