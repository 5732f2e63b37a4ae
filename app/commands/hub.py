"""`vaxdesk hub`: the LG-WAN server side (central register, terminals, trust, resident master)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, required=True, metavar="HUB", help="ハブのフォルダ")


def add_parser(sub: Any) -> None:
    hub = sub.add_parser(
        "hub",
        help="LG-WAN サーバー側（ハブ）: 中央台帳、端末の登録、住民記録の取込",
        description="LG-WAN サーバー側（ハブ）の操作です。エラーは標準エラー出力の先頭に"
        "コード（E_…）を示し、0 以外で終了します。",
    )
    hs = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND", required=True)

    p = hs.add_parser(
        "init",
        help="ハブを作成する（鍵、データベース、信頼リスト v1）",
        description="新しいハブを作成します。既定は暗号化された組込みデータベース"
        "（HUB/hub.db）、--database で PostgreSQL を使います。",
    )
    _dir(p)
    p.add_argument("--id", required=True, metavar="ID", help="ハブの ID（例: 192015-HUB）")
    p.add_argument(
        "--database",
        metavar="URL",
        default=None,
        help="PostgreSQL の URL（postgresql://user@host/db）。省略時は組込み",
    )
    p.add_argument(
        "--atena-width", type=int, default=10, metavar="N", help="宛名番号の桁数（既定 10）"
    )
    p.set_defaults(func=_init)

    t = hs.add_parser("terminal", help="端末の登録と失効", description="端末の登録と失効")
    ts = t.add_subparsers(dest="terminal_command", metavar="ACTION", required=True)
    p = ts.add_parser(
        "add",
        help="端末を登録する（ID.pub.json）",
        description="端末の公開鍵ファイルを登録し、信頼リストの新しい版を発行します。",
    )
    _dir(p)
    p.add_argument("pub", type=Path, metavar="PUB.json", help="端末の公開鍵ファイル")
    p.set_defaults(func=_terminal_add)
    p = ts.add_parser(
        "revoke",
        help="端末の鍵を失効させる",
        description="端末の鍵を現在時刻で失効させ、信頼リストの新しい版を発行します。",
    )
    _dir(p)
    p.add_argument("terminal_id", metavar="ID", help="端末の ID")
    p.set_defaults(func=_terminal_revoke)

    p = hs.add_parser(
        "import-residents",
        help="住民記録 CSV を中央台帳に取り込む",
        description="住民記録システムの CSV（UTF-8 または Shift_JIS/CP932、見出し行あり）"
        "を取り込みます。誤りのある行は行番号とコードを示して読み飛ばし、同じ"
        "ファイルの再取込では差分だけを反映します。列: 宛名番号, 氏名, カナ, 生年月日,"
        " 性別, 住所, 世帯番号, 続柄, 個人番号, 異動事由, 異動日。",
    )
    _dir(p)
    p.add_argument("csv", type=Path, metavar="FILE.csv", help="住民記録 CSV")
    p.add_argument("--json", action="store_true", help="結果を JSON で出力する")
    p.set_defaults(func=_import_residents)

    p = hs.add_parser(
        "import-masters",
        help="医療機関・ワクチン・ロットのマスタ CSV を取り込み、全端末に配信する",
        description="マスタ CSV（UTF-8 または Shift_JIS/CP932、見出し行あり）を取り込みます。"
        "列: 種別（医療機関・ワクチン・ロット）, コード, 名称, カナ, 住所, 電話, メーカー,"
        " ロット番号, 有効期限, uid。誤りのある行は行番号とコードを示して読み飛ばし、再取込では"
        "差分だけを反映します。変更したマスタは次の updates で全端末に届きます。",
    )
    _dir(p)
    p.add_argument("csv", type=Path, metavar="FILE.csv", help="マスタ CSV")
    p.add_argument("--json", action="store_true", help="結果を JSON で出力する")
    p.set_defaults(func=_import_masters)

    p = hs.add_parser(
        "ingest",
        help="端末からの changes パッケージを取り込む",
        description="端末の changes パッケージを検証（署名、宛先、通番、監査ログの連続性など）して"
        "中央台帳に反映します。拒否したファイルは HUB/quarantine/ に移し、コードを標準エラー出力に"
        "示します。",
    )
    _dir(p)
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="パッケージ（*.vxpkg）")
    p.add_argument("--json", action="store_true", help="結果を JSON で出力する")
    p.set_defaults(func=_ingest)

    p = hs.add_parser(
        "emit",
        help="端末向けの次のパッケージ（initial / updates）を作る",
        description="端末がまだ確認していない変更、信頼リスト、監査ログ確認（audit_ack）、競合を含む"
        "次のパッケージを作成します。まだ何も送っていない端末には initial（全件）を作ります。",
    )
    _dir(p)
    p.add_argument("--terminal", required=True, metavar="ID", help="端末の ID")
    p.add_argument("--out", type=Path, required=True, metavar="FOLDER", help="出力フォルダ")
    p.set_defaults(func=_emit)

    p = hs.add_parser(
        "status",
        help="端末ごとの送受信状況、隔離、競合、監査ログの先頭",
        description="端末ごとの通番、未確認件数、最終接続、隔離・競合件数を表示します。",
    )
    _dir(p)
    p.add_argument("--json", action="store_true", help="JSON で出力する")
    p.set_defaults(func=_status)

    p = hs.add_parser(
        "backup",
        help="組込みデータベースの暗号化バックアップ",
        description="組込みデータベースを同じ鍵で暗号化したまま複製します"
        "（PostgreSQL は pg_dump 等を使います）。",
    )
    _dir(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="出力ファイル")
    p.set_defaults(func=_backup)


def _init(args: argparse.Namespace) -> int:
    from app.hub.hub import init_hub

    hub = init_hub(args.dir, args.id, database_url=args.database, atena_width=args.atena_width)
    try:
        print(
            f"ハブを作成しました: {args.dir}（ID {hub.hub_id}、{hub.config.engine}、信頼リスト v1）"
        )
        print(f"サーバーの公開鍵: {hub.layout.keys_dir / (hub.hub_id + '.pub.json')}")
        print(
            f"鍵ファイル {hub.layout.key_file} は所有者だけが読めます。安全な場所に控えを保管してください。"
        )
    finally:
        hub.close()
    return 0


def _terminal_add(args: argparse.Namespace) -> int:
    from app.hub.hub import add_terminal, opened

    with opened(args.dir) as hub:
        version = add_terminal(hub, args.pub)
    print(f"端末を登録しました（信頼リスト v{version}）")
    return 0


def _terminal_revoke(args: argparse.Namespace) -> int:
    from app.hub.hub import opened, revoke_terminal

    with opened(args.dir) as hub:
        version = revoke_terminal(hub, args.terminal_id)
    print(f"端末 {args.terminal_id} の鍵を失効させました（信頼リスト v{version}）")
    return 0


def _report_import(args: argparse.Namespace, result: Any) -> int:
    """The skipped rows on stderr and the totals (or ``--json``) of an import-residents or
    import-masters run; exit 1 when rows were skipped."""
    for err in result.errors:
        print(f"{err.code}: {err.line}行目（{err.column}）を読み飛ばしました", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(
            f"取込 {result.rows:,} 行: 追加 {result.inserted:,}、更新 {result.updated:,}、"
            f"変更なし {result.unchanged:,}、誤り {result.rejected:,}"
        )
    return 1 if result.errors else 0


def _import_residents(args: argparse.Namespace) -> int:
    from app.hub.hub import opened
    from app.hub.residents import import_residents

    with opened(args.dir) as hub:
        return _report_import(args, import_residents(hub, args.csv))


def _import_masters(args: argparse.Namespace) -> int:
    from app.hub.hub import opened
    from app.hub.masters import import_masters

    with opened(args.dir) as hub:
        return _report_import(args, import_masters(hub, args.csv))


def _ingest(args: argparse.Namespace) -> int:
    from app.hub.hub import opened
    from app.hub.ingest import ingest_files

    with opened(args.dir) as hub:
        results = ingest_files(hub, list(args.files))
    for r in results:
        if not r.ok:
            if r.code == "E_HUB_FILE_MISSING":
                print(f"{r.code}: {r.file} が見つかりません", file=sys.stderr)
            else:
                print(f"{r.code}: {r.file} を拒否し、隔離フォルダに移しました", file=sys.stderr)
    if args.json:
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False))
    else:
        for r in results:
            if r.ok:
                state = "取込済み（変更なし）" if r.code == "ALREADY_IMPORTED" else "取込"
                print(
                    f"{r.file}: {state} 端末 {r.terminal} #{r.sequence} 反映 {r.applied:,} 件、"
                    f"競合 {r.conflicts} 件、レコード隔離 {r.quarantined} 件"
                )
    return 0 if all(r.ok for r in results) else 65


def _emit(args: argparse.Namespace) -> int:
    from app.hub.emit import emit
    from app.hub.hub import opened

    with opened(args.dir) as hub:
        result = emit(hub, args.terminal, args.out)
    total = sum(result.records.values())
    print(
        f"{result.path}: {result.kind} #{result.sequence}、レコード {total:,} 件、競合 {result.conflicts} 件"
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    from app.hub.hub import opened, status

    with opened(args.dir) as hub:
        info = status(hub)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(
        f"ハブ {info['hub']}（{info['engine']}）信頼リスト v{info['trust_version']}、"
        f"住民 {info['residents']:,} 人、台帳位置 {info['register_position']:,}"
    )
    print(
        f"隔離 {info['quarantined']} 件、競合 {info['conflicts']} 件、"
        f"セキュリティイベント {info['security_events']} 件"
    )
    m = info["masters"]
    print(
        f"マスタ: 医療機関 {m['institution']:,}、ワクチン {m['vaccine']:,}、ロット {m['lot']:,}"
        f"　仮登録の個人番号（端末で入力、住民記録で未確認） {info['provisional_numbers']:,} 件"
    )
    for t in info["terminals"]:
        state = "失効" if t["revoked_at"] else "有効"
        print(
            f"  {t['id']} [{state}] 受信 #{t['last_received_sequence']} 送信 #{t['last_sent_sequence']}"
            f"（確認済 #{t['acknowledged_sequence']}、未確認 {t['unacknowledged_changes']:,} 件）"
            f" 最終接続 {t['last_contact'] or '-'} 監査 #{t['audit_head']['seq']}"
        )
    for q in info["quarantine_list"][-10:]:
        print(f"  隔離 {q['at']} {q['code']} 端末 {q['terminal'] or '-'} {q['file']}")
    for c in info["conflict_list"][-10:]:
        print(f"  競合 {c['type']} {c['uid']}: 採用 {c['kept_origin']} / 保留 {c['other_origin']}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from app.hub.hub import backup, opened

    with opened(args.dir) as hub:
        backup(hub, args.out)
    print(f"バックアップを作成しました: {args.out}（同じ鍵ファイルで開けます）")
    return 0
