"""`vaxdesk sync`: the terminal's side of the exchange with the server (PACKAGE-FORMAT.md)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from app.commands.cli_session import add_register_options, open_session


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="サーバーとの同期（端末鍵・エクスポート・インポート・状態）")
    s = p.add_subparsers(dest="sync_command", required=True, metavar="COMMAND")

    k = s.add_parser(
        "terminal-key",
        help="この端末の公開鍵ファイルを書き出す（サーバーへの登録用）",
        description="端末の公開鍵ファイル (ID.pub.json) を書き出します。"
        "秘密鍵は台帳の中にあり、書き出しません。",
    )
    add_register_options(k)
    k.add_argument("--out", type=Path, required=True, metavar="FILE", help="出力ファイル")
    k.set_defaults(func=run_terminal_key)

    t = s.add_parser(
        "trust",
        help="最初の信頼リストを登録する（端末の登録時に一度だけ、管理者）",
        description="サーバーの信頼リスト（trust.json と trust.sig のフォルダー）を登録"
        "します。サーバー管理者から別経路で知らされたサーバー鍵IDと一致するときだけ登録"
        "します。以後の更新はサーバーからのパッケージでのみ行われます。",
    )
    add_register_options(t)
    t.add_argument("--from", dest="folder", type=Path, required=True, metavar="FOLDER")
    t.add_argument(
        "--server-key-id",
        required=True,
        metavar="KEY_ID",
        help="サーバー鍵ID（16桁の16進数、別経路で確認したもの）",
    )
    t.set_defaults(func=run_trust)

    e = s.add_parser(
        "export",
        help="未送信の変更をサーバー宛てのパッケージに書き出す",
        description="前回サーバーが受領を確認した後の変更と監査ログを、次の通番の"
        "署名・暗号化済みパッケージとして FOLDER に書き出します。--resend は受領確認"
        "前のパッケージをもう一度書き出します（紛失時）。",
    )
    add_register_options(e)
    e.add_argument("--out", type=Path, required=True, metavar="FOLDER", help="出力フォルダー")
    e.add_argument("--resend", action="store_true", help="受領確認前のパッケージを再出力する")
    e.add_argument(
        "--approved-by",
        metavar="STAFF_NO",
        help="媒体の使用を承認した職員の職員番号（媒体管理簿に記録）",
    )
    e.set_defaults(func=run_export)

    i = s.add_parser(
        "import",
        help="サーバーからのパッケージを取り込む",
        description="署名・宛先・通番などをすべて検査してから、1つのトランザクションで"
        "取り込みます。不正なパッケージは台帳を変えずに隔離フォルダーへ移し、報告書を"
        "残します。取込済みのパッケージは「取込済み」と表示して何も変えません。",
    )
    i.add_argument("file", type=Path, metavar="FILE", help="パッケージ（.vxpkg）")
    i.add_argument(
        "--approved-by",
        metavar="STAFF_NO",
        help="媒体の使用を承認した職員の職員番号（媒体管理簿に記録）",
    )
    add_register_options(i)
    i.set_defaults(func=run_import)

    m = s.add_parser("media", help="媒体管理簿（一覧・CSV・媒体からの消去）")
    ms = m.add_subparsers(dest="media_command", required=True, metavar="COMMAND")
    ml = ms.add_parser("list", help="媒体管理簿を表示する（--csv で CSV に書き出す）")
    add_register_options(ml)
    ml.add_argument("--direction", choices=("export", "import"))
    ml.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    ml.add_argument("--until", dest="date_until", metavar="YYYY-MM-DD")
    ml.add_argument("--csv", type=Path, metavar="FILE", help="CSV の出力先")
    ml.set_defaults(func=run_media_list)
    me = ms.add_parser("erase", help="受領確認済み・取込済みのパッケージを媒体から消去して記録する")
    add_register_options(me)
    me.add_argument("entry", type=int, metavar="NO", help="媒体管理簿の番号")
    me.set_defaults(func=run_media_erase)

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
        result = sync_export.export_changes(session, args.out, approved_by=args.approved_by)
    finally:
        session.register.close()
    print(
        f"書き出しました: {result.path}（通番 {result.sequence}、変更 {result.records}件、"
        f"監査ログ {result.audit_entries}件、受領確認 {result.ack}）"
    )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from app.services.sync_import import checkpoint, import_package, prepare_lists

    session = open_session(args)
    try:
        result = import_package(session, args.file, approved_by=args.approved_by)
        if result.already_imported:
            print(f"取込済みです（通番 {result.sequence}）。台帳は変更していません。")
            return 0
        print(  # committed: told at once, before the WAL is folded back into the file
            f"取り込みました: 通番 {result.sequence}（{result.kind}）反映 {result.applied}件、"
            f"変更なし {result.unchanged}件、隔離 {result.quarantined}件、競合 {result.conflicts}件、"
            f"受領確認された送信 {result.acknowledged}件",
            flush=True,
        )
        checkpoint(session)
        if result.kind == "initial":  # the first lists at the counter read no dose
            started = time.perf_counter()
            done = prepare_lists(session)
            if done:
                print(
                    f"未接種者一覧を準備しました: {len(done)} 種類"
                    f"（{time.perf_counter() - started:.1f} 秒）"
                )
            else:
                print(
                    "未接種者一覧の準備はできませんでした（取込は完了しています。"
                    "最初の一覧表示で判定します）"
                )
    finally:
        session.register.close()
    return 0


def run_media_list(args: argparse.Namespace) -> int:
    from app.services import media

    filters = {
        "direction": args.direction,
        "date_from": args.date_from,
        "date_until": args.date_until,
    }
    session = open_session(args)
    try:
        if args.csv is not None:
            rows = media.ledger_csv(session, args.csv, **filters)
            print(f"{rows}件を書き出しました: {args.csv}")
            return 0
        entries = media.ledger(session, **filters)
        names = media.staff_names(session) if entries else {}
    finally:
        session.register.close()
    for e in entries:
        kind = "書出" if e.direction == "export" else "取込"
        carrier = names.get(e.carried_by, str(e.carried_by))
        erased = "未消去"
        if e.erased_at:
            eraser = "" if e.erased_by is None else names.get(e.erased_by, str(e.erased_by))
            erased = f"消去 {e.erased_at} {eraser}".rstrip()
        print(
            f"{e.id}\t{e.at}\t{kind}\t通番{e.sequence}\t{e.file_name}\t"
            f"{e.volume_label or '-'}/{e.volume_serial or '-'}\t作業 {carrier}\t"
            f"承認 {e.approved_by}\t{erased}"
        )
    return 0


def run_media_erase(args: argparse.Namespace) -> int:
    from app.services import media

    session = open_session(args)
    try:
        present = media.erase(session, args.entry)
    finally:
        session.register.close()
    print(
        "媒体から消去し、記録しました。"
        if present
        else "ファイルは既にありませんでした。消去済みとして記録しました。"
    )
    return 0


def run_trust(args: argparse.Namespace) -> int:
    from app.services.sync_identity import enrol_trust

    session = open_session(args)
    try:
        trust = enrol_trust(session, args.folder, args.server_key_id)
    finally:
        session.register.close()
    server = trust.server()
    print(
        f"信頼リスト（版 {trust.version}）を登録しました。サーバー {server.id}（鍵ID {server.key_id}）"
    )
    return 0
