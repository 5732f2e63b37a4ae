"""Errors that reach people and programs.

Every error has a stable machine code (for the CLI, logs and tests) and a Japanese message for
people that says what happened and what to do. Messages never contain personal data: callers pass
ids or nothing, never names, numbers or addresses.
"""

from __future__ import annotations


class VaxDeskError(Exception):
    """Base class. ``code`` is stable; ``message_ja`` is shown to people."""

    code = "E_INTERNAL"
    message_ja = "内部エラーが発生しました。管理者に連絡してください。"
    exit_code = 70

    def __init__(self, message_ja: str | None = None, *, code: str | None = None) -> None:
        if message_ja is not None:
            self.message_ja = message_ja
        if code is not None:
            self.code = code
        super().__init__(f"{self.code}: {self.message_ja}")


class InvalidInput(VaxDeskError):
    code = "E_INVALID_INPUT"
    message_ja = "入力内容に誤りがあります。"
    exit_code = 65


class NotFound(VaxDeskError):
    code = "E_NOT_FOUND"
    message_ja = "該当するデータがありません。"
    exit_code = 66


class PermissionDenied(VaxDeskError):
    code = "E_PERMISSION"
    message_ja = "この操作を行う権限がありません。"
    exit_code = 77


class RegisterError(VaxDeskError):
    """The register cannot be opened or used; the file is left untouched."""

    code = "E_REGISTER"
    message_ja = "台帳を開けませんでした。"
    exit_code = 74


class AuthError(VaxDeskError):
    """Login refused. The message must not reveal which factor failed beyond what is safe."""

    code = "E_AUTH"
    message_ja = "認証に失敗しました。"
    exit_code = 77


class ConfigError(VaxDeskError):
    code = "E_CONFIG"
    message_ja = "設定に誤りがあります。"
    exit_code = 78
