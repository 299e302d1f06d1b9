"""'Tra cứu hồ sơ / phản ánh': one action for both, led by what the message contains.

A complaint code (PA-…) is looked up as a complaint, a dossier code or a phone number as a
dossier, whichever intent NLU chose; with neither, the bot asks for the code it needs.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedure_kb import complaints, dossiers
from procedure_kb.db import session_scope
from procedure_kb.dossier_sources import dossier_source
from procedure_kb.dossiers import DossierSourceUnavailable
from procedure_kb.phones import find_phone

Events = List[Dict[Text, Any]]
Reply = Tuple[str, List[str]]


class ActionLookupStatus(Action):
    def name(self) -> Text:
        return "action_lookup_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        text = tracker.latest_message.get("text") or ""
        complaint_code = complaints.parse_code(text)
        if complaint_code:
            return _say(dispatcher, complaint_status(complaint_code), "complaint")
        dossier_code, phone = dossiers.parse_dossier_code(text), find_phone(text)
        if dossier_code or phone:
            return _say(dispatcher, dossier_status(dossier_code, phone), "dossier_status")
        if dossiers.looks_like_dossier_code(text):
            dispatcher.utter_message(text=dossiers.malformed_code_message())
        elif tracker.get_intent_of_latest_message() == "check_complaint_status":
            dispatcher.utter_message(response="utter_ask_complaint_code")
        else:
            dispatcher.utter_message(response="utter_ask_dossier_code")
        return []


def complaint_status(code: str) -> Reply:
    with session_scope() as session:
        found = complaints.find(session, code)
        return complaints.citizen_status(found) if found else (complaints.not_found_message(code), [])


def dossier_status(code: str | None, phone: str | None) -> Reply:
    try:
        with session_scope() as session:
            source = dossier_source(session)
            if code:
                found = source.by_code(code)
                return dossiers.describe(found) if found else (dossiers.not_found_message(code), [])
            return dossiers.describe_all(source.by_phone(phone or ""))
    except DossierSourceUnavailable as error:
        return error.message, []


def _say(dispatcher: CollectingDispatcher, reply: Reply, served: str) -> Events:
    speech, details = reply
    dispatcher.utter_message(text=speech)
    if details:
        dispatcher.utter_message(text="\n".join(details))
    return [SlotSet("served", served)] if details else []
