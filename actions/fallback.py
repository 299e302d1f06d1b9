"""What the bot says when it did not understand: honest, with a way forward.

The second fallback in a row hands the conversation to a human officer.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import hand_over
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
        if previous_turn_was_fallback(tracker):
            return hand_over(dispatcher, tracker, "fallbacks")
        dispatcher.utter_message(
            text=not_understood(bool(suggestions)),
            buttons=procedure_buttons(suggestions) + [HUMAN_BUTTON],
        )
        return []


def previous_turn_was_fallback(tracker: Tracker) -> bool:
    """Whether the bot also fell back on the citizen's previous message."""
    user_messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_messages += 1
            if user_messages == 2:
                return False
        elif user_messages == 1 and event.get("name") == "action_fallback":
            return True
    return False
