"""`vaxdesk package keygen|trust|build|inspect|open`: sync packages from the command line.

Scriptable by the server side: every command has ``--help``, prints results on stdout, and on
failure prints the stable code first on stderr (``E_SIGNATURE: …``) and exits non-zero (65 for a
refused package, trust or key file). See schemas/README.md for the format and a worked example.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.errors import InvalidInput


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "package",
        help="同期パッケージ（鍵・信頼リスト・作成・検査・取込）",
        description="同期パッケージ v1（PACKAGE-FORMAT.md）の鍵生成・信頼リスト作成・作成・検査・検証展開。",
    )
    ps = p.add_subparsers(dest="package_command", required=True, metavar="COMMAND")

    k = ps.add_parser(
        "keygen",
        help="鍵ペアを作る",
        description="DIR/ID.pub.json と DIR/ID.key.json（0600）を作ります。",
    )
    k.add_argument("--id", required=True, help="当事者ID（例 192015-T001, 192015-HUB）")
    k.add_argument("--out", required=True, type=Path, help="出力フォルダー")
    k.set_defaults(func=run_keygen)

    t = ps.add_parser(
        "trust",
        help="信頼リスト（trust.json + trust.sig）を作る",
        description="サーバー鍵と端末鍵から署名付き信頼リストを作ります。--previous を指定すると前の版の"
        "当事者を引き継ぎ、版の更新として検証します。サーバー鍵を替えるときは --old-sign-key に前の"
        "サーバー秘密鍵を指定します（旧鍵と新鍵の両方で署名）。",
    )
    t.add_argument("--server", required=True, type=Path, help="サーバーの公開鍵 ID.pub.json")
    t.add_argument(
        "--terminal", nargs="*", default=[], type=Path, help="端末の公開鍵 ID.pub.json（複数可）"
    )
    t.add_argument("--sign-key", required=True, type=Path, help="--server の秘密鍵 ID.key.json")
    t.add_argument("--old-sign-key", type=Path, help="鍵更新時: 前の版のサーバー秘密鍵")
    t.add_argument("--previous", type=Path, help="前の版の信頼リストのフォルダー")
    t.add_argument("--revoke", nargs="*", default=[], metavar="KEY_ID", help="失効させる key_id")
    t.add_argument("--version", required=True, type=int, help="版（前の版より大きい整数）")
    t.add_argument("--valid-days", type=int, default=1825, help="新しい鍵の有効日数（既定 1825）")
    t.add_argument("--out", required=True, type=Path, help="出力フォルダー")
    t.set_defaults(func=run_trust)

    b = ps.add_parser(
        "build",
        help="パッケージを作る",
        description="DIR/records/<type>.jsonl（と任意の DIR/audit/audit.jsonl, DIR/trust/, "
        "DIR/manifest-extra.json）から署名・暗号化したパッケージを作ります。空のフォルダーからは"
        "目録だけのパッケージができます。",
    )
    b.add_argument("--records", required=True, type=Path, help="入力フォルダー")
    b.add_argument("--sender-key", required=True, type=Path, help="送信元の秘密鍵 ID.key.json")
    b.add_argument("--recipient", required=True, type=Path, help="宛先の公開鍵 ID.pub.json")
    b.add_argument("--sequence", required=True, type=int, help="この経路の通番（1 以上）")
    b.add_argument("--ack", type=int, default=0, help="宛先から取込済みの最後の通番（既定 0）")
    b.add_argument("--kind", choices=["changes", "updates", "initial"], default="changes")
    b.add_argument("--days", type=int, default=30, help="有効日数（既定 30）")
    b.add_argument("--out", required=True, type=Path, help="出力ファイル（.vxpkg）")
    b.set_defaults(func=run_build)

    i = ps.add_parser(
        "inspect",
        help="ヘッダーを表示する（鍵不要、未検証）",
        description="ZIP 構造とヘッダーの形式だけを検査して表示します。署名は検証しません。",
    )
    i.add_argument("file", type=Path, help="パッケージ（.vxpkg）")
    i.add_argument("--json", action="store_true", help="JSON で出力する")
    i.set_defaults(func=run_inspect)

    o = ps.add_parser(
        "open",
        help="検証して展開する",
        description="台帳の状態を要しない検査（PACKAGE-FORMAT.md §4、通番以外）をすべて行い、"
        "検証済みの中身を --out に書き出します。失敗時は何も書き出しません。",
    )
    o.add_argument("file", type=Path, help="パッケージ（.vxpkg）")
    o.add_argument("--trust", required=True, type=Path, help="信頼リストのフォルダー")
    o.add_argument("--key", required=True, type=Path, help="受信者（自分）の秘密鍵 ID.key.json")
    o.add_argument("--out", required=True, type=Path, help="出力フォルダー（存在しないか空）")
    o.set_defaults(func=run_open)


def run_keygen(args: argparse.Namespace) -> int:
    from app.sync import generate_keypair, write_key_files

    pair = generate_keypair(args.id)
    pub, key = write_key_files(pair, args.out)
    print(f"key_id {pair.key_id}")
    print(f"public  {pub}")
    print(f"private {key} (0600)")
    return 0


def run_trust(args: argparse.Namespace) -> int:
    from app.sync import (
        PackageError,
        build_trust,
        load_keypair,
        load_public_key,
        make_party,
        read_trust_dir,
        revoke,
        write_trust_dir,
    )
    from app.sync.encoding import utc_now

    now = utc_now()
    until = now + timedelta(days=args.valid_days)
    previous = read_trust_dir(args.previous) if args.previous else None
    parties = list(previous.parties) if previous else []
    known = {(p.id, p.key_id) for p in parties}
    server = load_public_key(args.server)
    signer = load_keypair(args.sign_key)
    if signer.public != server:
        raise PackageError(
            "E_KEY_FILE", "--sign-key が --server の秘密鍵ではありません", step="keys"
        )
    if (server.party_id, server.key_id) not in known:  # a new server key ends the old ones now
        parties = [
            replace(p, valid_until=min(p.valid_until, now)) if p.role == "server" else p
            for p in parties
        ]
    for pub, role in [(server, "server")] + [
        (load_public_key(p), "terminal") for p in args.terminal
    ]:
        if (pub.party_id, pub.key_id) not in known:
            parties.append(make_party(pub, role, now, until))
            known.add((pub.party_id, pub.key_id))
    for kid in args.revoke:
        parties = revoke(parties, kid, now)
    signers = [signer]
    if previous is not None and previous.server().key_id != server.key_id:
        if args.old_sign_key is None:
            raise PackageError(
                "E_TRUST", "サーバー鍵の更新には --old-sign-key が必要です", step="trust"
            )
        signers.insert(0, load_keypair(args.old_sign_key))
    trust = build_trust(args.version, parties, signers, issued_at=now, previous=previous)
    write_trust_dir(trust, args.out)
    print(
        f"trust version {trust.version}: {len(trust.parties)} parties, server key {trust.server().key_id}"
    )
    return 0


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from fh


def run_build(args: argparse.Namespace) -> int:
    from app.sync import build_package, load_keypair, load_public_key, read_trust_dir
    from app.sync.encoding import utc_now

    src: Path = args.records
    if not src.is_dir():
        raise InvalidInput("--records のフォルダーがありません。")
    records_dir = src / "records"
    record_files = sorted(records_dir.glob("*.jsonl")) if records_dir.is_dir() else []
    records = [(p.stem, _lines(p)) for p in record_files]
    audit_path = src / "audit" / "audit.jsonl"
    trust = read_trust_dir(src / "trust") if (src / "trust" / "trust.json").exists() else None
    extra_path = src / "manifest-extra.json"
    extra = json.loads(extra_path.read_text(encoding="utf-8")) if extra_path.exists() else None
    if extra is not None and not isinstance(extra, dict):
        raise InvalidInput("manifest-extra.json は JSON オブジェクトにしてください。")
    created = utc_now()
    built = build_package(
        args.out,
        sender=load_keypair(args.sender_key),
        recipient=load_public_key(args.recipient),
        sequence=args.sequence,
        ack=args.ack,
        kind=args.kind,
        records=records,
        audit=_lines(audit_path) if audit_path.exists() else None,
        trust=trust,
        manifest_extra=extra,
        created_at=created,
        expires_at=created + timedelta(days=args.days),
    )
    print(f"{built.path} package_id {built.package_id} ({built.size} bytes)")
    for f in built.manifest["files"]:
        print(f"  {f['name']}: {f['records']} records, {f['length']} bytes")
    return 0


def run_inspect(args: argparse.Namespace) -> int:
    from app.sync import read_header

    header = read_header(args.file)
    if args.json:
        out = {
            "header": header.fields,
            "header_sha256": header.sha256,
            "file_size": header.layout.file_size,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    f = header.fields
    print("（未検証: 署名は open で検証されます）")
    rows = [
        ("package_id", f["package_id"]),
        ("kind", f["kind"]),
        ("sender", f"{f['sender']['id']} (key {f['sender']['key_id']})"),
        ("recipient", f"{f['recipient']['id']} (key {f['recipient']['key_id']})"),
        ("sequence", f["sequence"]),
        ("ack", f["ack"]),
        ("created_at", f["created_at"]),
        ("expires_at", f["expires_at"]),
        ("payload", f"{f['payload']['length']} bytes, sha256 {f['payload']['sha256']}"),
        ("header_sha256", header.sha256),
    ]
    for name, value in rows:
        print(f"{name:<14}{value}")
    return 0


def run_open(args: argparse.Namespace) -> int:
    from app.sync import load_keypair, open_package, read_trust_dir

    trust = read_trust_dir(args.trust)
    identity = load_keypair(args.key)
    with open_package(args.file, trust=trust, identity=identity) as package:
        written = package.extract_to(args.out)
        h = package.header
        print(f"OK {h.package_id} {h.kind} {h.sender_id} → {h.recipient_id} sequence {h.sequence}")
        for name, entry in package.files.items():
            print(f"  {name}: {entry['records']} records, {entry['length']} bytes")
        print(f"{len(written)} files written to {args.out}")
    return 0
