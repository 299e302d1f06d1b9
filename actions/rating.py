"""Satisfaction ratings: asked for when the citizen thanks or says goodbye after being
served, stored per channel and per service, with an optional comment."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedure_kb import ratings
from procedure_kb.db import session_scope
from procedure_kb.text import folded_key

Events = List[Dict[Text, Any]]
STARS = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
RATING_BUTTONS = [{"title": f"{score} ⭐ {label}", "payload": f'/rate_service{{"score":"{score}"}}'}
                  for score, label in enumerate(STARS, start=1)]
# A message this short only carries the score ("5 sao", "rất hài lòng"), no comment.
SCORE_ONLY_WORDS = 3
log = logging.getLogger(__name__)


class FarewellAskingRating(Action, ABC):
    """Thanks or goodbye; after a service, also the 1–5 rating question."""

    response = ""

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        dispatcher.utter_message(response=self.response)
        if tracker.get_slot("served"):
            dispatcher.utter_message(response="utter_ask_rating", buttons=RATING_BUTTONS)
        return []


class ActionThank(FarewellAskingRating):
    response = "utter_thank"

    def name(self) -> Text:
        return "action_thank"


class ActionGoodbye(FarewellAskingRating):
    response = "utter_goodbye"

    def name(self) -> Text:
        return "action_goodbye"


class ActionRecordRating(Action):
    """A score (button or words) is stored at once; words after it become its comment."""

    def name(self) -> Text:
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        text = tracker.latest_message.get("text") or ""
        score = ratings.parse_score(text)
        rating_id = tracker.get_slot("rating_id")
        try:
            with session_scope(write_lock=True) as session:
                if score is None and rating_id is not None:
                    ratings.add_comment(session, int(rating_id), text)
                    dispatcher.utter_message(response="utter_rating_comment_thanks")
                    return [SlotSet("rating_id", None)]
                if score is None:
                    dispatcher.utter_message(response="utter_ask_rating", buttons=RATING_BUTTONS)
                    return []
                rating = ratings.record_rating(
                    session, score, tracker.get_latest_input_channel() or "",
                    tracker.get_slot("served") or "general", tracker.sender_id, _comment(text))
                rating_id = rating.id
        except Exception:
            log.exception("A rating could not be stored")
            dispatcher.utter_message(response="utter_rating_not_stored")
            return []
        dispatcher.utter_message(response="utter_rating_thanks", score=score)
        return [SlotSet("rating_id", rating_id), SlotSet("served", None)]


def _comment(text: str) -> str:
    """The message as a comment, unless it is a button or only the score."""
    if text.startswith("/") or len(folded_key(text).split()) <= SCORE_ONLY_WORDS:
        return ""
    return text
