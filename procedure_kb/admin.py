"""Create the first admin: `make admin` (`python -m procedure_kb.admin`).

Reads LETAN_ADMIN_USER and LETAN_ADMIN_PASSWORD when both are set (non-interactive),
otherwise asks for them. There is never a default password.
"""
from __future__ import annotations

import getpass
import os
import sys

from procedure_kb import accounts
from procedure_kb.accounts import AccountError, Role
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade


def ask_credentials() -> tuple:
    username = os.environ.get("LETAN_ADMIN_USER", "")
    password = os.environ.get("LETAN_ADMIN_PASSWORD", "")
    if username and password:
        return username, password
    if not sys.stdin.isatty():
        raise AccountError("Đặt LETAN_ADMIN_USER và LETAN_ADMIN_PASSWORD, hoặc chạy trong terminal.")
    username = username or input("Tên đăng nhập quản trị: ")
    password = getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
    if password != getpass.getpass("Nhập lại mật khẩu: "):
        raise AccountError("Hai lần nhập mật khẩu không khớp.")
    return username, password


def main() -> int:
    upgrade()
    try:
        username, password = ask_credentials()
        with session_scope() as session:
            accounts.create_user(session, username, password, [Role.admin], actor="make admin")
    except AccountError as error:
        print(f"Không tạo được tài khoản: {error.message}", file=sys.stderr)
        return 1
    print(f"Đã tạo tài khoản quản trị '{username.strip().lower()}'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
