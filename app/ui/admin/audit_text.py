"""The audit log in words a reviewer reads (issue 12 item 9): 詳細 as 「項目: 値」 in Japanese
instead of raw JSON, 記録 as 「個人番号（ID 488）」, times in the terminal's local time in the
app's 和暦 + 西暦 style. The entries hold ids, codes and counts only (never names or numbers), so
nothing here can show personal data."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from app.error_codes import lookup
from app.paths import resource_path
from app.services.audit_review import ACTION_NAMES_JA, RECORD_TYPES_JA
from app.ui.common.display_text import local_time_both

DETAIL_KEYS_JA = {
    "after": "変更後",
    "area": "地区",
    "attempted_at": "試行日時",
    "before": "変更前",
    "code": "エラー",
    "count": "件数",
    "demo": "デモ台帳",
    "doc": "書類",
    "doses": "接種数",
    "entries": "件数",
    "fields": "項目",
    "file": "ファイル",
    "files": "ファイル数",
    "first_broken": "最初の不整合",
    "first_issuance": "最初の発行ID",
    "fiscal_year": "年度",
    "issuances": "発行ID",
    "kept_previous": "以前の鍵を保持",
    "kind": "種類",
    "known_user": "登録済みユーザー",
    "last_issuance": "最後の発行ID",
    "list_date": "基準日",
    "mode": "検索方法",
    "month": "支払月",
    "needs": "必要な権限",
    "no_institution": "医療機関なし",
    "note": "備考",
    "notices": "通知数",
    "number_key": "個人番号の鍵",
    "pages": "ページ数",
    "problems": "問題",
    "reason": "理由",
    "removed_slots": "削除した鍵",
    "results": "件数",
    "roles": "役割",
    "rows": "行数",
    "same_register": "同じ台帳",
    "schema": "台帳の版",
    "series": "予防接種",
    "slots_removed": "削除した鍵",
    "unpriced": "単価なし",
    "unverified": "未確認",
    "users": "ユーザー数",
}
VALUE_WORDS_JA = {
    "atena": "宛名番号",
    "kana": "カナ氏名",
    "birth": "生年月日",
    "birth_date": "生年月日",
    "issuance": "発行番号",
    "voucher": "接種券",
    "yoshinhyo": "予診票",
    "certificate": "予防接種済証",
    "notice": "個別通知",
    "none": "なし",
    "inactive": "無効化されたユーザー",
    "initial": "初期データの取込後",
}


@cache
def _series_names() -> dict[str, str]:
    """Series id → Japanese name, from the bundled catalog (names only; no register data)."""
    try:
        data = json.loads(resource_path("catalog", "catalog.json").read_text("utf-8"))
        return {str(s["id"]): str(s["name_ja"]) for s in data.get("series", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


@cache
def _role_names() -> dict[str, str]:
    try:
        data = json.loads(resource_path("security", "roles.json").read_text("utf-8"))
        return {str(k): str(v["name_ja"]) for k, v in data.get("roles", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _value(key: str, value: Any) -> str:
    if value is None:
        return "なし"
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v) for v in value) if value else "なし"
    if isinstance(value, dict):
        return "、".join(f"{_key(k)} {_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key == "series":
        return _series_names().get(text, text)
    if key == "roles":
        return _role_names().get(text, text)
    registered = lookup(text) if key == "code" else None
    if registered is not None:
        return registered.message_ja
    if key == "attempted_at":
        return local_time_both(text)
    return ACTION_NAMES_JA.get(text) or VALUE_WORDS_JA.get(text) or text


def _key(key: str) -> str:
    return DETAIL_KEYS_JA.get(key, key)


def detail_text(detail: str) -> str:
    """「必要な権限: 住民検索」 for ``{"needs": "person.search"}``; empty for ``{}``."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return _value("", data)
    return "　".join(f"{_key(k)}: {_value(k, v)}" for k, v in data.items())


def record_text(record_type: str | None, record_id: int | None) -> str:
    """「個人番号（ID 488）」 for ``person_number`` #488."""
    if record_type is None:
        return ""
    name = RECORD_TYPES_JA.get(record_type, record_type)
    return f"{name}（ID {record_id}）" if record_id is not None else name
