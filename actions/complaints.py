"""Complaints in the dialogue: the form's validation, read-back and submission."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedure_kb import choices, complaints
from procedure_kb.complaint_form import ComplaintDraft
from procedure_kb.complaints import CATEGORIES, Contact
from procedure_kb.db import session_scope

Events = List[Dict[Text, Any]]
SLOT_PREFIX = "complaint_"
CONFIRM_BUTTONS = [
    {"title": "Gửi phản ánh", "payload": "Gửi phản ánh"},
    {"title": "Sửa nội dung", "payload": "Sửa nội dung"},
    {"title": "Sửa liên hệ", "payload": "Sửa liên hệ"},
    {"title": "Hủy phản ánh", "payload": "Hủy phản ánh"},
]
log = logging.getLogger(__name__)


def draft_from(tracker: Tracker) -> ComplaintDraft:
    return ComplaintDraft(**{name: tracker.get_slot(SLOT_PREFIX + name)
                             for name in ComplaintDraft.field_names()})


def slot_events(draft: ComplaintDraft) -> Events:
    return [SlotSet(SLOT_PREFIX + name, value) for name, value in draft.values().items()]


def cleared() -> Events:
    return slot_events(ComplaintDraft())


class ValidateComplaintForm(Action):
    """Reads each reply (and corrections) into the draft, then picks the next question.

    Every run sets the form's slots, so the form never rejects a reply it could not use:
    it says why and asks again.
    """

    def name(self) -> Text:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        text = tracker.latest_message.get("text") or ""
        asked = tracker.get_slot("requested_slot")
        if asked and choices.wants_to_cancel(text):
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return cleared() + [SlotSet("requested_slot", None)]
        draft = draft_from(tracker)
        if asked:
            draft.answer(asked[len(SLOT_PREFIX):], text)
        else:
            draft.start(text)
        for note in draft.notes:
            dispatcher.utter_message(text=note)
        question = draft.next_question()
        return slot_events(draft) + [SlotSet("requested_slot", question and SLOT_PREFIX + question)]


class ActionAskComplaintCategory(Action):
    def name(self) -> Text:
        return "action_ask_complaint_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        dispatcher.utter_message(
            response="utter_ask_complaint_category",
            buttons=[{"title": label, "payload": label} for label in CATEGORIES.values()],
        )
        return []


class ActionAskComplaintConfirmed(Action):
    """Reads the complaint back before it is sent."""

    def name(self) -> Text:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        dispatcher.utter_message(text="Dạ, em xin đọc lại phản ánh của Anh/Chị:")
        lines = "\n".join(f"- {line}" for line in draft_from(tracker).read_back())
        dispatcher.utter_message(text=f"{lines}\nAnh/Chị xác nhận gửi phản ánh này chứ ạ?",
                                 buttons=CONFIRM_BUTTONS)
        return []


class ActionSubmitComplaint(Action):
    """Stores a confirmed complaint, then gives its code; says so plainly if it could not."""

    def name(self) -> Text:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        draft = draft_from(tracker)
        if not draft.confirmed:
            return cleared()
        contact = Contact(draft.name or None, draft.phone or None)
        try:
            with session_scope(write_lock=True) as session:
                code = complaints.submit(
                    session, draft.category or "other", draft.content or "",
                    tracker.get_latest_input_channel() or "", tracker.sender_id,
                    contact, draft.keeps_contact(),
                ).code
        except Exception:
            log.exception("A confirmed complaint could not be stored")
            dispatcher.utter_message(response="utter_complaint_not_stored")
            return cleared()
        dispatcher.utter_message(response="utter_complaint_received", code=code)
        return cleared() + [SlotSet("served", "complaint")]
