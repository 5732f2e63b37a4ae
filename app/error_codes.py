"""Every error code VaxDesk reports, with its Japanese message and exit code: the one list.

``VaxDeskError(code="E_X")`` (and every subclass that declares ``code = "E_X"``) takes its
message and exit code from here; a message passed when raising still refines the text (it may
name a field or a limit) but never changes the code or the exit code. Add a code here in its
sorted place when you raise a new one: ``tests/unit/test_error_codes.py`` checks that every
``E_…`` literal under ``app/`` is listed, that every entry is used, and that the README's error
table (``make errors-doc``) is current. Messages never contain personal data.

Exit codes follow BSD ``sysexits.h``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

USAGE: Final = 64  # not raised by VaxDeskError; argparse usage errors exit 2
DATA: Final = 65  # EX_DATAERR: bad input
NO_INPUT: Final = 66  # EX_NOINPUT: not found
SOFTWARE: Final = 70  # EX_SOFTWARE: internal error
IO: Final = 74  # EX_IOERR: register / file cannot be used
TEMP_FAIL: Final = 75  # EX_TEMPFAIL: cancelled, can be retried
NO_PERM: Final = 77  # EX_NOPERM: permission or authentication refused
CONFIG: Final = 78  # EX_CONFIG: installation or settings


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    exit_code: int
    message_ja: str


# One line per code reads as a table (code, exit code, message); the formatter would break the
# long Japanese messages over four lines each, so this table alone keeps its hand layout.
# fmt: off
_TABLE: Final[dict[str, tuple[int, str]]] = {
    "E_AREA_NAME":                  (DATA,      "地区名は30文字以内で入力してください。"),
    "E_AREA_UNKNOWN":               (DATA,      "その地区コードは台帳にありません。"),
    "E_ATENA":                      (DATA,      "宛名番号に誤りがあります。"),
    "E_ATENA_LENGTH":               (DATA,      "宛名番号の桁数が違います。"),
    "E_ATENA_NOT_DIGITS":           (DATA,      "宛名番号は数字で入力してください（数字以外の文字が含まれています）。"),
    "E_ATTEMPTS_FILE_TAMPERED":     (IO,        "ログイン失敗回数の記録が削除・破損・改ざんされていました。ロック中のユーザーはロックを続け、セキュリティ事象として記録します。"),
    "E_AUDIT_CHAIN":                (IO,        "端末の監査ログが前回確認した続きになっていません（切り詰めまたは改ざんの疑い）。パッケージは取り込まず隔離しました。管理者に連絡してください。"),
    "E_AUDIT_DATE_RANGE":           (DATA,      "期間の開始日が終了日より後になっています。"),
    "E_AUTH":                       (NO_PERM,   "認証に失敗しました。"),
    "E_AUTH_LOCKED":                (NO_PERM,   "ログインに続けて失敗したため、このユーザーは一時的にロックされています。15分後に再度お試しいただくか、管理者に連絡してください。"),
    "E_AUTH_ROLES_MISMATCH":        (NO_PERM,   "利用者の役割が鍵ファイルの登録内容と一致しないため、ログインできません。管理者に連絡してください。"),
    "E_AUTH_UNKNOWN_USER":          (NO_PERM,   "ユーザー名またはパスワードが正しくありません。"),
    "E_AUTH_USER_INACTIVE":         (NO_PERM,   "このユーザーは無効化されています。管理者に連絡してください。"),
    "E_AUTH_WRONG_PASSWORD":        (NO_PERM,   "ユーザー名またはパスワードが正しくありません。"),
    "E_BACKUP_EXISTS":              (DATA,      "出力先のファイルが既にあります。別のファイル名を指定してください。"),
    "E_CANCELLED":                  (TEMP_FAIL, "操作を中止しました。"),
    "E_CATALOG_INVALID":            (CONFIG,    "ワクチンカタログの内容に誤りがあります。管理者に連絡してください。"),
    "E_CATALOG_PREVIEW_STALE":      (DATA,      "カタログの内容が確認した時点から変わっています。もう一度読み込んで差分を確認してください。"),
    "E_CONFIG":                     (CONFIG,    "設定に誤りがあります。"),
    "E_CORRECT_FIELDS":             (DATA,      "訂正できない項目が含まれています。"),
    "E_CORRECT_REASON":             (DATA,      "訂正の理由を入力してください。"),
    "E_DATE_ERA_RANGE":             (DATA,      "明治元年（1868年10月23日）より前の日付は扱えません。"),
    "E_DATE_FORMAT":                (DATA,      "日付の形式が正しくありません。2025-04-10、2025/4/10、20250410、R7.4.10、令和7年4月10日（元年も可） のいずれかの形式で入力してください。"),
    "E_DATE_INVALID":               (DATA,      "存在しない日付です。年・月・日を確認してください。"),
    "E_DECRYPT":                    (DATA,      "パッケージを復号できません。"),
    "E_DEMO_PERSONS":               (DATA,      "住民数は1以上を指定してください。"),
    "E_DEMO_RESET_NOT_DEMO":        (DATA,      "このフォルダの台帳はデモ台帳ではないため、作り直しません。台帳は変更していません。"),
    "E_EXPIRED":                    (DATA,      "パッケージの有効期限が切れています。"),
    "E_EXPORT_CANCELLED":           (TEMP_FAIL, "出力を中止しました。ファイルは作成されていません。"),
    "E_FIDO_BAD_SIGNATURE":         (NO_PERM,   "セキュリティキーの署名を確認できませんでした。登録されたキーか確認し、解決しない場合は管理者に連絡してください。"),
    "E_FIDO_CANCELLED":             (NO_PERM,   "セキュリティキーの操作が取り消されたか、時間切れになりました。"),
    "E_FIDO_CHALLENGE_MISMATCH":    (NO_PERM,   "セキュリティキーの応答が今回の要求と一致しません。もう一度お試しください。"),
    "E_FIDO_DEVICE":                (NO_PERM,   "セキュリティキーとの通信に失敗しました。キーを挿し直してもう一度お試しください。"),
    "E_FIDO_ENROLLMENT_INVALID":    (NO_PERM,   "保存されているセキュリティキーの登録情報が壊れています。管理者に連絡してください。"),
    "E_FIDO_NO_DEVICE":             (NO_PERM,   "セキュリティキーが見つかりません。キーを接続してから、もう一度お試しください。"),
    "E_FIDO_NO_PRF":                (NO_PERM,   "このセキュリティキーは必要な機能（hmac-secret / PRF）に対応していません。対応したキーを使ってください。"),
    "E_FIDO_PIN":                   (NO_PERM,   "セキュリティキーのPINが正しくありません。もう一度入力してください。"),
    "E_FIDO_REQUIRED":              (NO_PERM,   "この鍵スロットにはセキュリティキーが登録されていません。管理者に連絡してください。"),
    "E_FIDO_RP_MISMATCH":           (NO_PERM,   "このセキュリティキーの応答は本システム向けではありません。管理者に連絡してください。"),
    "E_FIDO_SIGN_COUNT":            (NO_PERM,   "セキュリティキーの使用回数が正しくありません。キーが複製された可能性があります。このキーは使わず、管理者に連絡してください。"),
    "E_FIDO_SOFTWARE_REFUSED":      (NO_PERM,   "ソフトウェア認証器（デモ用）は実台帳では登録できません。セキュリティキーまたは Windows Hello を使用してください。"),
    "E_FIDO_SYNCED_REFUSED":        (NO_PERM,   "同期されるパスキー（クラウドにバックアップされる資格情報）は登録できません。この端末専用のセキュリティキーを使用するか、管理者に設定の確認を依頼してください。"),
    "E_FIDO_UNKNOWN_CREDENTIAL":    (NO_PERM,   "このセキュリティキーはこの利用者に登録されていません。ご自身のキーを使ってください。"),
    "E_FIDO_UP_MISSING":            (NO_PERM,   "セキュリティキーへのタッチが確認できませんでした。もう一度お試しください。"),
    "E_FIDO_UV_MISSING":            (NO_PERM,   "本人確認（指紋またはPIN）が行われませんでした。指紋またはPINで確認できるセキュリティキーを使ってください。"),
    "E_FILE_BUSY":                  (IO,        "台帳フォルダのファイルを別の処理が使用中です。しばらく待ってから、もう一度お試しください。"),
    "E_FORM":                       (DATA,      "入力内容に誤りがあります。"),
    "E_HEADER":                     (DATA,      "パッケージの形式またはヘッダーが不正です。"),
    "E_HISTORY_INVALID":            (DATA,      "接種歴ファイルを読み込めません。形式を確認してください。"),
    "E_HUB":                        (IO,        "ハブの処理に失敗しました。"),
    "E_HUB_ATENA_WIDTH":            (DATA,      "宛名番号の桁数は4〜20で指定してください。"),
    "E_HUB_BACKUP":                 (DATA,      "バックアップの検証に失敗しました。"),
    "E_HUB_BACKUP_ENGINE":          (DATA,      "PostgreSQL のハブは PostgreSQL のバックアップ機能（pg_dump 等）を使ってください。"),
    "E_HUB_BACKUP_EXISTS":          (DATA,      "出力先のファイルが既にあります。上書きしません。"),
    "E_HUB_CONFIG":                 (CONFIG,    "ハブの設定に誤りがあります。"),
    "E_HUB_DATABASE":               (IO,        "ハブのデータベースを開けませんでした。"),
    "E_HUB_DATABASE_URL":           (DATA,      "不明なデータベースエンジンです。"),
    "E_HUB_DUPLICATE_LOT":          (DATA,      "同じワクチン・ロット番号のロットが別のレコードとして登録済みのため、個別に保留しました。"),
    "E_HUB_EXISTS":                 (DATA,      "鍵ファイルが既にあります。上書きしません。"),
    "E_HUB_FILE_MISSING":           (DATA,      "指定のパッケージファイルがありません。"),
    "E_HUB_ID":                     (DATA,      "サーバー鍵の ID がハブの ID と一致しません。"),
    "E_HUB_INPUT":                  (DATA,      "入力内容に誤りがあります。"),
    "E_HUB_KEYFILE":                (DATA,      "ハブの鍵ファイルの内容が不正です。"),
    "E_HUB_KEYFILE_MISSING":        (DATA,      "ハブの鍵ファイル（hub.key）が見つかりません。鍵ファイルがなければ開けません。"),
    "E_HUB_KEYFILE_MODE":           (DATA,      "ハブの鍵ファイルが所有者以外からも読める設定です。権限を 600 にしてください。"),
    "E_HUB_MISMATCH":               (DATA,      "hub.json とデータベースのハブ ID が一致しません。"),
    "E_HUB_MISSING":                (IO,        "指定のフォルダにハブがありません。先に vaxdesk hub init を実行してください。"),
    "E_HUB_NOT_ENCRYPTED":          (DATA,      "暗号化されていないデータベースです。ハブのデータベースではないため開きません。"),
    "E_HUB_NUMBER_CONFLICT":        (DATA,      "ハブが保持する個人番号（住民記録または先に仮登録されたもの）と異なるため、個別に保留し、競合として端末に返しました。"),
    "E_HUB_NUMBER_DUPLICATE":       (DATA,      "この個人番号はハブで別の住民に登録されているため、個別に保留しました。"),
    "E_HUB_NUMBER_INVALID":         (DATA,      "個人番号のチェックデジットが一致しないため、個別に保留しました。"),
    "E_HUB_ORIGIN":                 (DATA,      "送信元の端末と異なる作成元のレコードのため、個別に保留しました。"),
    "E_HUB_SCHEMA_NEWER":           (IO,        "ハブのデータベースはこのプログラムより新しい版で作られています。プログラムを更新してください。データベースは変更していません。"),
    "E_HUB_SERVER_OWNED":           (DATA,      "サーバーが管理するレコード（住民・個人番号・医療機関など）は端末から変更できないため、個別に保留しました。"),
    "E_HUB_TERMINAL_EXISTS":        (DATA,      "この ID の端末（またはサーバー）は既に登録されています。"),
    "E_HUB_TERMINAL_REVOKED":       (DATA,      "この端末は既に失効しています。"),
    "E_HUB_UNKNOWN_PERSON":         (DATA,      "ハブに登録されていない住民のレコードのため、個別に保留しました。"),
    "E_HUB_UNKNOWN_TERMINAL":       (NO_INPUT,  "指定の端末はハブに登録されていません。"),
    "E_HUB_UNKNOWN_VACCINE":        (DATA,      "ハブのワクチンマスタにない製品のロットのため、個別に保留しました。"),
    "E_INTERNAL":                   (SOFTWARE,  "内部エラーが発生しました。管理者に連絡してください。"),
    "E_INVALID_DATE":               (DATA,      "日付が正しくありません。YYYY-MM-DD の形式で入力してください。"),
    "E_INVALID_INPUT":              (DATA,      "入力内容に誤りがあります。"),
    "E_ISSUANCE_INVALID":           (DATA,      "入力内容に誤りがあります。"),
    "E_ISSUANCE_NUMBERS":           (DATA,      "発行番号の上限に達しました。"),
    "E_ISSUANCE_TYPE":              (DATA,      "発行する書類の種類が正しくありません。"),
    "E_KANA_EMPTY":                 (DATA,      "検索するカナを入力してください。"),
    "E_KEYRING_UNAVAILABLE":        (CONFIG,    "安全な資格情報ストア（Windows 資格情報マネージャー等）が利用できません。この端末では台帳を開けません。システム管理者に端末の設定を依頼してください。"),
    "E_KEYSLOTS_DAMAGED":           (IO,        "鍵ファイル (keyslots.json) を読み取れません。管理者がバックアップ (keyslots.json.bak) の確認を行ってください。台帳は変更していません。"),
    "E_KEYSLOTS_MISSING":           (IO,        "鍵ファイル (keyslots.json) が見つかりません。台帳フォルダの指定を確認してください。"),
    "E_KEYSLOTS_NEWER":             (IO,        "鍵ファイルが新しい形式です。VaxDesk を更新してください。"),
    "E_KEYSLOT_REVOKED":            (NO_PERM,   "ログイン中にこの鍵が削除または変更されました。ログインできません。必要であれば管理者に連絡してください。"),
    "E_KEYSLOT_SIGN_COUNT":         (NO_PERM,   "鍵ファイルのセキュリティキー使用回数が書き換えられています。ログインを中止しました。管理者に連絡してください（キーの複製のおそれがあります）。"),
    "E_KEYS_LIMIT":                 (DATA,      "セキュリティキーは1人2本までです。"),
    "E_KEY_FILE":                   (DATA,      "鍵ファイルが不正です。"),
    "E_KEY_REVOKED":                (DATA,      "送信元の鍵は失効しているか有効期間外です。"),
    "E_LAST_KEY":                   (DATA,      "最後のセキュリティキーは削除できません。利用停止には「無効化」を使ってください。"),
    "E_LOGIN_EMPTY":                (DATA,      "ユーザー名とパスワードを入力してください。"),
    "E_LOGIN_EMPTY_PASSWORD":       (DATA,      "パスワードを入力してください。"),
    "E_LOGIN_EMPTY_USER":           (DATA,      "ユーザー名を入力してください。"),
    "E_LOGIN_TAKEN":                (DATA,      "このユーザー名または職員番号は既に使われています。"),
    "E_MANIFEST":                   (DATA,      "パッケージの内容が目録（マニフェスト）と一致しません。"),
    "E_MASTER_CODE":                (DATA,      "コードの形式が正しくありません（医療機関コードは1〜20桁の数字、ワクチン・ロットは製品ID）。"),
    "E_MASTER_COLUMNS":             (DATA,      "列の数が見出し行と一致しません。"),
    "E_MASTER_CSV":                 (DATA,      "マスタCSVの1行目を読み取れません。"),
    "E_MASTER_DATE":                (DATA,      "有効期限の日付が正しくありません。"),
    "E_MASTER_DUPLICATE":           (DATA,      "同じマスタ（種別とコード、ロットは製品IDとロット番号）の行がファイル内に複数あります。"),
    "E_MASTER_ENCODING":            (DATA,      "マスタCSVの文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"),
    "E_MASTER_HEADER":              (DATA,      "マスタCSVの見出し行に必要な列がありません: …"),
    "E_MASTER_KIND":                (DATA,      "種別は 医療機関・ワクチン・ロット のいずれかを指定してください。"),
    "E_MASTER_REQUIRED":            (DATA,      "必須の項目が空欄です。"),
    "E_MASTER_TEXT":                (DATA,      "項目が長すぎるか、改行などの使えない文字を含んでいます。"),
    "E_MASTER_UID":                 (DATA,      "uid の形式が正しくないか、ハブの別のマスタ・ファイル内の別の行と重複しています。"),
    "E_MASTER_UNKNOWN_VACCINE":     (DATA,      "ロットのワクチン（製品ID）がファイルにもハブのワクチンマスタにもありません。"),
    "E_MASTER_UNUSED":              (DATA,      "この種別では使わない列に値があります。"),
    "E_MEDIA_APPROVER":             (DATA,      "承認者の職員番号が登録されていないか、作業者本人です。別の登録職員の職員番号を入力してください。"),
    "E_MEDIA_NOT_ACKNOWLEDGED":     (DATA,      "このパッケージはまだサーバーの受領確認がありません。確認後に媒体から消去してください。"),
    "E_MIGRATION_FAILED":           (IO,        "台帳の更新（移行）に失敗しました。台帳は移行前の状態のままです。管理者に連絡してください。"),
    "E_MUNICIPALITY":               (DATA,      "地方公共団体コードに誤りがあります。"),
    "E_MUNICIPALITY_CHECK_DIGIT":   (DATA,      "地方公共団体コードの検査数字が一致しません。コードを確認してください。"),
    "E_MUNICIPALITY_LENGTH":        (DATA,      "地方公共団体コードは検査数字を含む6桁で入力してください（桁数が違います）。"),
    "E_MUNICIPALITY_NOT_DIGITS":    (DATA,      "地方公共団体コードは数字で入力してください。"),
    "E_MYNUMBER":                   (DATA,      "個人番号に誤りがあります。"),
    "E_MYNUMBER_CHECK_DIGIT":       (DATA,      "個人番号のチェックデジットが一致しません。番号を確認して入力し直してください。"),
    "E_MYNUMBER_DECRYPT":           (IO,        "個人番号を復号できませんでした。管理者に連絡してください。"),
    "E_MYNUMBER_DUPLICATE":         (DATA,      "この個人番号は別の住民に登録されています。照合を確認してください。"),
    "E_MYNUMBER_LENGTH":            (DATA,      "個人番号は12桁の数字で入力してください（桁数が違います）。"),
    "E_MYNUMBER_NOT_DIGITS":        (DATA,      "個人番号は数字で入力してください。"),
    "E_NOTHING_DUE":                (DATA,      "現在接種できる予防接種がないため、予診票を作成しませんでした。"),
    "E_NOT_FOUND":                  (NO_INPUT,  "該当するデータがありません。"),
    "E_NO_HISTORY":                 (DATA,      "接種記録がないため、予防接種済証を作成できません。"),
    "E_NO_PASSWORD":                (SOFTWARE,  "パスワードを入力できません。端末から実行するか VAXDESK_PASSWORD を設定してください。"),
    "E_NO_RECOVERY_CODE":           (NO_PERM,   "回復コードを入力できません。端末から実行するか VAXDESK_RECOVERY_CODE を設定してください。"),
    "E_NUMBER_GRANT_NEEDS_HOLDER":  (NO_PERM,   "番号利用事務の権限を付与するには、番号利用事務担当者のログイン（または回復コード）が必要です。"),
    "E_OFFICE_ADDRESS":             (DATA,      "窓口の住所を入力してください。"),
    "E_OFFICE_INVALID":             (DATA,      "窓口の設定内容に誤りがあります。"),
    "E_OFFICE_NAME":                (DATA,      "窓口の名称を入力してください。"),
    "E_OFFICE_NOT_SET":             (CONFIG,    "個別通知に載せる窓口の名称・住所・電話番号が台帳に設定されていません。管理者が「管理 → 窓口の設定」で設定してから印刷してください（コマンドでは vaxdesk settings office）。"),
    "E_OFFICE_PHONE":               (DATA,      "窓口の電話番号を 03-1234-5678 のように10〜11桁で入力してください。"),
    "E_OUTPUT":                     (DATA,      "出力先に書き込めません。"),
    "E_PACKAGE":                    (DATA,      "パッケージを処理できません。"),
    "E_PASSWORD_MISMATCH":          (DATA,      "パスワードが一致しません。"),
    "E_PASSWORD_TOO_SHORT":         (DATA,      "パスワードが短すぎます。"),
    "E_PAYMENT_MONTH":              (DATA,      "入力内容に誤りがあります。"),
    "E_PERMISSION":                 (NO_PERM,   "この操作を行う権限がありません。"),
    "E_PERSON_NOT_FOUND":           (NO_INPUT,  "指定された宛名番号の住民が見つかりません。"),
    "E_POSTPONE_REASON":            (DATA,      "見合わせの理由を入力してください。"),
    "E_PRINT_CANCELLED":            (TEMP_FAIL, "印刷を中止しました。ファイルは作成されていません。"),
    "E_PRINT_DATE":                 (DATA,      "作成日が生年月日より前です。"),
    "E_PRINT_DOSE_NOT_ON_FORM":     (DATA,      "予診票の接種回数が様式にありません。"),
    "E_PRINT_DOSE_UNKNOWN":         (DATA,      "予診票の接種回数を決められません。"),
    "E_PRINT_FONT":                 (CONFIG,    "印刷用フォントが見つかりません。アプリを再インストールしてください。"),
    "E_PRINT_FORM":                 (CONFIG,    "帳票定義を読み込めません。アプリを再インストールしてください。"),
    "E_PRINT_ISSUANCE":             (DATA,      "交付番号は英数字とハイフン20文字以内で指定してください。"),
    "E_PRINT_MONTH":                (DATA,      "支払月は YYYY-MM の形式で指定してください。"),
    "E_PRINT_MUNICIPALITY":         (CONFIG,    "台帳に市町村名・市町村コードが設定されていません。管理者に連絡してください。"),
    "E_PRINT_MYNUMBER":             (DATA,      "印刷データに12桁の番号が含まれています。個人番号は印刷できません。"),
    "E_PRINT_NO_PERSON":            (DATA,      "接種券を印刷する住民を指定してください。"),
    "E_PRINT_OUT_DIR":              (DATA,      "出力先のフォルダがありません。"),
    "E_PRINT_OUT_NAME":             (DATA,      "出力ファイル名は .pdf で指定してください。"),
    "E_PRINT_SERIES":               (DATA,      "予診票の様式がない接種種類です。"),
    "E_PRINT_SEX":                  (DATA,      "性別の値が正しくありません。"),
    "E_PRINT_SPLIT":                (DATA,      "分割数は1以上で指定してください。"),
    "E_PRINT_START_CELL":           (DATA,      "開始位置が用紙の範囲外です。"),
    "E_PRINT_VOUCHER_CODE":         (DATA,      "券種・回数コードは1桁の数字です。"),
    "E_PRINT_YEAR":                 (DATA,      "年度は西暦4桁で指定してください（例: 2025）。"),
    "E_RECORD_SCHEMA":              (DATA,      "パッケージ内のレコードが規定の形式に適合しません。"),
    "E_RECOVERY_CODE_FORMAT":       (NO_PERM,   "回復コードの形式が正しくありません。5文字ずつ6組（計30文字）を入力してください。"),
    "E_RECOVERY_CODE_WRONG":        (NO_PERM,   "回復コードが正しくありません。"),
    "E_RECOVERY_NOT_ADMIN":         (NO_PERM,   "端末の再登録は管理者のユーザーで行ってください。"),
    "E_RECOVERY_NO_SLOT":           (NO_PERM,   "回復用の鍵がありません。"),
    "E_REGISTER":                   (IO,        "台帳を開けませんでした。"),
    "E_REGISTER_DAMAGED":           (IO,        "台帳ファイルを読み取れません。ファイルが破損しているか、別の台帳の鍵です。ファイルは変更していません。バックアップからの復元を管理者に依頼してください。"),
    "E_REGISTER_EXISTS":            (IO,        "指定のフォルダには既に台帳があります。既存の台帳は上書きしません。"),
    "E_REGISTER_KEYSLOTS_MISMATCH": (IO,        "鍵ファイルと台帳ファイルが対応していません。台帳フォルダの中身を確認してください。"),
    "E_REGISTER_MISSING":           (CONFIG,    "台帳ファイルが見つかりません。フォルダの指定を確認してください。"),
    "E_REGISTER_NOT_ENCRYPTED":     (IO,        "暗号化されていないデータベースです。VaxDesk の台帳ではないため開きません。"),
    "E_REGISTER_NOT_GIVEN":         (CONFIG,    "台帳フォルダを --register または VAXDESK_REGISTER で指定してください。"),
    "E_REGISTER_NOT_VAXDESK":       (IO,        "このファイルは VaxDesk の台帳ではありません。ファイルは変更していません。"),
    "E_REGISTER_SCHEMA_NEWER":      (IO,        "この台帳は新しいバージョンの VaxDesk で作成・更新されています。VaxDesk を更新してから開いてください。台帳は変更していません。"),
    "E_REISSUE_REASON":             (DATA,      "この書類は今年度すでに発行されています。再発行の理由を選択してください。"),
    "E_REKEY_BUSY":                 (TEMP_FAIL, "他の利用者またはプログラムが台帳を開いているため、鍵の更新を行えません。全員がログアウトしてから、もう一度お試しください。台帳は変更していません。"),
    "E_REKEY_SLOTS_NOT_READY":      (DATA,      "鍵の更新の準備ができていない鍵があります。すべての利用者が一度ログインしてから（回復用の鍵は回復コードを一度使ってから）、もう一度お試しください。台帳は変更していません。"),
    "E_REPLAY":                     (DATA,      "同じパッケージIDで内容の異なるパッケージです（再送攻撃の疑い）。"),
    "E_REPORT_EMPTY":               (DATA,      "この支払月に計上する接種記録がありません。"),
    "E_RESIDENT_COLUMNS":           (DATA,      "列の数が見出し行と一致しません。"),
    "E_RESIDENT_CSV":               (DATA,      "住民CSVの1行目を読み取れません。"),
    "E_RESIDENT_DATE":              (DATA,      "日付が正しくありません（形式・存在しない日・未来の日付・生年月日より前）。"),
    "E_RESIDENT_DUPLICATE":         (DATA,      "同じ宛名番号の行がファイル内に複数あります。"),
    "E_RESIDENT_ENCODING":          (DATA,      "住民CSVの文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"),
    "E_RESIDENT_EVENT":             (DATA,      "異動事由は 転入・転出・死亡・氏名変更 のいずれかを指定してください。"),
    "E_RESIDENT_HEADER":            (DATA,      "住民CSVの見出し行に必要な列がありません: …"),
    "E_RESIDENT_HOUSEHOLD":         (DATA,      "世帯番号は1〜20桁の数字で指定してください。"),
    "E_RESIDENT_KANA":              (DATA,      "カナ氏名はかなで入力してください。"),
    "E_RESIDENT_REQUIRED":          (DATA,      "必須の項目が空欄です。"),
    "E_RESIDENT_SEX":               (DATA,      "性別は 男・女（または 1・2、M・F）で指定してください。"),
    "E_RESIDENT_TEXT":              (DATA,      "項目が長すぎるか、改行などの使えない文字を含んでいます。"),
    "E_RESTORE_REJECTED":           (IO,        "バックアップファイルを検証できませんでした。台帳は変更していません。"),
    "E_RESTORE_SOURCE":             (DATA,      "バックアップファイルを安全に読み取れません（通常のファイルを指定してください）。台帳は変更していません。"),
    "E_RESULT_BEFORE_BIRTH":        (DATA,      "接種日が生年月日より前です。"),
    "E_RESULT_DATE":                (DATA,      "接種日が正しくありません。"),
    "E_RESULT_FUTURE_DATE":         (DATA,      "接種日が未来の日付です。"),
    "E_RESULT_INSTITUTION":         (DATA,      "医療機関コードが見つかりません。"),
    "E_RESULT_INVALID":             (DATA,      "入力内容に誤りがあります。"),
    "E_RESULT_NEEDS_REASON":        (DATA,      "確認が必要な点があります。内容を確認し、登録する理由を入力してください。"),
    "E_RESULT_PRODUCT":             (DATA,      "ワクチン（製品）が正しくありません。"),
    "E_RESULT_PRODUCT_SERIES":      (DATA,      "このワクチンはこの種類の接種に使えません。"),
    "E_RESULT_SERIES":              (DATA,      "予防接種の種類が正しくありません。"),
    "E_RETENTION_CONFIRM":          (DATA,      "確認した件数が消去対象の件数と一致しません。消去は行っていません。"),
    "E_RETENTION_DATE":             (DATA,      "基準日に未来の日付は指定できません。"),
    "E_RETENTION_POLICY":           (DATA,      "保存期間の設定に誤りがあります。設定は変更していません。"),
    "E_RETENTION_PREVIEW_STALE":    (DATA,      "消去対象が確認した時点から変わっています。もう一度対象を確認してください。消去は行っていません。"),
    "E_REVEAL_REASON":              (DATA,      "個人番号を表示する理由を選択してください（「その他」の場合は内容も入力）。"),
    "E_ROLE_UNKNOWN":               (DATA,      "存在しない役割が指定されています。"),
    "E_ROLLBACK":                   (DATA,      "取込済みの通番より古いパッケージです。"),
    "E_SCAN_FORMAT":                (DATA,      "読み取った番号が正しくありません。"),
    "E_SCAN_MUNICIPALITY":          (DATA,      "読み取った接種券は、この台帳の市町村のものではありません。"),
    "E_SCAN_VOIDED":                (DATA,      "この番号の書類は取り消されています。この用紙では結果を入力できません。発行履歴を確認してください。"),
    "E_SEARCH_ATENA":               (DATA,      "宛名番号は数字で入力してください。"),
    "E_SEARCH_EMPTY":               (DATA,      "検索する内容（カナ氏名、宛名番号、生年月日）を入力してください。"),
    "E_SEARCH_UNRECOGNISED":        (DATA,      "検索内容を読み取れません。カナ氏名（例: ヤマダ）、宛名番号（数字）、生年月日（例: R7.4.10、2025-04-10）のいずれかを入力してください。"),
    "E_SELF_DEACTIVATE":            (DATA,      "自分自身を無効化することはできません。"),
    "E_SEQUENCE_GAP":               (DATA,      "パッケージの通番が飛んでいます。"),
    "E_SERIES_UNKNOWN":             (DATA,      "予防接種の種類が正しくありません。"),
    "E_SIGNATURE":                  (DATA,      "パッケージの署名を検証できません。"),
    "E_SYNC_CONFLICT":              (DATA,      "この競合はその方法では解決できません。"),
    "E_SYNC_CONSTRAINT":            (DATA,      "受信したレコードが台帳の制約に合わないため、個別に保留しました。"),
    "E_SYNC_INITIAL_NOT_EMPTY":     (DATA,      "初期データのパッケージは、同期済みの記録がまだない台帳にだけ取り込めます。この台帳には記録があるため、取り込みませんでした（台帳は変更していません）。"),
    "E_SYNC_MYNUMBER":              (DATA,      "受信した個人番号の検査数字が正しくないため、個別に保留しました。"),
    "E_SYNC_NO_IDENTITY":           (CONFIG,    "この台帳には同期用の端末鍵がありません（地方公共団体コードなしで作成された台帳です）。管理者に連絡してください。"),
    "E_SYNC_NO_SERVER":             (CONFIG,    "信頼するサーバーが登録されていません。サーバーからの信頼リストを取り込んでください。"),
    "E_SYNC_NUMBER_KEY":            (NO_PERM,     "個人番号を含む変更は番号利用事務担当の操作でのみ送信できます。"),
    "E_SYNC_OUTPUT_EXISTS":         (DATA,      "出力先のファイルが既にあります。別のファイル名を指定してください。"),
    "E_SYNC_REFERENCE":             (DATA,      "受信したレコードが参照する記録が台帳にないため、個別に保留しました。"),
    "E_SYNC_TRUST_EXISTS":          (DATA,      "この端末には既に信頼リストがあります。以後はサーバーからのパッケージでのみ更新されます。"),
    "E_SYNC_TRUST_FINGERPRINT":     (DATA,      "信頼リストのサーバー鍵IDが、サーバー管理者から別経路で知らされた鍵IDと一致しません。登録していません。"),
    "E_TERMINAL_SECRET_MISSING":    (NO_PERM,   "この端末は台帳の利用端末として登録されていません（端末の鍵がありません）。再設定した端末では、管理者が回復コードで端末を再登録してください。"),
    "E_TOO_LARGE":                  (DATA,      "パッケージが大きすぎます。"),
    "E_TRUST":                      (DATA,      "信頼リスト（trust.json）が不正です。"),
    "E_UNKNOWN_SENDER":             (DATA,      "送信元が信頼リストにありません。"),
    "E_UNKNOWN_VACCINE":            (DATA,      "接種歴に不明なワクチンがあります。製品IDまたはシリーズIDを確認してください。"),
    "E_UNSAFE_ARCHIVE":             (DATA,      "パッケージ内のアーカイブが安全でない形式です。"),
    "E_VOID_REASON":                (DATA,      "取消の理由を入力してください。"),
    "E_VOUCHER":                    (DATA,      "接種券番号に誤りがあります。"),
    "E_VOUCHER_LENGTH":             (DATA,      "接種券番号は10桁の数字で入力してください（桁数が違います）。"),
    "E_VOUCHER_NOT_DIGITS":         (DATA,      "接種券番号は10桁の数字で入力してください（数字以外の文字が含まれています）。"),
    "E_WRONG_RECIPIENT":            (DATA,      "このパッケージは本端末（本サーバー）宛てではありません。"),
}
# fmt: on

CODES: Final[dict[str, ErrorCode]] = {
    code: ErrorCode(code, exit_code, message) for code, (exit_code, message) in _TABLE.items()
}


def lookup(code: str) -> ErrorCode | None:
    """The registered entry for ``code``, or None for a code nobody registered."""
    return CODES.get(code)


def message(code: str) -> str:
    """The Japanese message of a registered code (KeyError for an unknown code)."""
    return CODES[code].message_ja


# --- README table ------------------------------------------------------------------------------

BEGIN_MARK = "<!-- error-codes:begin (generated by make errors-doc) -->"
END_MARK = "<!-- error-codes:end -->"


def markdown_table() -> str:
    rows = ["| code | exit | message |", "|---|---|---|"]
    rows += [f"| `{e.code}` | {e.exit_code} | {e.message_ja} |" for e in CODES.values()]
    return "\n".join(rows)


def with_table(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the current table."""
    pattern = re.compile(re.escape(BEGIN_MARK) + ".*?" + re.escape(END_MARK), re.S)
    if not pattern.search(readme):
        raise ValueError("README has no error-code markers")
    block = f"{BEGIN_MARK}\n{markdown_table()}\n{END_MARK}"
    return pattern.sub(lambda _m: block, readme, count=1)


def main(argv: list[str]) -> int:
    """``python -m app.error_codes README.md``: rewrite the README's error table."""
    path = Path(argv[0] if argv else "README.md")
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
