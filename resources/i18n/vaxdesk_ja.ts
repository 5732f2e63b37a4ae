<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
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
        <source>Esc: back to search</source>
        <translation>Esc: 検索に戻る</translation>
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
</TS>
