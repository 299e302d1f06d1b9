"""The one switch between the embedded default and the shared services."""
from __future__ import annotations

import subprocess
import sys

import pytest

from procedure_kb.settings import EMBEDDED_DATABASE_URL, Settings
from scripts.stack import ROOT


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("LETAN_BACKEND", "LETAN_DATABASE_URL", "LETAN_RABBITMQ_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_the_embedded_default_is_one_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).database_url == EMBEDDED_DATABASE_URL


def test_services_put_the_database_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = settings(monkeypatch, LETAN_BACKEND="services", LETAN_PG_HOST="db.tinh.local",
                      LETAN_PG_USER="letan", LETAN_PG_PASSWORD="p@ss:w/rd", LETAN_PG_DATABASE="motcua",
                      LETAN_RABBITMQ_HOST="mq.tinh.local")
    assert chosen.database_url == "postgresql+psycopg2://letan:p%40ss%3Aw%2Frd@db.tinh.local:5432/motcua"
    assert chosen.rabbitmq_url == "amqp://guest:guest@mq.tinh.local:5672/"


def test_an_explicit_database_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = settings(monkeypatch, LETAN_BACKEND="services", LETAN_DATABASE_URL="sqlite:////tmp/x.db")
    assert chosen.database_url == "sqlite:////tmp/x.db"


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        settings(monkeypatch, LETAN_BACKEND="postgres")


def test_the_services_environment_survives_the_shell() -> None:
    """run.sh evals these lines; a password with shell characters must arrive unchanged."""
    password = "a b'$(echo no)\"`x`"
    script = f'eval "$({sys.executable} -m scripts.services_env)"; printf %s "$LETAN_PG_PASSWORD|$LETAN_EVENT_QUEUE"'
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "LETAN_PG_PASSWORD": password,
                                 "LETAN_EVENT_QUEUE": "events_tinh"})
    assert result.stdout == f"{password}|events_tinh"
