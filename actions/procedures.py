"""Answers questions about a procedure, keeping the procedure across turns.

Facts are answered as they stand on the centre's local date, and the aspect answered is
remembered so "theo văn bản nào?" next gets that aspect's legal basis.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import (
    HUMAN_BUTTON,
    load_procedure,
    procedure_buttons,
    procedure_index,
    remember_unanswered,
)
from procedure_kb.answers import (
    Aspect,
    answer,
    legal_basis,
    unknown_procedure,
    which_procedure,
)
from procedure_kb.queue import local_now
from procedure_kb.search import STRONG_MATCH, Suggestion, topic_words

ASPECT_BY_INTENT = {
    "ask_procedure_documents": Aspect.documents,
    "ask_procedure_fee": Aspect.fee,
    "ask_procedure_duration": Aspect.duration,
    "ask_procedure_location": Aspect.location,
    "ask_procedure_online": Aspect.online,
    "ask_procedure_overview": Aspect.overview,
    "ask_registration_deadline": Aspect.deadline,
    "ask_procedure_applicant": Aspect.applicants,
}
# Offered when the citizen asks about "a procedure" without saying which.
POPULAR = ["khai_sinh", "thuong_tru", "chung_thuc_ban_sao", "can_cuoc"]
# A message with this many topic words names something, not just an aspect.
NEW_TOPIC_WORDS = 2
MAX_CHOICES = 6  # buttons when a name fits several procedures
MAX_SUGGESTIONS = 3  # "did you mean" buttons for an unknown procedure

Events = List[Dict[Text, Any]]


class ActionAnswerProcedure(Action):
    """Finds which procedure is meant, then answers the aspect asked about.

    Order: a procedure named in the message; else a strong fuzzy match of the text;
    else, for a bare follow-up ('còn lệ phí thì sao?'), the procedure of the
    conversation; else it asks which one, or says honestly it does not know.
    """

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        aspect = requested_aspect(tracker)
        mentioned = mentioned_procedures(tracker)
        if len(mentioned) == 1:
            return answer_about(dispatcher, tracker, mentioned[0], aspect)
        if mentioned:
            return ask_which(dispatcher, aspect, procedure_index().named(mentioned))
        text = tracker.latest_message.get("text") or ""
        candidates = procedure_index().search(text, limit=MAX_CHOICES)
        strong = [c for c in candidates if c.score >= STRONG_MATCH]
        if len(strong) == 1:
            return answer_about(dispatcher, tracker, strong[0].procedure_id, aspect)
        if strong:
            return ask_which(dispatcher, aspect, strong)
        topical = procedure_index().by_topic(text)
        if topical:
            return ask_which(dispatcher, aspect, topical[:MAX_CHOICES])
        suggestions = candidates[:MAX_SUGGESTIONS]
        if len(topic_words(text)) >= NEW_TOPIC_WORDS:
            remember_unanswered(tracker, "unknown_procedure", [s.procedure_id for s in suggestions])
            return say_unknown(dispatcher, suggestions)
        current = tracker.get_slot("procedure")
        if current:
            return answer_about(dispatcher, tracker, current, aspect)
        return ask_which(dispatcher, aspect, suggestions or procedure_index().named(POPULAR))


def answer_about(
    dispatcher: CollectingDispatcher, tracker: Tracker, procedure_id: str, aspect: Aspect
) -> Events:
    """Speech first, then the details as a second message (screens and chat show both)."""
    procedure = load_procedure(procedure_id)
    if procedure is None:
        return say_unknown(dispatcher, [])
    reply = answer(procedure, aspect, local_now().date())
    if reply.fact_missing:
        remember_unanswered(tracker, "missing_fact", [f"{procedure_id}:{aspect.value}"])
    dispatcher.utter_message(
        text=reply.speech, buttons=[HUMAN_BUTTON] if reply.fact_missing else []
    )
    if reply.details:
        dispatcher.utter_message(text="\n".join(reply.details))
    return [SlotSet("procedure", procedure_id), SlotSet("procedure_aspect", aspect.value),
            SlotSet("served", "procedure_answer")]


class ActionAnswerLegalBasis(Action):
    """The legal basis (and checked date) of the aspect just answered, or of the one named."""

    def name(self) -> Text:
        return "action_answer_legal_basis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        mentioned = mentioned_procedures(tracker)
        procedure_id = mentioned[0] if len(mentioned) == 1 else tracker.get_slot("procedure")
        procedure = load_procedure(procedure_id) if procedure_id else None
        if procedure is None:
            dispatcher.utter_message(
                text="Dạ, Anh/Chị muốn hỏi căn cứ pháp lý của thủ tục nào ạ?",
                buttons=procedure_buttons(procedure_index().named(POPULAR)) + [HUMAN_BUTTON],
            )
            return []
        reply = legal_basis(procedure, requested_aspect(tracker), local_now().date())
        dispatcher.utter_message(text=reply.speech)
        if reply.details:
            dispatcher.utter_message(text="\n".join(reply.details))
        return [SlotSet("procedure", procedure.id)]


def ask_which(
    dispatcher: CollectingDispatcher, aspect: Aspect, candidates: List[Suggestion]
) -> Events:
    dispatcher.utter_message(
        text=which_procedure(aspect), buttons=procedure_buttons(candidates) + [HUMAN_BUTTON]
    )
    return [SlotSet("procedure_aspect", aspect.value)]


def say_unknown(dispatcher: CollectingDispatcher, candidates: List[Suggestion]) -> Events:
    dispatcher.utter_message(
        text=unknown_procedure(bool(candidates)),
        buttons=procedure_buttons(candidates) + [HUMAN_BUTTON],
    )
    return [SlotSet("procedure", None)]


def requested_aspect(tracker: Tracker) -> Aspect:
    """The aspect asked now, else the one asked before (for 'inform'), else overview."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent in ASPECT_BY_INTENT:
        return ASPECT_BY_INTENT[intent]
    previous: Optional[str] = tracker.get_slot("procedure_aspect")
    return Aspect(previous) if previous in Aspect.__members__ else Aspect.overview


def mentioned_procedures(tracker: Tracker) -> List[str]:
    """Distinct procedure ids named in the latest message, in order."""
    ids: List[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "procedure" and entity.get("value") not in ids:
            ids.append(entity["value"])
    return ids
