"""What the bot says about queue tickets: one sentence each, easy to read aloud."""
from __future__ import annotations

from typing import List

from procedure_kb.queue import CALLED, DONE, NO_SHOW, SERVING, TicketView

PRIORITY_BUTTON = "Tôi thuộc diện ưu tiên"


def counters_phrase(counters: List[int]) -> str:
    if not counters:
        return "Quầy Hướng dẫn chung"
    numbers = [str(n) for n in counters]
    joined = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} hoặc {numbers[-1]}"
    return f"quầy số {joined}"


def wait_phrase(view: TicketView) -> str:
    if view.ahead == 0:
        return "hiện chưa có ai chờ trước Anh/Chị"
    return (f"phía trước còn {view.ahead} người, thời gian chờ khoảng "
            f"{max(1, view.estimated_wait_minutes)} phút")


def ticket_issued(view: TicketView) -> str:
    return (f"Dạ, số thứ tự của Anh/Chị là {view.code}, mời Anh/Chị đến "
            f"{counters_phrase(view.counters)}, lĩnh vực {view.service_name}; {wait_phrase(view)} ạ. "
            f"Nếu Anh/Chị là người cao tuổi, người khuyết tật, phụ nữ có thai hoặc đang bế con nhỏ, "
            f"xin bấm “{PRIORITY_BUTTON}” ạ.")


def priority_marked(view: TicketView) -> str:
    return (f"Dạ, em đã ghi số {view.code} vào diện ưu tiên; {wait_phrase(view)}. "
            f"Cán bộ tại quầy sẽ mời Anh/Chị sớm ạ.")


def ticket_state(view: TicketView) -> str:
    if view.state in (CALLED, SERVING):
        return f"Dạ, số {view.code} đã được mời đến quầy số {view.counter}, Anh/Chị đến ngay nhé ạ."
    if view.state == DONE:
        return f"Dạ, số {view.code} đã được phục vụ xong ạ."
    if view.state == NO_SHOW:
        return (f"Dạ, số {view.code} đã được gọi nhiều lần nhưng không có mặt nên đã bị bỏ qua; "
                "Anh/Chị vui lòng lấy số mới ạ.")
    return f"Dạ, số {view.code}: {wait_phrase(view)} ạ."


def which_service() -> str:
    return "Dạ, Anh/Chị cần làm thủ tục ở lĩnh vực nào để em lấy số đúng quầy ạ?"


def refused(message: str) -> str:
    """A queue error turned into a polite reply."""
    return f"Dạ, {message[0].lower()}{message[1:]} Anh/Chị cần giúp thêm xin hỏi Quầy Hướng dẫn chung ạ."


def unavailable() -> str:
    """The queue's database failed: nothing was issued or changed."""
    return ("Dạ, em xin lỗi, hệ thống lấy số đang gặp sự cố nên em chưa thực hiện được. Anh/Chị "
            "vui lòng thử lại sau ít phút hoặc lấy số tại máy cấp số ở sảnh ạ.")


def ask_ticket_code() -> str:
    return "Dạ, Anh/Chị cho em xin số thứ tự in trên phiếu, ví dụ A015, để em kiểm tra ạ."
