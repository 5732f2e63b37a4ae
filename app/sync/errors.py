"""The one error type of the package layer.

``PackageError`` carries the stable code of PACKAGE-FORMAT.md (``E_TOO_LARGE`` … ``E_RECORD_SCHEMA``,
plus ``E_TRUST`` for a trust file and ``E_KEY_FILE`` for a key file), a Japanese message and the
``step`` of the reader (or writer) that refused. Messages name files, line numbers, ids and rules,
never record contents: a package carries personal data.
"""

from __future__ import annotations

from typing import Final

from app.errors import VaxDeskError

#: Default Japanese message per code (a detail may be appended by the raiser).
MESSAGES: Final[dict[str, str]] = {
    "E_TOO_LARGE": "パッケージが大きすぎます。",
    "E_HEADER": "パッケージの形式またはヘッダーが不正です。",
    "E_UNKNOWN_SENDER": "送信元が信頼リストにありません。",
    "E_KEY_REVOKED": "送信元の鍵は失効しているか有効期間外です。",
    "E_SIGNATURE": "パッケージの署名を検証できません。",
    "E_WRONG_RECIPIENT": "このパッケージは本端末（本サーバー）宛てではありません。",
    "E_EXPIRED": "パッケージの有効期限が切れています。",
    "E_REPLAY": "同じパッケージIDで内容の異なるパッケージです（再送攻撃の疑い）。",
    "E_ROLLBACK": "取込済みの通番より古いパッケージです。",
    "E_SEQUENCE_GAP": "パッケージの通番が飛んでいます。",
    "E_MANIFEST": "パッケージの内容が目録（マニフェスト）と一致しません。",
    "E_DECRYPT": "パッケージを復号できません。",
    "E_UNSAFE_ARCHIVE": "パッケージ内のアーカイブが安全でない形式です。",
    "E_RECORD_SCHEMA": "パッケージ内のレコードが規定の形式に適合しません。",
    "E_TRUST": "信頼リスト（trust.json）が不正です。",
    "E_KEY_FILE": "鍵ファイルが不正です。",
    "E_OUTPUT": "出力先に書き込めません。",
}


class PackageError(VaxDeskError):
    """A package, trust file or key file was refused. ``code`` is one of ``MESSAGES``."""

    code = "E_PACKAGE"
    message_ja = "パッケージを処理できません。"
    exit_code = 65

    def __init__(self, code: str, detail: str | None = None, *, step: str = "") -> None:
        base = MESSAGES.get(code, self.message_ja)
        message = f"{base}（{detail}）" if detail else base
        self.step = step
        self.detail = detail or ""
        super().__init__(message, code=code)
