"""What the bot says when it did not understand: honest, with a way forward."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import (
    HUMAN_BUTTON,
    procedure_buttons,
    procedure_index,
    remember_unanswered,
)
from procedure_kb.answers import not_understood


class ActionFallback(Action):
    """Offers the procedures closest to the message, if any, and a human officer."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        suggestions = procedure_index().search(tracker.latest_message.get("text") or "")
        remember_unanswered(tracker, "fallback", [s.procedure_id for s in suggestions])
        dispatcher.utter_message(
            text=not_understood(bool(suggestions)),
            buttons=procedure_buttons(suggestions) + [HUMAN_BUTTON],
        )
        return []
