"""Opening hours and amenities, answered from the centre's details and the clock."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedure_kb import centre
from procedure_kb.centre import CentreData
from procedure_kb.db import session_scope


class CentreAnswer(Action, ABC):
    """Answers from the centre's details; subclasses say how."""

    @abstractmethod
    def compose(self, info: Optional[CentreData], text: str) -> str:
        """The reply to `text`."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        with session_scope() as session:
            info = centre.load(session)
        dispatcher.utter_message(text=self.compose(info, tracker.latest_message.get("text") or ""))
        return [SlotSet("served", "centre_info")]


class ActionOpeningHours(CentreAnswer):
    def name(self) -> Text:
        return "action_opening_hours"

    def compose(self, info: Optional[CentreData], text: str) -> str:
        return centre.hours_reply(info, text)


class ActionAmenities(CentreAnswer):
    def name(self) -> Text:
        return "action_amenities"

    def compose(self, info: Optional[CentreData], text: str) -> str:
        return centre.amenity_reply(info, text)
