<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>AccessActions</name>
    <message>
        <source>Lock the screen</source>
        <translation>画面をロック</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>ログアウト</translation>
    </message>
    <message>
        <source>&amp;Administration</source>
        <translation>管理(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Users and access rights</source>
        <translation>利用者とアクセス権(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Audit log</source>
        <translation>監査ログ(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Retention and erasure</source>
        <translation>保存期間と消去(&amp;R)</translation>
    </message>
    <message>
        <source>Register &amp;key update</source>
        <translation>台帳の鍵の更新(&amp;K)</translation>
    </message>
    <message>
        <source>Personal &amp;number</source>
        <translation>個人番号(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Search by personal number...</source>
        <translation>個人番号で検索(&amp;S)...</translation>
    </message>
</context>
<context>
    <name>AccessTableModel</name>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Staff no.</source>
        <translation>職員番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>役割</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>キー数</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>最終ログイン</translation>
    </message>
    <message>
        <source>Shared</source>
        <translation>共用</translation>
    </message>
    <message>
        <source>Unused long</source>
        <translation>長期未使用</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>無効</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>なし</translation>
    </message>
</context>
<context>
    <name>AdminUsersPage</name>
    <message>
        <source>Users and access rights</source>
        <translation>利用者とアクセス権</translation>
    </message>
    <message>
        <source>Filter (user name, name, role...)</source>
        <translation>絞り込み（ユーザー名・氏名・役割など）</translation>
    </message>
    <message>
        <source>Show deactivated users</source>
        <translation>無効化した利用者も表示</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>再読み込み</translation>
    </message>
    <message>
        <source>New user...</source>
        <translation>利用者の作成...</translation>
    </message>
    <message>
        <source>Reset (password and key)...</source>
        <translation>再登録（パスワードとキー）...</translation>
    </message>
    <message>
        <source>Change roles...</source>
        <translation>役割の変更...</translation>
    </message>
    <message>
        <source>Add a backup key...</source>
        <translation>予備キーを追加...</translation>
    </message>
    <message>
        <source>Remove a key...</source>
        <translation>キーの削除...</translation>
    </message>
    <message>
        <source>Deactivate...</source>
        <translation>無効化...</translation>
    </message>
    <message>
        <source>Select a user in the table first.</source>
        <translation>先に表で利用者を選択してください。</translation>
    </message>
    <message>
        <source>Please confirm</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Touch the enrolled key of the user</source>
        <translation>利用者の登録済みセキュリティキーにタッチしてください</translation>
    </message>
    <message>
        <source>The roles of %1 were changed.</source>
        <translation>%1 の役割を変更しました。</translation>
    </message>
    <message>
        <source>Remove a key</source>
        <translation>キーの削除</translation>
    </message>
    <message>
        <source>Key to remove:</source>
        <translation>削除するキー：</translation>
    </message>
    <message>
        <source>Cancelled: number-use rights need a number-use staff member.</source>
        <translation>取り消しました。番号利用事務の権限には番号利用事務担当者のログインが必要です。</translation>
    </message>
    <message>
        <source>Enroll the key of the new user</source>
        <translation>新しい利用者のキー登録</translation>
    </message>
    <message>
        <source>User %1 was created.</source>
        <translation>利用者 %1 を作成しました。</translation>
    </message>
    <message>
        <source>A deactivated user cannot be reset.</source>
        <translation>無効化した利用者は再登録できません。</translation>
    </message>
    <message>
        <source>Enroll the new key</source>
        <translation>新しいキーの登録</translation>
    </message>
    <message>
        <source>User %1 was reset.</source>
        <translation>利用者 %1 を再登録しました。</translation>
    </message>
    <message>
        <source>Add a backup key</source>
        <translation>予備キーの追加</translation>
    </message>
    <message>
        <source>Password of %1 (typed by the user):</source>
        <translation>%1 のパスワード（本人が入力）:</translation>
    </message>
    <message>
        <source>A deactivated user cannot get a key.</source>
        <translation>無効化されたユーザーにはキーを追加できません。</translation>
    </message>
    <message>
        <source>Touch the enrolled key, then the new key</source>
        <translation>登録済みのキーに触れてから、新しいキーに触れてください</translation>
    </message>
    <message>
        <source>A backup key was added for %1.</source>
        <translation>%1 の予備キーを追加しました。</translation>
    </message>
    <message>
        <source>%1 has only one key. To stop the user, use Deactivate.</source>
        <translation>%1 のキーは1本だけのため削除できません。利用を止めるには「無効化」を使ってください。</translation>
    </message>
    <message>
        <source>Key %1 (enrolled %2)</source>
        <translation>キー%1（登録 %2）</translation>
    </message>
    <message>
        <source>A key of %1 was removed.</source>
        <translation>%1 のキーを1本削除しました。</translation>
    </message>
    <message>
        <source>A number-use staff member signs in</source>
        <translation>番号利用事務担当者がログインする</translation>
    </message>
    <message>
        <source>Deactivate without</source>
        <translation>立会いなしで無効化</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Deactivate %1 (%2)? The user can no longer sign in on any terminal.</source>
        <translation>%1（%2）を無効化しますか？ どの端末からもログインできなくなります。</translation>
    </message>
    <message>
        <source>%1 has number-use rights: the key that protects personal numbers should be renewed. If a number-use staff member signs in now, it is renewed at once; without one it is renewed when a number-use staff member signs in next.</source>
        <translation>%1 は番号利用事務の権限を持っているため、個人番号を保護する鍵を更新する必要があります。番号利用事務担当者がいまログインすれば、すぐに更新します。立会いがない場合は、次に番号利用事務担当者がログインしたときに更新されます。</translation>
    </message>
    <message>
        <source>Deactivating %1: a number-use staff member signs in here so that the key that protects personal numbers is renewed at once. Their sign-in is closed right after.</source>
        <translation>%1 の無効化：個人番号を保護する鍵をすぐに更新するため、番号利用事務担当者がここでログインします。このログインは直後に終了します。</translation>
    </message>
    <message>
        <source>Cancelled: %1 was not deactivated.</source>
        <translation>中止しました。%1 は無効化していません。</translation>
    </message>
    <message>
        <source>User %1 was deactivated.</source>
        <translation>利用者 %1 を無効にしました。</translation>
    </message>
    <message>
        <source> The key that protects personal numbers was renewed.</source>
        <translation>個人番号を保護する鍵を更新しました。</translation>
    </message>
    <message>
        <source> No number-use staff member was present: the key that protects personal numbers is renewed when a number-use staff member signs in next.</source>
        <translation>番号利用事務担当者の立会いがなかったため、個人番号を保護する鍵は次に番号利用事務担当者がログインしたときに更新されます。</translation>
    </message>
</context>
<context>
    <name>AreaNamesPage</name>
    <message>
        <source>Area names</source>
        <translation>地区名</translation>
    </message>
    <message>
        <source>Give each area code a name. Lists and printed lists then show the name with its code. Type in the name column (F2 edits); an empty name removes it.</source>
        <translation>地区コードごとに名称を付けます。未接種者一覧の画面と印刷では、名称をコードと並べて表示します。地区名の欄に入力してください（F2 で編集）。空にすると名称を削除します。</translation>
    </message>
    <message>
        <source>Area code</source>
        <translation>地区コード</translation>
    </message>
    <message>
        <source>Area name</source>
        <translation>地区名</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>世帯</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>読み直す(&amp;R)</translation>
    </message>
    <message>
        <source>At most %1 characters</source>
        <translation>%1文字以内</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>あり</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし（名称のみ）</translation>
    </message>
    <message>
        <source>%1 areas, %2 without a name.</source>
        <translation>地区 %1 件（名称なし %2 件）。</translation>
    </message>
    <message>
        <source>No household has an area code.</source>
        <translation>地区コードのある世帯がありません。</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>変更された項目がありません。</translation>
    </message>
    <message>
        <source>Saved the names of %1 areas.</source>
        <translation>%1 件の地区名を保存しました。</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <source>No.</source>
        <translation>連番</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>Staff no.</source>
        <translation>職員番号</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Person ID</source>
        <translation>住民ID</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>記録</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>詳細</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>拒否</translation>
    </message>
</context>
<context>
    <name>AuditViewer</name>
    <message>
        <source>Audit log</source>
        <translation>監査ログ</translation>
    </message>
    <message>
        <source>User name (empty: everyone)</source>
        <translation>ユーザー名（空欄：全員）</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>すべての操作</translation>
    </message>
    <message>
        <source>Person ID (empty: all)</source>
        <translation>住民ID（空欄：すべて）</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期間を指定</translation>
    </message>
    <message>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Person ID</source>
        <translation>住民ID</translation>
    </message>
    <message>
        <source>Date (this terminal&apos;s time)</source>
        <translation>日付（この端末の時刻）</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>CSV出力...</translation>
    </message>
    <message>
        <source>Verify the chain</source>
        <translation>改ざん検査</translation>
    </message>
    <message>
        <source>Filter the shown rows</source>
        <translation>表示中の行を絞り込み</translation>
    </message>
    <message>
        <source>The person ID is a number.</source>
        <translation>住民IDは数字で入力してください。</translation>
    </message>
    <message>
        <source>%1 entries.</source>
        <translation>%1件</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>監査ログの出力</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSVファイル (*.csv)</translation>
    </message>
    <message>
        <source>%1 entries were written to %2.</source>
        <translation>%1件を %2 に出力しました。</translation>
    </message>
    <message>
        <source>The audit log is intact (%1 entries checked).</source>
        <translation>監査ログは改ざんされていません（%1件を検査）。</translation>
    </message>
    <message>
        <source>The audit log is broken from entry no. %1: it was altered or damaged. Tell the system administrator.</source>
        <translation>監査ログの連番 %1 以降で改ざんまたは破損を検出しました。システム管理者に連絡してください。</translation>
    </message>
</context>
<context>
    <name>BatchEntryLogModel</name>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Address no.</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Vaccine</source>
        <translation>ワクチン</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>回数</translation>
    </message>
    <message>
        <source>Date given</source>
        <translation>接種日</translation>
    </message>
    <message>
        <source>Reason for override</source>
        <translation>登録理由（警告あり）</translation>
    </message>
</context>
<context>
    <name>BatchEntryPage</name>
    <message>
        <source>Result entry (batch)</source>
        <translation>結果入力（一括）</translation>
    </message>
    <message>
        <source>Sca&amp;n:</source>
        <translation>読取(&amp;N):</translation>
    </message>
    <message>
        <source>Screening form barcode, voucher number or address no., then Enter</source>
        <translation>予診票のバーコード、接種券番号または宛名番号を読み取り、Enter</translation>
    </message>
    <message>
        <source>Scan the next sheet.</source>
        <translation>次の予診票を読み取ってください。</translation>
    </message>
    <message>
        <source>Administration record</source>
        <translation>接種記録</translation>
    </message>
    <message>
        <source>Tab: next field   Enter: save   Esc: clear the sheet</source>
        <translation>Tab: 次の項目   Enter: 登録   Esc: この票を取りやめ</translation>
    </message>
    <message>
        <source>Entered in this sitting</source>
        <translation>今回入力した票</translation>
    </message>
    <message>
        <source>Sheet cleared. Scan the next sheet.</source>
        <translation>この票の入力を取りやめました。次の予診票を読み取ってください。</translation>
    </message>
    <message>
        <source>Reading...</source>
        <translation>読み取り中...</translation>
    </message>
    <message>
        <source>Address no.</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Type the administration record, then Enter.</source>
        <translation>接種記録を入力し、Enter で登録します。</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>登録中...</translation>
    </message>
    <message>
        <source>Saved: %1 %2. Scan the next sheet.</source>
        <translation>登録しました: %1 %2。次の予診票を読み取ってください。</translation>
    </message>
    <message>
        <source>Not saved. Correct the sheet or press Esc to skip it.</source>
        <translation>登録していません。内容を直すか、Esc でこの票を取りやめてください。</translation>
    </message>
</context>
<context>
    <name>CatalogPage</name>
    <message>
        <source>Vaccination</source>
        <translation>予防接種</translation>
    </message>
    <message>
        <source>Vaccine product</source>
        <translation>ワクチン製剤</translation>
    </message>
    <message>
        <source>Special rule</source>
        <translation>特例</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Revision date</source>
        <translation>改訂日</translation>
    </message>
    <message>
        <source>Days between two live injected vaccines</source>
        <translation>注射生ワクチン同士の接種間隔（日）</translation>
    </message>
    <message>
        <source>File format</source>
        <translation>ファイル形式</translation>
    </message>
    <message>
        <source>File format version</source>
        <translation>ファイル形式の版</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Vaccine catalog</source>
        <translation>ワクチンカタログ</translation>
    </message>
    <message>
        <source>Corrections to the vaccine catalog used for schedules and printed documents. Choose the file you received, check the differences, then apply exactly what is shown. Every version is kept.</source>
        <translation>接種予定の判定と帳票に使うワクチンカタログの訂正です。届いたファイルを選んで差分を確認し、表示された内容をそのまま適用します。取り込んだ版はすべて保存されます。</translation>
    </message>
    <message>
        <source>&amp;Choose a file and show the differences...</source>
        <translation>ファイルを選んで差分を表示(&amp;C)...</translation>
    </message>
    <message>
        <source>&amp;Apply what is shown</source>
        <translation>表示中の差分を適用(&amp;A)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>変更前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>変更後</translation>
    </message>
    <message>
        <source>Imported versions</source>
        <translation>取り込んだ版</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>取込日時</translation>
    </message>
    <message>
        <source>Staff no.</source>
        <translation>職員番号</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>変更件数</translation>
    </message>
    <message>
        <source>In force</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>in force</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>None (the catalog shipped with VaxDesk is used)</source>
        <translation>なし（VaxDesk 同梱のカタログを使用中）</translation>
    </message>
    <message>
        <source>Vaccine catalog file</source>
        <translation>ワクチンカタログのファイル</translation>
    </message>
    <message>
        <source>Catalog (*.json)</source>
        <translation>カタログ (*.json)</translation>
    </message>
    <message>
        <source>Reading %1...</source>
        <translation>%1 を読み込んでいます...</translation>
    </message>
    <message>
        <source>Revision %1 · SHA-256 %2 · %3 changes</source>
        <translation>改訂日 %1 ・ SHA-256 %2 ・ 変更 %3 件</translation>
    </message>
    <message>
        <source>Check the differences, then apply them.</source>
        <translation>差分を確認してから適用してください。</translation>
    </message>
    <message>
        <source>The file makes no difference; there is nothing to apply.</source>
        <translation>使用中のカタログとの差分はありません。適用するものはありません。</translation>
    </message>
    <message>
        <source>Apply the catalog</source>
        <translation>カタログの適用</translation>
    </message>
    <message>
        <source>Apply the %1 changes shown? Documents printed from now on use them.</source>
        <translation>表示中の %1 件の変更を適用しますか。これから印刷する帳票に反映されます。</translation>
    </message>
    <message>
        <source>Catalog version %1 is in force. Staff signed in now use it after signing in again.</source>
        <translation>カタログの版 %1 を適用しました。ログイン中の職員には、次のログインから反映されます。</translation>
    </message>
</context>
<context>
    <name>ChangeRolesDialog</name>
    <message>
        <source>Change roles</source>
        <translation>役割の変更</translation>
    </message>
    <message>
        <source>Roles of %1:</source>
        <translation>%1 の役割:</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>役割</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>役割を1つ以上選んでください。</translation>
    </message>
</context>
<context>
    <name>ConflictPanel</name>
    <message>
        <source>No.</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>記録の種類</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>到着日時</translation>
    </message>
    <message>
        <source>Differs in</source>
        <translation>違う項目</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>項目</translation>
    </message>
    <message>
        <source>This terminal</source>
        <translation>この端末の内容</translation>
    </message>
    <message>
        <source>Incoming (tick to take)</source>
        <translation>届いた内容（採用する項目にチェック）</translation>
    </message>
    <message>
        <source>Keep &amp;local</source>
        <translation>この端末の内容を残す(&amp;L)</translation>
    </message>
    <message>
        <source>Take i&amp;ncoming</source>
        <translation>届いた内容を採用(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Merge ticked fields</source>
        <translation>チェックした項目だけ採用して統合(&amp;M)</translation>
    </message>
    <message>
        <source>Conflict %1 resolved.</source>
        <translation>競合 %1 を解決しました。</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Correct a result</source>
        <translation>接種記録の訂正</translation>
    </message>
    <message>
        <source>&amp;Date given</source>
        <translation>接種日(&amp;D)</translation>
    </message>
    <message>
        <source>Dose (&amp;number)</source>
        <translation>回数(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Lot no.</source>
        <translation>ロット番号(&amp;L)</translation>
    </message>
    <message>
        <source>D&amp;octor</source>
        <translation>医師(&amp;O)</translation>
    </message>
    <message>
        <source>Re&amp;ceipt no. (blank: unchanged)</source>
        <translation>受付番号(&amp;C)（空欄: 変更なし）</translation>
    </message>
    <message>
        <source>&amp;Payment month (blank: unchanged)</source>
        <translation>支払月(&amp;P)（空欄: 変更なし）</translation>
    </message>
    <message>
        <source>Dose &amp;amount (blank: unchanged)</source>
        <translation>接種量(&amp;A)（空欄: 変更なし）</translation>
    </message>
    <message>
        <source>&amp;Reason for the correction</source>
        <translation>訂正理由(&amp;R)</translation>
    </message>
    <message>
        <source>Correct [Enter]</source>
        <translation>訂正する [Enter]</translation>
    </message>
    <message>
        <source>Cancel [Esc]</source>
        <translation>キャンセル [Esc]</translation>
    </message>
    <message>
        <source>Dose amount must be a number in mL (e.g. 0.5).</source>
        <translation>接種量は mL の数値で入力してください（例: 0.5）。</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>変更された項目がありません。</translation>
    </message>
    <message>
        <source>Type the reason for the correction.</source>
        <translation>訂正の理由を入力してください。</translation>
    </message>
</context>
<context>
    <name>CreateUserDialog</name>
    <message>
        <source>New user</source>
        <translation>利用者の作成</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Staff no.</source>
        <translation>職員番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初期パスワード</translation>
    </message>
    <message>
        <source>Password (again)</source>
        <translation>パスワード（確認）</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>役割</translation>
    </message>
    <message>
        <source>Number-use rights need a number-use staff member to sign in next.</source>
        <translation>番号利用事務の権限を付与する場合は、次に番号利用事務担当者のログインが必要です。</translation>
    </message>
    <message>
        <source>Shared account (used by several people)</source>
        <translation>共用アカウント（複数人で使用）</translation>
    </message>
    <message>
        <source>Next: enroll the key</source>
        <translation>次へ：キーを登録</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Enter the user name.</source>
        <translation>ユーザー名を入力してください。</translation>
    </message>
    <message>
        <source>Enter the staff number.</source>
        <translation>職員番号を入力してください。</translation>
    </message>
    <message>
        <source>Enter the name.</source>
        <translation>氏名を入力してください。</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>役割を1つ以上選択してください。</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>パスワードは%1文字以上にしてください。</translation>
    </message>
    <message>
        <source>The two passwords differ. Enter them again.</source>
        <translation>2つのパスワードが一致しません。入力し直してください。</translation>
    </message>
</context>
<context>
    <name>DemoMarker</name>
    <message>
        <source>[DEMO REGISTER]</source>
        <translation>【デモ台帳】</translation>
    </message>
    <message>
        <source>DEMO REGISTER: practice data only. Do not enter real residents&apos; information.</source>
        <translation>【デモ台帳】練習用のデータです。実在の住民の情報は入力しないでください。</translation>
    </message>
</context>
<context>
    <name>DisplayText</name>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>%1 months</source>
        <translation>%1か月</translation>
    </message>
    <message>
        <source>%1 years %2 months</source>
        <translation>%1歳%2か月</translation>
    </message>
    <message>
        <source>Deceased</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Moved out</source>
        <translation>転出</translation>
    </message>
</context>
<context>
    <name>DocumentPrintFlow</name>
    <message>
        <source>Preparing %1...</source>
        <translation>%1を作成しています...</translation>
    </message>
    <message>
        <source>Creating %1...</source>
        <translation>%1を作成しています...</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>%1 / %2 items</source>
        <translation>%1 / %2 件</translation>
    </message>
    <message>
        <source>Cancelling...</source>
        <translation>中止しています…</translation>
    </message>
    <message>
        <source>%1: %2 pages sent to the printer.</source>
        <translation>%1: %2枚をプリンタに送りました。</translation>
    </message>
    <message>
        <source>Not printed: the issued number was withdrawn (%1).</source>
        <translation>印刷しなかったため、発行した番号を取り消しました（%1件）。</translation>
    </message>
    <message>
        <source>Printing was cancelled. No file was created.</source>
        <translation>印刷を中止しました。ファイルは作成されていません。</translation>
    </message>
    <message>
        <source>The reissue was cancelled.</source>
        <translation>再発行を取りやめました。</translation>
    </message>
</context>
<context>
    <name>DueListModel</name>
    <message>
        <source>Can be given</source>
        <translation>接種可</translation>
    </message>
    <message>
        <source>Waiting for interval</source>
        <translation>間隔待ち</translation>
    </message>
    <message>
        <source>Before the period</source>
        <translation>対象期間前</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>Period over</source>
        <translation>期限切れ</translation>
    </message>
    <message>
        <source>Not eligible</source>
        <translation>対象外</translation>
    </message>
    <message>
        <source>Vaccine</source>
        <translation>ワクチン</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Next dose</source>
        <translation>次回</translation>
    </message>
    <message>
        <source>Earliest date</source>
        <translation>接種可能日</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>対象期間</translation>
    </message>
    <message>
        <source>Doses given / required</source>
        <translation>接種済 / 必要回数</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>注意</translation>
    </message>
</context>
<context>
    <name>DueListPanel</name>
    <message>
        <source>Due list</source>
        <translation>接種予定</translation>
    </message>
    <message>
        <source>Also show series that do not apply</source>
        <translation>対象外も表示</translation>
    </message>
    <message>
        <source>The due list is not available for this role.</source>
        <translation>この役割では接種予定を表示できません。</translation>
    </message>
    <message>
        <source>As of %1</source>
        <translation>%1 時点</translation>
    </message>
</context>
<context>
    <name>HouseholdTableModel</name>
    <message>
        <source>Relationship</source>
        <translation>続柄</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Name (kana)</source>
        <translation>カナ氏名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
</context>
<context>
    <name>IssuanceHistoryModel</name>
    <message>
        <source>Screening form</source>
        <translation>予診票</translation>
    </message>
    <message>
        <source>Voucher</source>
        <translation>接種券</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>予防接種済証</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>個別通知</translation>
    </message>
    <message>
        <source>Reissue</source>
        <translation>再発行</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新規</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>Issued on</source>
        <translation>発行日</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>書類</translation>
    </message>
    <message>
        <source>Vaccine</source>
        <translation>ワクチン</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>回数</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>発行番号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>処理区分</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
</context>
<context>
    <name>IssuanceHistoryPanel</name>
    <message>
        <source>Issuance history</source>
        <translation>発行履歴</translation>
    </message>
    <message>
        <source>Nothing issued yet.</source>
        <translation>発行履歴はありません。</translation>
    </message>
</context>
<context>
    <name>KeyHelp</name>
    <message>
        <source>Menu commands</source>
        <translation>メニューのコマンド</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>キー操作一覧</translation>
    </message>
</context>
<context>
    <name>KeyPromptDialog</name>
    <message>
        <source>The person who will use the key holds it now. Follow the instructions below.</source>
        <translation>キーを使う本人がキーを持ち、下の指示に従ってください。</translation>
    </message>
    <message>
        <source>Preparing the security key...</source>
        <translation>セキュリティキーを準備しています...</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>The screen is locked</source>
        <translation>画面をロックしました</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>ログイン中: %1</translation>
    </message>
    <message>
        <source>Unlock with your password and security key.</source>
        <translation>パスワードとセキュリティキーでロックを解除してください。</translation>
    </message>
    <message>
        <source>Unlock...</source>
        <translation>ロック解除...</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>ログアウト</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>VaxDesk - Sign in</source>
        <translation>VaxDesk - ログイン</translation>
    </message>
    <message>
        <source>Vaccination register</source>
        <translation>予防接種台帳</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>ユーザー名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>パスワード(&amp;P)</translation>
    </message>
    <message>
        <source>After the password, use your security key (touch, fingerprint or PIN).</source>
        <translation>パスワードの後に、セキュリティキー（タッチ・指紋・PIN）で確認します。</translation>
    </message>
    <message>
        <source>Cancel key</source>
        <translation>キー操作を中止</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>ログイン</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>VaxDesk - Vaccination register - %1</source>
        <translation>VaxDesk - 予防接種台帳 - %1</translation>
    </message>
    <message>
        <source>F2: Search   ↑↓: Select   Enter: Open   Esc: Back to search   Ctrl+Q: Quit</source>
        <translation>F2: 検索&#x3000;↑↓: 選択&#x3000;Enter: 開く&#x3000;Esc: 検索に戻る&#x3000;Ctrl+Q: 終了</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>ログイン中: %1</translation>
    </message>
    <message>
        <source>Choose a task from the menu bar (F1: keyboard shortcuts).</source>
        <translation>メニューバーから業務を選んでください（F1: キー操作一覧）。</translation>
    </message>
    <message>
        <source>&amp;Work</source>
        <translation>業務(&amp;W)</translation>
    </message>
    <message>
        <source>Person search</source>
        <translation>住民検索</translation>
    </message>
    <message>
        <source>Result entry (batch)</source>
        <translation>結果入力（一括）</translation>
    </message>
    <message>
        <source>Unvaccinated persons</source>
        <translation>未接種者一覧</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>帳票</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>キー操作一覧</translation>
    </message>
    <message>
        <source>F2: Search</source>
        <translation>F2: 検索</translation>
    </message>
    <message>
        <source>Scan or type, Enter: Read   Tab: Next field   Enter: Save   Esc: Clear the sheet   F2: Search</source>
        <translation>読取・入力後 Enter: 読込   Tab: 次の項目   Enter: 登録   Esc: この票を取りやめ   F2: 検索</translation>
    </message>
    <message>
        <source>Enter: List   Ctrl+F: Filter   Ctrl+S: CSV   Ctrl+P: Print   Ctrl+N: Notices   Esc: Back to search</source>
        <translation>Enter: 一覧作成   Ctrl+F: 絞り込み   Ctrl+S: CSV   Ctrl+P: 印刷   Ctrl+N: 個別通知   Esc: 検索へ戻る</translation>
    </message>
    <message>
        <source>Enter: Print   Tab: Next field   Esc: Back to search</source>
        <translation>Enter: 印刷   Tab: 次の項目   Esc: 検索へ戻る</translation>
    </message>
    <message>
        <source>F1: Keyboard shortcuts   Ctrl+L: Lock the screen   Ctrl+Q: Quit</source>
        <translation>F1: キー操作一覧   Ctrl+L: 画面をロック   Ctrl+Q: 終了</translation>
    </message>
    <message>
        <source>Searching...</source>
        <translation>検索しています…</translation>
    </message>
    <message>
        <source>No matching persons.</source>
        <translation>該当する人はいません。検索内容を確認してください。</translation>
    </message>
    <message>
        <source>Opening the record...</source>
        <translation>台帳を開いています…</translation>
    </message>
    <message>
        <source>Synchronisation</source>
        <translation>同期</translation>
    </message>
</context>
<context>
    <name>MediaPanel</name>
    <message>
        <source>Staff number of the approver</source>
        <translation>承認者の職員番号</translation>
    </message>
    <message>
        <source>&amp;Approved by</source>
        <translation>承認者(&amp;A)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>書出</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>取込</translation>
    </message>
    <message>
        <source>CSV...</source>
        <translation>CSV 出力...</translation>
    </message>
    <message>
        <source>E&amp;rase from medium</source>
        <translation>媒体から消去(&amp;R)</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>区分</translation>
    </message>
    <message>
        <source>Sequence</source>
        <translation>通番</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>媒体（ラベル / シリアル）</translation>
    </message>
    <message>
        <source>Carried out by</source>
        <translation>作業者</translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation>承認者</translation>
    </message>
    <message>
        <source>Erased</source>
        <translation>消去日時</translation>
    </message>
    <message>
        <source>Erased by</source>
        <translation>消去者</translation>
    </message>
    <message>
        <source>Erased from the medium and recorded.</source>
        <translation>媒体から消去し、記録しました。</translation>
    </message>
    <message>
        <source>The file was already gone; recorded as erased.</source>
        <translation>ファイルは既にありませんでした。消去済みとして記録しました。</translation>
    </message>
    <message>
        <source>%1 rows written.</source>
        <translation>%1件を書き出しました。</translation>
    </message>
</context>
<context>
    <name>NumberEntryDialog</name>
    <message>
        <source>Correct the personal number</source>
        <translation>個人番号の訂正</translation>
    </message>
    <message>
        <source>Enter the personal number</source>
        <translation>個人番号の登録</translation>
    </message>
    <message>
        <source>Personal number (12 digits)</source>
        <translation>個人番号（12桁）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>保存しています...</translation>
    </message>
</context>
<context>
    <name>NumberHolderDialog</name>
    <message>
        <source>Number-use staff confirmation</source>
        <translation>番号利用事務担当者の確認</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Granting number-use rights needs a number-use staff member. They sign in here; their sign-in is closed right after.</source>
        <translation>番号利用事務の権限の付与には、番号利用事務担当者の立会いが必要です。担当者がここでログインしてください（付与後すぐにログアウトします）。</translation>
    </message>
</context>
<context>
    <name>NumberPanel</name>
    <message>
        <source>Personal number</source>
        <translation>個人番号</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Show the full number for a short time (reason required)</source>
        <translation>番号全体を短時間表示します（理由の入力が必要）</translation>
    </message>
    <message>
        <source>Enter / correct...</source>
        <translation>登録・訂正...</translation>
    </message>
    <message>
        <source>Loading...</source>
        <translation>読み込んでいます...</translation>
    </message>
    <message>
        <source>(not registered)</source>
        <translation>（未登録）</translation>
    </message>
    <message>
        <source>Shown for %1 seconds, then hidden again.</source>
        <translation>%1秒間表示した後、再び隠します。</translation>
    </message>
</context>
<context>
    <name>NumberSearchDialog</name>
    <message>
        <source>Search by personal number</source>
        <translation>個人番号で検索</translation>
    </message>
    <message>
        <source>Personal number (12 digits)</source>
        <translation>個人番号（12桁）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Searching...</source>
        <translation>検索しています...</translation>
    </message>
    <message>
        <source>No person has this number.</source>
        <translation>この個人番号の住民は登録されていません。</translation>
    </message>
</context>
<context>
    <name>OfficeSettingsPage</name>
    <message>
        <source>Office on notices</source>
        <translation>窓口の設定</translation>
    </message>
    <message>
        <source>The office named on individual notices as sender and for inquiries. Notices cannot be printed until the name, address and phone number are set.</source>
        <translation>個別通知に差出人・問い合わせ先として載せる窓口です。名称・住所・電話番号をすべて設定するまで、個別通知は印刷できません。</translation>
    </message>
    <message>
        <source>e.g. Minami Health Center, Health Promotion Section</source>
        <translation>例：南保健センター 健康推進課</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名称(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>住所(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>電話番号(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Not set yet: notices cannot be printed until it is saved.</source>
        <translation>まだ設定されていません。保存するまで個別通知は印刷できません。</translation>
    </message>
    <message>
        <source>Last changed %1 (staff no. %2).</source>
        <translation>最終変更 %1（職員番号 %2）。</translation>
    </message>
    <message>
        <source>Saved. Notices now print this office.</source>
        <translation>保存しました。個別通知にはこの窓口が印刷されます。</translation>
    </message>
</context>
<context>
    <name>OverrideReasonDialog</name>
    <message>
        <source>Check before registering</source>
        <translation>登録前の確認</translation>
    </message>
    <message>
        <source>Please check the following. To register anyway, type the reason.</source>
        <translation>次の点を確認してください。このまま登録する場合は理由を入力してください。</translation>
    </message>
    <message>
        <source>&amp;Reason for registering</source>
        <translation>登録する理由(&amp;R)</translation>
    </message>
    <message>
        <source>e.g. confirmed with the clinic by phone</source>
        <translation>例: 医療機関に電話で確認済み</translation>
    </message>
    <message>
        <source>Register with this reason [Enter]</source>
        <translation>この理由で登録 [Enter]</translation>
    </message>
    <message>
        <source>Cancel [Esc]</source>
        <translation>登録しない [Esc]</translation>
    </message>
</context>
<context>
    <name>PackageSteps</name>
    <message>
        <source>Size check</source>
        <translation>サイズの確認</translation>
    </message>
    <message>
        <source>Package layout</source>
        <translation>パッケージの構成</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>ヘッダー</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>送信元</translation>
    </message>
    <message>
        <source>Sender&apos;s key</source>
        <translation>送信元の鍵</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>鍵ファイル</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>署名</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>有効期限</translation>
    </message>
    <message>
        <source>Sequence number</source>
        <translation>通番</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>本体</translation>
    </message>
    <message>
        <source>Decryption</source>
        <translation>復号</translation>
    </message>
    <message>
        <source>Unpacking</source>
        <translation>展開</translation>
    </message>
    <message>
        <source>Contents list</source>
        <translation>内容一覧</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>レコード</translation>
    </message>
    <message>
        <source>Package kind</source>
        <translation>パッケージの種類</translation>
    </message>
    <message>
        <source>Trust file</source>
        <translation>信頼ファイル</translation>
    </message>
    <message>
        <source>Acknowledgement</source>
        <translation>受領確認</translation>
    </message>
    <message>
        <source>Audit log acknowledgement</source>
        <translation>監査ログの受領確認</translation>
    </message>
    <message>
        <source>Building the package</source>
        <translation>パッケージの作成</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力先フォルダー</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>その他</translation>
    </message>
</context>
<context>
    <name>PasskeyPolicyPage</name>
    <message>
        <source>Synced passkeys</source>
        <translation>同期パスキー</translation>
    </message>
    <message>
        <source>A synced passkey is copied by a cloud account to the user&apos;s other devices, so it is no longer bound to one security key. Refuse them unless the municipality&apos;s policy allows them. The setting applies to keys enrolled from now on.</source>
        <translation>同期パスキーはクラウドのアカウントにより利用者の他の機器へ複製されるため、1本のセキュリティキーに限定されません。自治体の方針で認められていない限り、許可しないでください。この設定は、これから登録する鍵に適用されます。</translation>
    </message>
    <message>
        <source>&amp;Refuse synced passkeys (recommended)</source>
        <translation>同期パスキーを許可しない（推奨）(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Allow synced passkeys</source>
        <translation>同期パスキーを許可する(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Now: synced passkeys are allowed.</source>
        <translation>現在の設定：同期パスキーを許可しています。</translation>
    </message>
    <message>
        <source>Now: synced passkeys are refused.</source>
        <translation>現在の設定：同期パスキーを許可していません。</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>変更された項目がありません。</translation>
    </message>
    <message>
        <source>Allow synced passkeys</source>
        <translation>同期パスキーの許可</translation>
    </message>
    <message>
        <source>Keys enrolled from now on may be synced passkeys that can be used from other devices of the same cloud account. Allow them?</source>
        <translation>これから登録する鍵に、同じクラウドアカウントの他の機器からも使える同期パスキーを認めます。許可しますか。</translation>
    </message>
    <message>
        <source>Saved: synced passkeys are allowed for new keys.</source>
        <translation>保存しました。これから登録する鍵に同期パスキーを許可します。</translation>
    </message>
    <message>
        <source>Saved: synced passkeys are refused for new keys.</source>
        <translation>保存しました。これから登録する鍵に同期パスキーを許可しません。</translation>
    </message>
</context>
<context>
    <name>PersonCounterActions</name>
    <message>
        <source>Screening form</source>
        <translation>予診票</translation>
    </message>
    <message>
        <source>No series is due: there is no voucher to print.</source>
        <translation>接種できる予防接種がないため、接種券は印刷できません。</translation>
    </message>
    <message>
        <source>Voucher</source>
        <translation>接種券</translation>
    </message>
    <message>
        <source>Vaccination certificate</source>
        <translation>予防接種済証</translation>
    </message>
    <message>
        <source>The result was recorded.</source>
        <translation>接種記録を登録しました。</translation>
    </message>
    <message>
        <source>The postponement was recorded.</source>
        <translation>見合わせを登録しました。</translation>
    </message>
    <message>
        <source>Choose a recorded (not voided) row in the history.</source>
        <translation>接種履歴から対象の記録（取消されていないもの）を選んでください。</translation>
    </message>
    <message>
        <source>The result was corrected.</source>
        <translation>接種記録を訂正しました。</translation>
    </message>
    <message>
        <source>The result was voided.</source>
        <translation>接種記録を取り消しました。</translation>
    </message>
</context>
<context>
    <name>PersonSearchWidget</name>
    <message>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <source>Kana name, address no. or date of birth (e.g. ヤマダ, 1000123, R7.4.10)</source>
        <translation>カナ氏名・宛名番号・生年月日（例: ヤマダ、1000123、R7.4.10）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <source>Hide moved-out and deceased persons</source>
        <translation>転出・死亡の人を表示しない</translation>
    </message>
    <message>
        <source>First %1 persons shown; add a birth date to narrow the search</source>
        <translation>先頭の%1人を表示しています。生年月日を加えて絞り込んでください</translation>
    </message>
    <message>
        <source>%1 persons</source>
        <translation>%1人</translation>
    </message>
</context>
<context>
    <name>PersonTableModel</name>
    <message>
        <source>Address no.</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Name (kana)</source>
        <translation>カナ氏名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年齢</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住所</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
</context>
<context>
    <name>PersonView</name>
    <message>
        <source>Print screening form</source>
        <translation>予診票印刷</translation>
    </message>
    <message>
        <source>Print voucher</source>
        <translation>接種券印刷</translation>
    </message>
    <message>
        <source>Print certificate</source>
        <translation>済証印刷</translation>
    </message>
    <message>
        <source>Record result</source>
        <translation>結果入力</translation>
    </message>
    <message>
        <source>Record postponement</source>
        <translation>見合わせ</translation>
    </message>
    <message>
        <source>Correct result</source>
        <translation>訂正</translation>
    </message>
    <message>
        <source>Void result</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Esc: back to search</source>
        <translation>Esc: 検索に戻る</translation>
    </message>
    <message>
        <source>Issuance history</source>
        <translation>発行履歴</translation>
    </message>
    <message>
        <source>Basic information</source>
        <translation>基本情報</translation>
    </message>
    <message>
        <source>Address no.</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Name (kana)</source>
        <translation>カナ氏名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年齢</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>郵便番号</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住所</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Household no.</source>
        <translation>世帯番号</translation>
    </message>
    <message>
        <source>Relationship</source>
        <translation>続柄</translation>
    </message>
    <message>
        <source>Guardian</source>
        <translation>保護者</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Household members</source>
        <translation>世帯員</translation>
    </message>
    <message>
        <source>No other household members.</source>
        <translation>ほかの世帯員はいません。</translation>
    </message>
    <message>
        <source>Vaccination history</source>
        <translation>接種履歴</translation>
    </message>
    <message>
        <source>No vaccinations recorded.</source>
        <translation>接種記録はありません。</translation>
    </message>
    <message>
        <source>Esc: Back to search</source>
        <translation>Esc: 検索へ戻る</translation>
    </message>
    <message>
        <source>Issuance history (%1)</source>
        <translation>発行履歴 (%1)</translation>
    </message>
    <message>
        <source>Vaccination history (%1)</source>
        <translation>接種履歴 (%1)</translation>
    </message>
    <message>
        <source>Moved out %1</source>
        <translation>転出 %1</translation>
    </message>
    <message>
        <source>Deceased %1</source>
        <translation>死亡 %1</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>在住</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Security key PIN</source>
        <translation>セキュリティキーのPIN</translation>
    </message>
    <message>
        <source>Enter the PIN of your security key.</source>
        <translation>セキュリティキーのPINを入力してください。</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>The PIN has at least %1 characters.</source>
        <translation>PINは%1文字以上です。</translation>
    </message>
</context>
<context>
    <name>PostponementDialog</name>
    <message>
        <source>Record a postponement</source>
        <translation>見合わせの登録</translation>
    </message>
    <message>
        <source>e.g. fever 37.8 degrees</source>
        <translation>例: 発熱 37.8度</translation>
    </message>
    <message>
        <source>&amp;Series</source>
        <translation>予防接種の種類(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Date</source>
        <translation>日付(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>理由(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Institution code</source>
        <translation>医療機関コード(&amp;I)</translation>
    </message>
    <message>
        <source>Record [Enter]</source>
        <translation>登録 [Enter]</translation>
    </message>
    <message>
        <source>Cancel [Esc]</source>
        <translation>キャンセル [Esc]</translation>
    </message>
    <message>
        <source>Type the reason for the postponement.</source>
        <translation>見合わせの理由を入力してください。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>Print preview - %1</source>
        <translation>印刷プレビュー - %1</translation>
    </message>
    <message>
        <source>Previous page [PgUp]</source>
        <translation>前のページ [PgUp]</translation>
    </message>
    <message>
        <source>Next page [PgDn]</source>
        <translation>次のページ [PgDn]</translation>
    </message>
    <message>
        <source>Print [Enter]</source>
        <translation>印刷 [Enter]</translation>
    </message>
    <message>
        <source>Choose printer... [Ctrl+P]</source>
        <translation>プリンタを選んで印刷... [Ctrl+P]</translation>
    </message>
    <message>
        <source>Save as PDF... [Ctrl+S]</source>
        <translation>PDFとして保存... [Ctrl+S]</translation>
    </message>
    <message>
        <source>Close [Esc]</source>
        <translation>閉じる [Esc]</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>%1 / %2 ページ</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>印刷</translation>
    </message>
    <message>
        <source>Printing...</source>
        <translation>印刷中...</translation>
    </message>
    <message>
        <source>Printing was stopped or the printer is not ready.</source>
        <translation>印刷が中止されたか、プリンタの準備ができていません。</translation>
    </message>
    <message>
        <source>Save PDF files to</source>
        <translation>PDFの保存先フォルダ</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>PDFとして保存</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDFファイル (*.pdf)</translation>
    </message>
    <message>
        <source>The PDF could not be saved. Check the folder.</source>
        <translation>PDFを保存できませんでした。保存先のフォルダを確認してください。</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>保存しました: %1</translation>
    </message>
</context>
<context>
    <name>RecordLabels</name>
    <message>
        <source>Household</source>
        <translation>世帯</translation>
    </message>
    <message>
        <source>Medical institution</source>
        <translation>医療機関</translation>
    </message>
    <message>
        <source>Issued document</source>
        <translation>発行記録</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>ロット</translation>
    </message>
    <message>
        <source>Resident</source>
        <translation>住民</translation>
    </message>
    <message>
        <source>Personal number</source>
        <translation>個人番号</translation>
    </message>
    <message>
        <source>Postponement</source>
        <translation>見合わせ</translation>
    </message>
    <message>
        <source>Erasure</source>
        <translation>消去</translation>
    </message>
    <message>
        <source>Vaccination</source>
        <translation>接種記録</translation>
    </message>
    <message>
        <source>Vaccine</source>
        <translation>ワクチン</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住所</translation>
    </message>
    <message>
        <source>Area code</source>
        <translation>地区コード</translation>
    </message>
    <message>
        <source>Resident number</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>接種区分</translation>
    </message>
    <message>
        <source>Institution code</source>
        <translation>医療機関コード</translation>
    </message>
    <message>
        <source>Deceased</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Date of death</source>
        <translation>死亡日</translation>
    </message>
    <message>
        <source>Document type</source>
        <translation>書類の種類</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>接種医師</translation>
    </message>
    <message>
        <source>Dose (mL)</source>
        <translation>接種量（mL）</translation>
    </message>
    <message>
        <source>Dose label</source>
        <translation>接種回の表示</translation>
    </message>
    <message>
        <source>Dose number</source>
        <translation>接種回</translation>
    </message>
    <message>
        <source>Effective date</source>
        <translation>有効日</translation>
    </message>
    <message>
        <source>Expiry date</source>
        <translation>有効期限</translation>
    </message>
    <message>
        <source>Fiscal year</source>
        <translation>年度</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>経過観察</translation>
    </message>
    <message>
        <source>Guardian</source>
        <translation>保護者</translation>
    </message>
    <message>
        <source>Household number</source>
        <translation>世帯番号</translation>
    </message>
    <message>
        <source>Issue number</source>
        <translation>発行番号</translation>
    </message>
    <message>
        <source>Date of issue</source>
        <translation>発行日</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>対象の記録</translation>
    </message>
    <message>
        <source>Lot number</source>
        <translation>ロット番号</translation>
    </message>
    <message>
        <source>Manufacturer</source>
        <translation>製造販売業者</translation>
    </message>
    <message>
        <source>Date moved in</source>
        <translation>転入日</translation>
    </message>
    <message>
        <source>Moved out</source>
        <translation>転出</translation>
    </message>
    <message>
        <source>Date moved out</source>
        <translation>転出日</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名・名称</translation>
    </message>
    <message>
        <source>Name (kana)</source>
        <translation>カナ</translation>
    </message>
    <message>
        <source>Reason for the exception</source>
        <translation>例外の理由</translation>
    </message>
    <message>
        <source>Payment month</source>
        <translation>支払月</translation>
    </message>
    <message>
        <source>Person concerned</source>
        <translation>対象者</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>接種場所</translation>
    </message>
    <message>
        <source>Retention policy</source>
        <translation>保存期間の設定</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>郵便番号</translation>
    </message>
    <message>
        <source>Reason for postponement</source>
        <translation>見合わせの理由</translation>
    </message>
    <message>
        <source>Date of postponement</source>
        <translation>見合わせ日</translation>
    </message>
    <message>
        <source>Processing kind</source>
        <translation>処理区分</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>製品</translation>
    </message>
    <message>
        <source>Provisional</source>
        <translation>仮登録</translation>
    </message>
    <message>
        <source>Date of erasure</source>
        <translation>消去日</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>受付番号</translation>
    </message>
    <message>
        <source>Relationship</source>
        <translation>続柄</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>接種経路</translation>
    </message>
    <message>
        <source>Screening doctor</source>
        <translation>予診医師</translation>
    </message>
    <message>
        <source>Screening institution</source>
        <translation>予診医療機関</translation>
    </message>
    <message>
        <source>Vaccination type</source>
        <translation>予防接種の種類</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>接種部位</translation>
    </message>
    <message>
        <source>Special rule</source>
        <translation>特例</translation>
    </message>
    <message>
        <source>Tax status</source>
        <translation>課税区分</translation>
    </message>
    <message>
        <source>Updated by</source>
        <translation>更新者</translation>
    </message>
    <message>
        <source>Date updated</source>
        <translation>更新日</translation>
    </message>
    <message>
        <source>Time updated</source>
        <translation>更新時刻</translation>
    </message>
    <message>
        <source>Date of vaccination</source>
        <translation>接種日</translation>
    </message>
    <message>
        <source>Vaccine name</source>
        <translation>ワクチン名</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ReissueReasonDialog</name>
    <message>
        <source>Reissue</source>
        <translation>再発行</translation>
    </message>
    <message>
        <source>%1 was already issued this fiscal year. Choose the reason for the reissue.</source>
        <translation>%1は今年度すでに発行されています。再発行の理由を選んでください。</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
</context>
<context>
    <name>RekeyPage</name>
    <message>
        <source>Register key update</source>
        <translation>台帳の鍵の更新</translation>
    </message>
    <message>
        <source>Re-encrypts the register under a new key and delivers the new key to every user&apos;s key slot. A deactivated user who kept the old key can no longer read the register. Every other user must sign out first. Backups made before keep the old key.</source>
        <translation>台帳を新しい鍵で暗号化し直し、すべての利用者の鍵に新しい鍵を届けます。無効化した利用者が以前の鍵を控えていても、更新後の台帳は読めません。他の利用者は全員ログアウトしてから実行してください。更新前のバックアップは以前の鍵のままです。</translation>
    </message>
    <message>
        <source>Update the register key...</source>
        <translation>台帳の鍵を更新…</translation>
    </message>
    <message>
        <source>Update the register key now? Other users must be signed out.</source>
        <translation>台帳の鍵を今すぐ更新しますか？ 他の利用者は全員ログアウトしている必要があります。</translation>
    </message>
    <message>
        <source>Updating the register key...</source>
        <translation>台帳の鍵を更新しています…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>The register key was updated and delivered to every key slot.</source>
        <translation>台帳の鍵を更新しました。すべての利用者の鍵に新しい鍵を届けました（各利用者の次回ログインで反映されます）。</translation>
    </message>
    <message>
        <source>Cancelled. The register was not changed.</source>
        <translation>中止しました。台帳は変更していません。</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Reports</source>
        <translation>帳票</translation>
    </message>
    <message>
        <source>Monthly report to institutions</source>
        <translation>月次 実施報告（医療機関別）</translation>
    </message>
    <message>
        <source>e.g. 2025-04</source>
        <translation>例: 2025-04</translation>
    </message>
    <message>
        <source>Print monthly report [Enter]</source>
        <translation>実施報告を印刷 [Enter]</translation>
    </message>
    <message>
        <source>&amp;Payment month</source>
        <translation>支払月(&amp;P)</translation>
    </message>
    <message>
        <source>Annual statistics</source>
        <translation>年次 実施状況</translation>
    </message>
    <message>
        <source> fiscal year</source>
        <translation> 年度</translation>
    </message>
    <message>
        <source>Print annual statistics</source>
        <translation>実施状況を印刷</translation>
    </message>
    <message>
        <source>&amp;Fiscal year</source>
        <translation>年度(&amp;F)</translation>
    </message>
    <message>
        <source>Payment month must be like 2025-04.</source>
        <translation>支払月は 2025-04 の形式で入力してください。</translation>
    </message>
    <message>
        <source>Monthly report</source>
        <translation>実施報告</translation>
    </message>
</context>
<context>
    <name>ResetUserDialog</name>
    <message>
        <source>Reset user</source>
        <translation>利用者の再登録</translation>
    </message>
    <message>
        <source>All keys of %1 are replaced by one new key, with a new password. The user must be present with the new key.</source>
        <translation>%1 のキーをすべて新しいキー1本に置き換え、パスワードも新しくします。本人が新しいキーを持って立ち会ってください。</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新しいパスワード</translation>
    </message>
    <message>
        <source>Password (again)</source>
        <translation>パスワード（確認）</translation>
    </message>
    <message>
        <source>Next: enroll the key</source>
        <translation>次へ：キーを登録</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>パスワードは%1文字以上にしてください。</translation>
    </message>
    <message>
        <source>The two passwords differ. Enter them again.</source>
        <translation>2つのパスワードが一致しません。入力し直してください。</translation>
    </message>
</context>
<context>
    <name>ResultEntryDialog</name>
    <message>
        <source>Record a result</source>
        <translation>接種結果の入力</translation>
    </message>
    <message>
        <source>Save [Enter]</source>
        <translation>登録 [Enter]</translation>
    </message>
    <message>
        <source>Cancel [Esc]</source>
        <translation>キャンセル [Esc]</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>登録中...</translation>
    </message>
</context>
<context>
    <name>ResultEntryForm</name>
    <message>
        <source>e.g. R7.4.10 or 20250410</source>
        <translation>例: R7.4.10 または 20250410</translation>
    </message>
    <message>
        <source>R7.4.10, 20250410, 2025-04-10 or 令和7年4月10日</source>
        <translation>R7.4.10、20250410、2025-04-10、令和7年4月10日 のいずれの形でも入力できます</translation>
    </message>
    <message>
        <source>mL, e.g. 0.5</source>
        <translation>mL（例: 0.5）</translation>
    </message>
    <message>
        <source>e.g. 2025-04</source>
        <translation>例: 2025-04</translation>
    </message>
    <message>
        <source>From the schedule when empty</source>
        <translation>空欄なら予定どおり</translation>
    </message>
    <message>
        <source>&amp;Date given</source>
        <translation>接種日(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Vaccine</source>
        <translation>ワクチン(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Lot no.</source>
        <translation>ロット番号(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Institution code</source>
        <translation>医療機関コード(&amp;I)</translation>
    </message>
    <message>
        <source>Dose &amp;amount</source>
        <translation>接種量(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Route</source>
        <translation>接種方法(&amp;R)</translation>
    </message>
    <message>
        <source>Si&amp;te</source>
        <translation>部位(&amp;T)</translation>
    </message>
    <message>
        <source>D&amp;octor</source>
        <translation>医師(&amp;O)</translation>
    </message>
    <message>
        <source>Re&amp;ceipt no.</source>
        <translation>受付番号(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Payment month</source>
        <translation>支払月(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Series</source>
        <translation>予防接種の種類(&amp;S)</translation>
    </message>
    <message>
        <source>10 digits</source>
        <translation>10桁</translation>
    </message>
    <message>
        <source>Dose (&amp;number)</source>
        <translation>回数(&amp;N)</translation>
    </message>
    <message>
        <source>(not given)</source>
        <translation>（未選択）</translation>
    </message>
    <message>
        <source>(not a date yet)</source>
        <translation>（日付として読めません）</translation>
    </message>
    <message>
        <source>Date given: %1</source>
        <translation>接種日: %1</translation>
    </message>
    <message>
        <source>Choose the vaccine series.</source>
        <translation>予防接種の種類を選んでください。</translation>
    </message>
    <message>
        <source>Dose amount must be a number in mL (e.g. 0.5).</source>
        <translation>接種量は mL の数値で入力してください（例: 0.5）。</translation>
    </message>
    <message>
        <source>Payment month must be like 2025-04.</source>
        <translation>支払月は 2025-04 の形式で入力してください。</translation>
    </message>
</context>
<context>
    <name>RetentionConfirmDialog</name>
    <message>
        <source>Confirm the purge</source>
        <translation>消去の確認</translation>
    </message>
    <message>
        <source>These records are past retention on %1 and will be removed for good, here and (with the next sync) on the server:</source>
        <translation>次のデータは %1 時点で保存期間を過ぎています。この端末から完全に消去し、次回の同期でサーバーからも消去します。</translation>
    </message>
    <message>
        <source>Type the total number (%1) to confirm:</source>
        <translation>確認のため合計件数（%1）を入力してください:</translation>
    </message>
    <message>
        <source>Purge</source>
        <translation>消去する</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>The number does not match.</source>
        <translation>入力した件数が一致しません。</translation>
    </message>
</context>
<context>
    <name>RetentionPage</name>
    <message>
        <source> years</source>
        <translation> 年</translation>
    </message>
    <message>
        <source>Retention and erasure</source>
        <translation>保存期間と消去</translation>
    </message>
    <message>
        <source>Retention policy</source>
        <translation>保存期間の設定</translation>
    </message>
    <message>
        <source>&amp;Keep all records of residents</source>
        <translation>在住者の記録はすべて保存する(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Vaccinations and postponements (from the date):</source>
        <translation>接種記録・見合わせ（実施日から）(&amp;V):</translation>
    </message>
    <message>
        <source>&amp;Issuances (from the issue date):</source>
        <translation>発行履歴（発行日から）(&amp;I):</translation>
    </message>
    <message>
        <source>Persons who moved out or &amp;died (after that date):</source>
        <translation>転出・死亡した住民（その日から）(&amp;D):</translation>
    </message>
    <message>
        <source>&amp;Save the policy</source>
        <translation>設定を保存(&amp;S)</translation>
    </message>
    <message>
        <source>Past retention (counts by kind)</source>
        <translation>保存期間を過ぎたデータ（種類別の件数）</translation>
    </message>
    <message>
        <source>&amp;Check what is past retention</source>
        <translation>対象を確認(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Purge...</source>
        <translation>消去(&amp;P)...</translation>
    </message>
    <message>
        <source>%1: kept until %2 years after death (from %3)</source>
        <translation>%1: 死亡後 %2 年まで保存（%3 から適用）</translation>
    </message>
    <message>
        <source>The retention policy was saved.</source>
        <translation>保存期間の設定を保存しました。</translation>
    </message>
    <message>
        <source>%1 records</source>
        <translation>%1 件</translation>
    </message>
    <message>
        <source>Nothing is past retention.</source>
        <translation>保存期間を過ぎたデータはありません。</translation>
    </message>
    <message>
        <source>%1 records are past retention.</source>
        <translation>保存期間を過ぎたデータが %1 件あります。</translation>
    </message>
    <message>
        <source>%1 records were purged. The purge is queued for the server.</source>
        <translation>%1 件を消去しました。サーバーへの消去の通知は送信待ちです。</translation>
    </message>
    <message>
        <source> The freed space is reclaimed by the next purge.</source>
        <translation>空き領域は次回の消去で整理します。</translation>
    </message>
</context>
<context>
    <name>RevealReasonDialog</name>
    <message>
        <source>Show the personal number</source>
        <translation>個人番号の表示</translation>
    </message>
    <message>
        <source>The full number is shown for a short time. The reason is recorded.</source>
        <translation>番号全体を短時間だけ表示します。表示の理由は記録されます。</translation>
    </message>
    <message>
        <source>(choose a reason)</source>
        <translation>（理由を選択）</translation>
    </message>
    <message>
        <source>Required for Other (no numbers)</source>
        <translation>「その他」の場合は必須（番号は書かないでください）</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Choose a reason.</source>
        <translation>理由を選択してください。</translation>
    </message>
    <message>
        <source>For Other, write what the number is needed for.</source>
        <translation>「その他」の場合は、番号が必要な理由を入力してください。</translation>
    </message>
</context>
<context>
    <name>SettingsMenu</name>
    <message>
        <source>&amp;Office on notices</source>
        <translation>窓口の設定(&amp;O)</translation>
    </message>
    <message>
        <source>Area &amp;names</source>
        <translation>地区名(&amp;N)</translation>
    </message>
    <message>
        <source>Vaccine &amp;catalog</source>
        <translation>ワクチンカタログ(&amp;C)</translation>
    </message>
    <message>
        <source>Synced &amp;passkeys</source>
        <translation>同期パスキー(&amp;P)</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>Synchronisation</source>
        <translation>同期</translation>
    </message>
    <message>
        <source>Exchange with the server</source>
        <translation>サーバーとの受け渡し</translation>
    </message>
    <message>
        <source>Folder on the medium</source>
        <translation>媒体上のフォルダー</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>選択...</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>エクスポート(&amp;E)</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>書き出し先</translation>
    </message>
    <message>
        <source>Package file (.vxpkg)</source>
        <translation>パッケージファイル（.vxpkg）</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>インポート(&amp;I)</translation>
    </message>
    <message>
        <source>Import from</source>
        <translation>取り込むファイル</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>検査段階</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>競合（未解決）</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>隔離</translation>
    </message>
    <message>
        <source>Media ledger</source>
        <translation>媒体管理簿</translation>
    </message>
    <message>
        <source>Terminal: %1 (key %2)</source>
        <translation>端末ID: %1（鍵ID %2）</translation>
    </message>
    <message>
        <source>Not yet acknowledged: %1</source>
        <translation>未送信（受領未確認）: %1件</translation>
    </message>
    <message>
        <source>Last export: %1 (sequence %2, acknowledged %3)</source>
        <translation>前回のエクスポート: %1（通番 %2、受領確認済み %3）</translation>
    </message>
    <message>
        <source>Last import: %1 (sequence %2)</source>
        <translation>前回のインポート: %1（通番 %2）</translation>
    </message>
    <message>
        <source>No package from the server for %1 days or more. Import the latest package before continuing.</source>
        <translation>サーバーからのパッケージが%1日以上届いていません。最新のパッケージを取り込んでから業務を続けてください。</translation>
    </message>
    <message>
        <source>Packages (*.vxpkg)</source>
        <translation>パッケージ (*.vxpkg)</translation>
    </message>
    <message>
        <source>Choose the folder to export to.</source>
        <translation>書き出し先のフォルダーを選んでください。</translation>
    </message>
    <message>
        <source>Exporting...</source>
        <translation>エクスポートしています...</translation>
    </message>
    <message>
        <source>Choose the package file to import.</source>
        <translation>取り込むパッケージファイルを選んでください。</translation>
    </message>
    <message>
        <source>Importing...</source>
        <translation>インポートしています...</translation>
    </message>
    <message>
        <source>Exported sequence %1: %2 changes, %3 audit entries. File: %4</source>
        <translation>通番 %1 を書き出しました: 変更 %2件、監査ログ %3件。ファイル: %4</translation>
    </message>
    <message>
        <source>Already imported (sequence %1). Nothing was changed.</source>
        <translation>取込済みです（通番 %1）。台帳は変更していません。</translation>
    </message>
    <message>
        <source>Imported sequence %1: %2 applied, %3 quarantined, %4 conflicts.</source>
        <translation>通番 %1 を取り込みました: 反映 %2件、隔離 %3件、競合 %4件。</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was changed.</source>
        <translation>中止しました。台帳は変更していません。</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>VaxDesk - Unlock</source>
        <translation>VaxDesk - ロック解除</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>ロック解除</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>ログアウト</translation>
    </message>
    <message>
        <source>The screen is locked. Enter your password and use your security key.</source>
        <translation>画面がロックされています。パスワードを入力し、セキュリティキーで確認してください。</translation>
    </message>
</context>
<context>
    <name>UnsentLabel</name>
    <message>
        <source>Unsent: %1</source>
        <translation>未送信 %1件</translation>
    </message>
</context>
<context>
    <name>UnvaccinatedPage</name>
    <message>
        <source>Unvaccinated persons</source>
        <translation>未接種者一覧</translation>
    </message>
    <message>
        <source>All areas</source>
        <translation>全地区</translation>
    </message>
    <message>
        <source>List [Enter]</source>
        <translation>一覧作成 [Enter]</translation>
    </message>
    <message>
        <source>&amp;Series</source>
        <translation>種類(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Date</source>
        <translation>基準日(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Area</source>
        <translation>地区(&amp;A)</translation>
    </message>
    <message>
        <source>Filter the list (name, kana, address...)</source>
        <translation>一覧を絞り込み（氏名、カナ、住所など）</translation>
    </message>
    <message>
        <source>Save CSV... [Ctrl+S]</source>
        <translation>CSV保存... [Ctrl+S]</translation>
    </message>
    <message>
        <source>Print list [Ctrl+P]</source>
        <translation>一覧を印刷 [Ctrl+P]</translation>
    </message>
    <message>
        <source>Individual notices... [Ctrl+N]</source>
        <translation>個別通知... [Ctrl+N]</translation>
    </message>
    <message>
        <source>Stop saving</source>
        <translation>保存を中止</translation>
    </message>
    <message>
        <source>Choose the vaccine series.</source>
        <translation>予防接種の種類を選んでください。</translation>
    </message>
    <message>
        <source>Listing...</source>
        <translation>一覧を作成しています...</translation>
    </message>
    <message>
        <source>%1: %2 persons have not completed it.</source>
        <translation>%1: 未完了の方は %2 人です。</translation>
    </message>
    <message>
        <source>Reading the whole list... %1 of %2</source>
        <translation>一覧の全件を読み込んでいます… %1 / %2 人</translation>
    </message>
    <message>
        <source>%1 of %2 shown</source>
        <translation>%2 人中 %1 人を表示</translation>
    </message>
    <message>
        <source>Save CSV</source>
        <translation>CSV保存</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSVファイル (*.csv)</translation>
    </message>
    <message>
        <source>Folder for the notice PDFs</source>
        <translation>個別通知PDFの保存先フォルダ</translation>
    </message>
    <message>
        <source>Saving CSV... %1 of %2</source>
        <translation>CSVを保存しています… %1 / %2 人</translation>
    </message>
    <message>
        <source>Saving the CSV was stopped; no file was written.</source>
        <translation>CSVの保存を中止しました。ファイルは作成していません。</translation>
    </message>
    <message>
        <source>Saved %1 rows to %2.</source>
        <translation>%1 件を %2 に保存しました。</translation>
    </message>
    <message>
        <source>Unvaccinated list</source>
        <translation>未接種者一覧</translation>
    </message>
    <message>
        <source>Individual notices</source>
        <translation>個別通知</translation>
    </message>
</context>
<context>
    <name>UnvaccinatedTableModel</name>
    <message>
        <source>Address no.</source>
        <translation>宛名番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>氏名</translation>
    </message>
    <message>
        <source>Name (kana)</source>
        <translation>カナ氏名</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>生年月日</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>地区</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住所</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Doses given</source>
        <translation>接種済回数</translation>
    </message>
    <message>
        <source>Next dose</source>
        <translation>次回</translation>
    </message>
    <message>
        <source>Earliest date</source>
        <translation>接種可能日</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>期限</translation>
    </message>
</context>
<context>
    <name>VaccinationHistoryModel</name>
    <message>
        <source>Routine</source>
        <translation>定期</translation>
    </message>
    <message>
        <source>Voluntary</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Given</source>
        <translation>接種済</translation>
    </message>
    <message>
        <source>Postponed</source>
        <translation>見合わせ</translation>
    </message>
    <message>
        <source>Date given</source>
        <translation>接種日</translation>
    </message>
    <message>
        <source>Vaccine</source>
        <translation>ワクチン</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>回数</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>区分</translation>
    </message>
    <message>
        <source>Institution</source>
        <translation>医療機関</translation>
    </message>
    <message>
        <source>Maker</source>
        <translation>メーカー</translation>
    </message>
    <message>
        <source>Lot no.</source>
        <translation>ロット番号</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>接種医師</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <source>Void a result</source>
        <translation>接種記録の取消</translation>
    </message>
    <message>
        <source>Void this result? It stays in the register, marked as voided.</source>
        <translation>この接種記録を取り消しますか？記録は台帳に残り、取消として表示されます。</translation>
    </message>
    <message>
        <source>&amp;Reason for voiding</source>
        <translation>取消理由(&amp;R)</translation>
    </message>
    <message>
        <source>e.g. entered twice</source>
        <translation>例: 二重登録</translation>
    </message>
    <message>
        <source>Void [Enter]</source>
        <translation>取り消す [Enter]</translation>
    </message>
    <message>
        <source>Cancel [Esc]</source>
        <translation>キャンセル [Esc]</translation>
    </message>
</context>
</TS>
