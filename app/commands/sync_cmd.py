"""`vaxdesk sync`: the terminal's side of the exchange with the server (PACKAGE-FORMAT.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.commands.common import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="サーバーとの同期（端末鍵・エクスポート・インポート・状態）")
    s = p.add_subparsers(dest="sync_command", required=True, metavar="COMMAND")

    k = s.add_parser("terminal-key", help="この端末の公開鍵ファイルを書き出す（サーバーへの登録用）",
                     description="端末の公開鍵ファイル (ID.pub.json) を書き出します。"
                     "秘密鍵は台帳の中にあり、書き出しません。")  # fmt: skip
    add_register_options(k)
    k.add_argument("--out", type=Path, required=True, metavar="FILE", help="出力ファイル")
    k.set_defaults(func=run_terminal_key)

    e = s.add_parser("export", help="未送信の変更をサーバー宛てのパッケージに書き出す",
                     description="前回サーバーが受領を確認した後の変更と監査ログを、次の通番の"
                     "署名・暗号化済みパッケージとして FOLDER に書き出します。--resend は受領確認"
                     "前のパッケージをもう一度書き出します（紛失時）。")  # fmt: skip
    add_register_options(e)
    e.add_argument("--out", type=Path, required=True, metavar="FOLDER", help="出力フォルダー")
    e.add_argument("--resend", action="store_true", help="受領確認前のパッケージを再出力する")
    e.set_defaults(func=run_export)

    i = s.add_parser("import", help="サーバーからのパッケージを取り込む",
                     description="署名・宛先・通番などをすべて検査してから、1つのトランザクションで"
                     "取り込みます。不正なパッケージは台帳を変えずに隔離フォルダーへ移し、報告書を"
                     "残します。取込済みのパッケージは「取込済み」と表示して何も変えません。")  # fmt: skip
    i.add_argument("file", type=Path, metavar="FILE", help="パッケージ（.vxpkg）")
    add_register_options(i)
    i.set_defaults(func=run_import)

    st = s.add_parser("status", help="同期の状態（未送信件数・通番・隔離・競合）")
    add_register_options(st)
    st.add_argument("--json", action="store_true", help="JSON で出力する")
    st.set_defaults(func=run_status)


def run_terminal_key(args: argparse.Namespace) -> int:
    from app.services.sync_identity import export_terminal_key

    session = open_session(args)
    try:
        key_id = export_terminal_key(session, args.out)
    finally:
        session.register.close()
    print(f"端末の公開鍵を書き出しました: {args.out}（鍵ID {key_id}）")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from app.services.sync_status import sync_status

    session = open_session(args)
    try:
        status = sync_status(session)
    finally:
        session.register.close()
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return 0
    for line in status.lines_ja():
        print(line)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from app.services import sync_export

    session = open_session(args)
    try:
        if args.resend:
            copied = sync_export.resend(session, args.out)
            for path in copied:
                print(f"再出力しました: {path}")
            if not copied:
                print("受領確認前のパッケージはありません。")
            return 0
        result = sync_export.export_changes(session, args.out)
    finally:
        session.register.close()
    print(f"書き出しました: {result.path}（通番 {result.sequence}、変更 {result.records}件、"
          f"監査ログ {result.audit_entries}件、受領確認 {result.ack}）")  # fmt: skip
    return 0


def run_import(args: argparse.Namespace) -> int:
    from app.services.sync_import import import_package

    session = open_session(args)
    try:
        result = import_package(session, args.file)
    finally:
        session.register.close()
    if result.already_imported:
        print(f"取込済みです（通番 {result.sequence}）。台帳は変更していません。")
        return 0
    print(f"取り込みました: 通番 {result.sequence}（{result.kind}）反映 {result.applied}件、"
          f"変更なし {result.unchanged}件、隔離 {result.quarantined}件、競合 {result.conflicts}件、"
          f"受領確認された送信 {result.acknowledged}件")  # fmt: skip
    return 0
