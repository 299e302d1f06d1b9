"""Printable queue tickets: an image (PNG, or PDF) and ESC/POS bytes for thermal printers.

The image uses a font with Vietnamese glyphs (DejaVu Sans by default, LETAN_TICKET_FONT).
ESC/POS printers rarely have a Vietnamese code page, so their text is written without
diacritics; the QR code (to the ticket's status page) uses the printer's own QR command.
"""
from __future__ import annotations

import io
from datetime import timezone
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from procedure_kb.errors import DomainError
from procedure_kb.queue import LOCAL_TZ, TicketView
from procedure_kb.settings import get_settings
from procedure_kb.text import unaccented

WIDTH = 576  # dots: an 80 mm thermal paper roll at 203 dpi


def status_url(code: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/q/{code}"


def ticket_lines(view: TicketView) -> list:
    issued = view.issued_at.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)
    return [
        f"{view.service_name}",
        f"Quầy: {', '.join(map(str, view.counters)) or 'Hướng dẫn chung'}",
        f"Lấy số lúc {issued:%H:%M ngày %d/%m/%Y}",
        f"Phía trước: {view.ahead} người, chờ khoảng {view.estimated_wait_minutes} phút"
        if view.ahead else "Chưa có ai chờ trước Anh/Chị",
    ]


def ticket_image(view: TicketView) -> Image.Image:
    title, body = _font(27), _font(26)
    code_font = _font(120)
    qr = Image.open(io.BytesIO(_qr_png(status_url(view.code)))).convert("RGB")
    height = 140 + 150 + 40 * len(ticket_lines(view)) + qr.height + 60
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = 20
    for text, font in (("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", title), ("SỐ THỨ TỰ", body)):
        draw.text((WIDTH // 2, y), text, font=font, fill="black", anchor="ma")
        y += 50
    draw.text((WIDTH // 2, y), view.code, font=code_font, fill="black", anchor="ma")
    y += 150
    for line in ticket_lines(view):
        draw.text((WIDTH // 2, y), line, font=body, fill="black", anchor="ma")
        y += 40
    image.paste(qr, ((WIDTH - qr.width) // 2, y + 10))
    return image


def ticket_png(view: TicketView) -> bytes:
    buffer = io.BytesIO()
    ticket_image(view).save(buffer, "PNG")
    return buffer.getvalue()


def ticket_pdf(view: TicketView) -> bytes:
    buffer = io.BytesIO()
    ticket_image(view).save(buffer, "PDF", resolution=203.0)
    return buffer.getvalue()


def ticket_escpos(view: TicketView) -> bytes:
    """Commands for an ESC/POS printer: centred text, big code, native QR, cut."""
    out = bytearray(b"\x1b@\x1ba\x01")  # initialise; centre
    out += _ascii("TRUNG TAM PHUC VU HANH CHINH CONG\n")
    out += b"\x1d!\x33" + _ascii(view.code + "\n") + b"\x1d!\x00"  # 4x size for the code
    for line in ticket_lines(view):
        out += _ascii(unaccented(line) + "\n")
    out += _escpos_qr(status_url(view.code))
    out += b"\n\n\n\x1dV\x41\x03"  # feed and partial cut
    return bytes(out)


def _escpos_qr(data: str) -> bytes:
    payload = data.encode("ascii")
    store = len(payload) + 3
    return (
        b"\x1d(k\x04\x00\x31\x41\x32\x00"  # model 2
        + b"\x1d(k\x03\x00\x31\x43\x06"  # module size 6
        + b"\x1d(k\x03\x00\x31\x45\x31"  # error correction M
        + b"\x1d(k" + bytes([store % 256, store // 256]) + b"\x31\x50\x30" + payload
        + b"\x1d(k\x03\x00\x31\x51\x30"  # print
    )


def _ascii(text: str) -> bytes:
    return text.encode("ascii", errors="replace")


def _qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(get_settings().ticket_font)
    if not path.exists():
        raise DomainError(f"Không tìm thấy phông chữ in phiếu {path}; cài gói fonts-dejavu-core "
                          "hoặc đặt LETAN_TICKET_FONT.")
    return ImageFont.truetype(str(path), size)
