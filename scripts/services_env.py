"""Print `export` lines for the shared services' settings, for Rasa's endpoints file.

deploy/endpoints.services.yml names LETAN_PG_*, LETAN_REDIS_* and LETAN_RABBITMQ_*, which
Rasa substitutes from the environment; this resolves them (defaults included) from the one
settings module: `eval "$(python -m scripts.services_env)"` in scripts/run.sh.
"""
from __future__ import annotations

import shlex
from typing import Dict

from procedure_kb.settings import Settings, get_settings

SERVICE_FIELDS = ("pg_host", "pg_port", "pg_user", "pg_password", "pg_database",
                  "redis_host", "redis_port", "lock_key_prefix",
                  "rabbitmq_host", "rabbitmq_port", "rabbitmq_user", "rabbitmq_password", "event_queue")


def service_environment(settings: Settings) -> Dict[str, str]:
    return {f"LETAN_{name.upper()}": str(getattr(settings, name)) for name in SERVICE_FIELDS}


def main() -> None:
    for name, value in service_environment(get_settings()).items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
