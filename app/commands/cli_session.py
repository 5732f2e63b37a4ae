"""Shared CLI pieces: register/user options, password input, error reporting."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.errors import VaxDeskError
from app.security.session import Session

PASSWORD_ENV = "VAXDESK_PASSWORD"


def add_register_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--register",
        type=Path,
        required=True,
        metavar="DIR",
        help="台帳フォルダ (register.vxdb と keyslots.json がある場所)",
    )
    parser.add_argument("--user", required=True, metavar="NAME", help="ログインするユーザー名")


def read_password(prompt: str = "パスワード: ") -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise VaxDeskError(code="E_NO_PASSWORD")
    return getpass.getpass(prompt)


class TextPrompt:
    """Security-key prompts for the command line (stderr; PIN read without echo)."""

    def touch_key(self) -> None:
        print("セキュリティキーに触れてください。", file=sys.stderr, flush=True)

    def place_finger(self) -> bool:
        print("指紋センサーに指を置いてください。", file=sys.stderr, flush=True)
        return True

    def request_pin(self) -> str | None:
        if not sys.stdin.isatty():
            return None
        return getpass.getpass("セキュリティキーの PIN: ")

    def show_message(self, text_ja: str) -> None:
        print(text_ja, file=sys.stderr, flush=True)


def open_session(args: argparse.Namespace) -> Session:
    from app.errors import AuthError
    from app.services import lockout_notice
    from app.services.register import login

    try:
        session = login(args.register, args.user, read_password(), prompt=TextPrompt())
    except AuthError as exc:
        # As the login dialog says it: the lock (E_AUTH_LOCKED, with its end) from the failure
        # that caused it, and a warning while tries run out.
        raise lockout_notice.explain(args.register, args.user, exc) from None
    if session.register.demo:
        print("【デモ台帳】架空のデータです。", file=sys.stderr)
    return session


def report_error(exc: VaxDeskError) -> int:
    print(f"{exc.code}: {exc.message_ja}", file=sys.stderr)
    return exc.exit_code
