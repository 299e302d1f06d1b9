"""Public queue pages: the lobby display board (live over SSE) and a ticket's status page."""
from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from procedure_kb import queue
from procedure_kb.api.pages.templating import templates
from procedure_kb.db import session_scope

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 0.3
KEEPALIVE_SECONDS = 15


@router.get("/display", response_class=HTMLResponse)
def display(request: Request) -> Response:
    return templates.TemplateResponse(request, "display.html", {})


@router.get("/display/events")
async def display_events(request: Request) -> StreamingResponse:
    """Server-sent events: the board as JSON each time it changes."""
    return StreamingResponse(_board_changes(request), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})


@router.get("/q/{code}", response_class=HTMLResponse)
def ticket_page(code: str, request: Request) -> Response:
    """A citizen's own ticket, from the QR code: state, counter, people ahead."""
    try:
        with session_scope() as session:
            view = queue.view(session, queue.find_ticket(session, code))
        return templates.TemplateResponse(request, "ticket.html", {"ticket": view, "error": ""})
    except queue.QueueError as error:
        return templates.TemplateResponse(request, "ticket.html", {"ticket": None, "error": error.message},
                                          status_code=error.status)


async def _board_changes(request: Request) -> AsyncIterator[str]:
    previous = ""
    quiet = 0.0
    while not await request.is_disconnected():
        current = await run_in_threadpool(_board_json)
        if current != previous:
            previous, quiet = current, 0.0
            yield f"data: {current}\n\n"
        elif quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS


def _board_json() -> str:
    with session_scope() as session:
        return json.dumps(asdict(queue.board(session)), ensure_ascii=False)
