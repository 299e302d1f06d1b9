"""Shared construction of the project's Rasa components."""
from __future__ import annotations

from typing import Any, Dict, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="ConfigOnlyComponent")


class ConfigOnlyComponent:
    """Mixin for components built from their config alone: nothing persisted to load.

    The class's own `__init__(config)` does the construction.
    """

    @classmethod
    def create(
        cls: Type[C],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config)
