"""Handing the conversation to a human officer: asked for, or after two fallbacks in a row."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from procedure_kb import handover
from procedure_kb.db import session_scope

Events = List[Dict[Text, Any]]
log = logging.getLogger(__name__)


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> Events:
    """Notify the officers; in chat, pause the bot so the officer can take over."""
    channel = tracker.get_latest_input_channel() or ""
    try:
        with session_scope(write_lock=True) as session:
            handover.request(session, tracker.sender_id, channel, reason,
                             tracker.latest_message.get("text") or "")
    except Exception:  # the citizen must still be told where to find a person
        log.exception("Could not record a handover")
        dispatcher.utter_message(response="utter_handover_desk")
        return []
    if not handover.pauses_bot(channel):
        dispatcher.utter_message(response="utter_handover_robot")
        return []
    dispatcher.utter_message(response="utter_handover_chat")
    return [ConversationPaused()]


class ActionHandover(Action):
    def name(self) -> Text:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        return hand_over(dispatcher, tracker, "asked")
