"""Queue tickets from the dialogue: issue one for the right service, and say where it stands."""
from __future__ import annotations

import logging
import re
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from procedure_kb import queue, queue_replies
from procedure_kb.db import session_scope
from procedure_kb.models import QueueService
from procedure_kb.queue import Channel, Priority, QueueError

CODE_IN_TEXT = re.compile(r"\b([A-Za-z])\s?-?\s?(\d{1,4})\b")
CHANNELS = {"robot": Channel.robot, "zalo": Channel.zalo, "rest": Channel.chat}
Events = List[Dict[Text, Any]]
log = logging.getLogger(__name__)


class ActionIssueTicket(Action):
    """Finds the service (button, procedure named now or before, service named), then issues."""

    def name(self) -> Text:
        return "action_issue_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        return answer_safely(dispatcher, lambda: self._issue(dispatcher, tracker))

    @staticmethod
    def _issue(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        chosen = next(tracker.get_latest_entity_values("queue_service"), None)
        procedure = next(tracker.get_latest_entity_values("procedure"), None) or tracker.get_slot("procedure")
        text = tracker.latest_message.get("text") or ""
        with session_scope(write_lock=True) as session:
            service = _service(session, chosen, procedure, text)
            if service is None:
                buttons = [
                    {"title": s.name, "payload": f'/request_queue_number{{"queue_service":"{s.id}"}}'}
                    for s in queue.all_services(session)
                ]
                dispatcher.utter_message(text=queue_replies.which_service(), buttons=buttons)
                return []
            channel = CHANNELS.get(tracker.get_latest_input_channel() or "", Channel.chat)
            view = queue.issue(session, service, None, channel, tracker.sender_id)
        # Told only once the ticket is committed.
        dispatcher.utter_message(
            text=queue_replies.ticket_issued(view),
            buttons=[{"title": queue_replies.PRIORITY_BUTTON, "payload": "/declare_priority"}],
        )
        return [SlotSet("ticket_code", view.code), SlotSet("served", "queue_ticket")]


class ActionDeclarePriority(Action):
    def name(self) -> Text:
        return "action_declare_priority"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        code = tracker.get_slot("ticket_code")
        if not code:
            dispatcher.utter_message(text=queue_replies.ask_ticket_code())
            return []
        return answer_safely(dispatcher, lambda: self._mark(dispatcher, code))

    @staticmethod
    def _mark(dispatcher: CollectingDispatcher, code: str) -> Events:
        with session_scope(write_lock=True) as session:
            ticket = queue.mark_priority(session, code, Priority.declared)
            session.flush()
            view = queue.view(session, ticket)
        dispatcher.utter_message(text=queue_replies.priority_marked(view))
        return []


class ActionQueueStatus(Action):
    """'Còn bao nhiêu người nữa?', 'Số A015 đến lượt chưa?': from live data."""

    def name(self) -> Text:
        return "action_queue_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Events:
        code = code_in(tracker.latest_message.get("text") or "") or tracker.get_slot("ticket_code")
        if not code:
            dispatcher.utter_message(text=queue_replies.ask_ticket_code())
            return []
        return answer_safely(dispatcher, lambda: self._state(dispatcher, code))

    @staticmethod
    def _state(dispatcher: CollectingDispatcher, code: str) -> Events:
        with session_scope() as session:
            view = queue.view(session, queue.find_ticket(session, code))
        dispatcher.utter_message(text=queue_replies.ticket_state(view))
        return [SlotSet("ticket_code", view.code)]


def answer_safely(dispatcher: CollectingDispatcher, work: Callable[[], Events]) -> Events:
    """Runs the queue work; a refusal or a database failure becomes a polite reply, so a
    ticket is never announced unless it was stored."""
    try:
        return work()
    except QueueError as error:
        dispatcher.utter_message(text=queue_replies.refused(error.message))
    except SQLAlchemyError:
        log.exception("The queue database failed")
        dispatcher.utter_message(text=queue_replies.unavailable())
    return []


def code_in(text: str) -> Optional[str]:
    """A ticket code written in the message ('A015', 'a 15', 'số B-7')."""
    match = CODE_IN_TEXT.search(text)
    return f"{match.group(1).upper()}{int(match.group(2)):03d}" if match else None


def _service(
    session: Session, chosen: Optional[str], procedure: Optional[str], text: str
) -> Optional[QueueService]:
    if chosen:
        return queue.find_service(session, service_id=chosen)
    named = queue.service_named_in(session, text)
    if named is not None:
        return named
    if procedure:
        return queue.find_service(session, procedure_id=procedure)
    return None
