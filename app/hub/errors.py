"""Errors of the hub. Each has a stable code and a Japanese message without personal data."""

from __future__ import annotations

from app.errors import ConfigError, InvalidInput, NotFound, VaxDeskError


class HubError(VaxDeskError):
    code = "E_HUB"
    message_ja = "ハブの処理に失敗しました。"
    exit_code = 74


class HubDatabaseError(HubError):
    code = "E_HUB_DATABASE"
    message_ja = "ハブのデータベースを開けませんでした。"


class HubDatabaseNewer(HubError):
    code = "E_HUB_SCHEMA_NEWER"
    message_ja = (
        "ハブのデータベースはこのプログラムより新しい版で作られています。"
        "プログラムを更新してください。データベースは変更していません。"
    )


class HubKeyFileError(HubError):
    code = "E_HUB_KEYFILE"
    message_ja = "ハブの鍵ファイルを読み取れません。"


class HubNotInitialised(HubError):
    code = "E_HUB_MISSING"
    message_ja = "指定のフォルダにハブがありません。先に vaxdesk hub init を実行してください。"


class HubExists(HubError):
    code = "E_HUB_EXISTS"
    message_ja = "指定のフォルダには既にハブがあります。上書きしません。"


class HubConfigError(ConfigError):
    code = "E_HUB_CONFIG"
    message_ja = "ハブの設定に誤りがあります。"


class HubInvalidInput(InvalidInput):
    code = "E_HUB_INPUT"


class UnknownTerminal(NotFound):
    code = "E_HUB_UNKNOWN_TERMINAL"
    message_ja = "指定の端末はハブに登録されていません。"
