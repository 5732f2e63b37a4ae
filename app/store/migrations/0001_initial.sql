-- VaxDesk register, schema 1.
-- Every synced record: id (local rowid), uid (UUIDv7, 16 bytes), version (hybrid logical clock text
-- that sorts), origin (terminal or server id), voided_at / void_reason (no hard deletes), and
-- 更新日・更新時刻・更新者職員番号 (updated_date, updated_time, updated_by).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE households (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    household_no  TEXT NOT NULL UNIQUE,           -- 世帯番号
    postal_code   TEXT,
    address       TEXT NOT NULL,
    area_code     TEXT,                           -- 地区 (for lists by area)
    voided_at     TEXT,
    void_reason   TEXT,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

CREATE TABLE persons (
    id               INTEGER PRIMARY KEY,
    uid              BLOB NOT NULL UNIQUE,
    version          TEXT NOT NULL,
    origin           TEXT NOT NULL,
    atena_no         TEXT NOT NULL UNIQUE,        -- 宛名番号
    name             TEXT NOT NULL,               -- 氏名
    name_kana        TEXT NOT NULL,               -- カナ氏名 as registered
    kana_key         TEXT NOT NULL,               -- normalised search key (app.domain.kana)
    sex              TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date       TEXT NOT NULL,               -- ISO 8601
    household_id     INTEGER REFERENCES households(id),
    relationship     TEXT,                        -- 続柄 (to the head of household)
    guardian_id      INTEGER REFERENCES persons(id),
    postal_code      TEXT,
    address          TEXT NOT NULL,               -- 住所
    phone            TEXT,                        -- 電話番号
    tax_status       TEXT,                        -- 課税非課税区分
    moved_in_date    TEXT,
    moved_out        INTEGER NOT NULL DEFAULT 0,  -- 転出
    moved_out_date   TEXT,
    deceased         INTEGER NOT NULL DEFAULT 0,  -- 死亡
    deceased_date    TEXT,
    provisional      INTEGER NOT NULL DEFAULT 0,  -- entered on a terminal, not yet from 宛名
    voided_at        TEXT,
    void_reason      TEXT,
    updated_date     TEXT NOT NULL,
    updated_time     TEXT NOT NULL,
    updated_by       TEXT NOT NULL
);
CREATE INDEX persons_kana ON persons (kana_key);
CREATE INDEX persons_birth ON persons (birth_date);
CREATE INDEX persons_household ON persons (household_id);

-- 個人番号, kept apart from the 4 basic items: value encrypted with the number key NK
-- (nonce || ChaCha20-Poly1305 ciphertext, person uid as associated data) plus a keyed blind index
-- (HMAC-SHA256 under a key derived from NK) for exact lookup.
CREATE TABLE person_numbers (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    person_id     INTEGER NOT NULL UNIQUE REFERENCES persons(id),
    number_ct     BLOB NOT NULL,
    blind_index   BLOB NOT NULL,
    voided_at     TEXT,
    void_reason   TEXT,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE INDEX person_numbers_blind ON person_numbers (blind_index);

CREATE TABLE institutions (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    code          TEXT NOT NULL UNIQUE,           -- 医療機関コード
    name          TEXT NOT NULL,
    name_kana     TEXT,
    address       TEXT,
    phone         TEXT,
    voided_at     TEXT,
    void_reason   TEXT,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

CREATE TABLE vaccines (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    product_id    TEXT NOT NULL UNIQUE,           -- catalog product id (e.g. dpt_ipv_hib)
    name          TEXT NOT NULL,                  -- ワクチン名称
    maker         TEXT NOT NULL,                  -- ワクチンメーカー
    voided_at     TEXT,
    void_reason   TEXT,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

CREATE TABLE lots (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    vaccine_id    INTEGER NOT NULL REFERENCES vaccines(id),
    lot_no        TEXT NOT NULL,
    expires_on    TEXT,
    voided_at     TEXT,
    void_reason   TEXT,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    UNIQUE (vaccine_id, lot_no)
);

CREATE TABLE unit_prices (
    id             INTEGER PRIMARY KEY,
    series_id      TEXT NOT NULL,
    product_id     TEXT,
    price_yen      INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    updated_date   TEXT NOT NULL,
    updated_time   TEXT NOT NULL,
    updated_by     TEXT NOT NULL
);

-- 発行履歴
CREATE TABLE issuances (
    id             INTEGER PRIMARY KEY,
    uid            BLOB NOT NULL UNIQUE,
    version        TEXT NOT NULL,
    origin         TEXT NOT NULL,
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    fiscal_year    INTEGER NOT NULL,              -- 発行年度
    doc_type       TEXT NOT NULL,                 -- 検診種類: yoshinhyo / voucher / certificate / notice
    series_id      TEXT,
    dose_label     TEXT,
    issue_no       TEXT NOT NULL UNIQUE,          -- 発行番号 / 接種券番号 (10 digits for vouchers)
    reason         TEXT,                          -- 発行理由 (reissue reason)
    issued_on      TEXT NOT NULL,                 -- 発行日
    process_kind   TEXT NOT NULL,                 -- 処理区分: new / reissue / cancel
    voided_at      TEXT,
    void_reason    TEXT,
    updated_date   TEXT NOT NULL,
    updated_time   TEXT NOT NULL,
    updated_by     TEXT NOT NULL
);
CREATE INDEX issuances_person ON issuances (person_id, fiscal_year);

-- 予防接種結果 (one row per dose, or per postponement 見合わせ)
CREATE TABLE vaccinations (
    id                   INTEGER PRIMARY KEY,
    uid                  BLOB NOT NULL UNIQUE,
    version              TEXT NOT NULL,
    origin               TEXT NOT NULL,
    person_id            INTEGER NOT NULL REFERENCES persons(id),
    series_id            TEXT NOT NULL,           -- canonical series id (DOMAIN.md §2)
    product_id           TEXT,                    -- catalog product id
    dose_no              INTEGER,                 -- 接種回 within the series
    dose_label           TEXT,                    -- 初回1回目 … 追加 / 1回目 …
    outcome              TEXT NOT NULL DEFAULT 'given' CHECK (outcome IN ('given', 'postponed')),
    category             TEXT NOT NULL DEFAULT 'routine' CHECK (category IN ('routine', 'voluntary')),
    vaccinated_on        TEXT NOT NULL,           -- 実施日
    receipt_no           TEXT,                    -- 受付番号
    institution_id       INTEGER REFERENCES institutions(id),  -- 医療機関
    payment_month        TEXT,                    -- 支払月 (YYYY-MM)
    follow_up            INTEGER NOT NULL DEFAULT 0,  -- フォロー登録
    lot_no               TEXT,                    -- ロット番号
    dose_amount_ml       REAL,                    -- 接種量
    route                TEXT,                    -- 接種方式 (subcutaneous / intramuscular / oral …)
    site                 TEXT,                    -- 接種部位
    place                TEXT,                    -- 接種場所
    doctor               TEXT,                    -- 接種医師
    vaccine_name         TEXT,                    -- ワクチン名称
    maker                TEXT,                    -- ワクチンメーカー
    effective_date       TEXT,                    -- 有効日
    screening_institution_id INTEGER REFERENCES institutions(id),  -- 予診医療機関
    screening_doctor     TEXT,                    -- 予診医師
    issuance_id          INTEGER REFERENCES issuances(id),
    override_reason      TEXT,                    -- reason recorded when a warning was overridden
    postpone_reason      TEXT,                    -- 見合わせ理由
    special_rule         TEXT,                    -- e.g. 長期療養特例 with 理由書
    voided_at            TEXT,
    void_reason          TEXT,
    updated_date         TEXT NOT NULL,
    updated_time         TEXT NOT NULL,
    updated_by           TEXT NOT NULL
);
CREATE INDEX vaccinations_person ON vaccinations (person_id, vaccinated_on);
CREATE INDEX vaccinations_series ON vaccinations (series_id, person_id);
CREATE INDEX vaccinations_receipt ON vaccinations (receipt_no);

CREATE TABLE roles (
    code     TEXT PRIMARY KEY,
    name_ja  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE role_permissions (
    role_code   TEXT NOT NULL REFERENCES roles(code),
    permission  TEXT NOT NULL,
    PRIMARY KEY (role_code, permission)
) WITHOUT ROWID;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    uid             BLOB NOT NULL UNIQUE,
    login           TEXT NOT NULL UNIQUE,
    staff_no        TEXT NOT NULL UNIQUE,         -- 職員番号
    display_name    TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    shared_account  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    deactivated_at  TEXT,
    last_login_at   TEXT,
    updated_date    TEXT NOT NULL,
    updated_time    TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role_code  TEXT NOT NULL REFERENCES roles(code),
    PRIMARY KEY (user_id, role_code)
) WITHOUT ROWID;

CREATE TABLE terminals (
    id             INTEGER PRIMARY KEY,
    terminal_id    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    public_key     BLOB,
    provisioned_at TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1
);

-- Tamper-evident audit log: append only, each entry chained to the previous by SHA-256.
-- Holds ids and codes only, never names or numbers.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,                   -- UTC ISO 8601 with milliseconds
    user_id      INTEGER,
    terminal_id  TEXT NOT NULL,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL,                   -- ok / denied / failed
    person_id    INTEGER,
    record_type  TEXT,
    record_id    INTEGER,
    detail       TEXT NOT NULL DEFAULT '{}',      -- JSON of codes and counts
    prev_hash    BLOB NOT NULL,
    entry_hash   BLOB NOT NULL
);
CREATE INDEX audit_user ON audit_log (user_id, at);
CREATE INDEX audit_person ON audit_log (person_id);
CREATE INDEX audit_action ON audit_log (action, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Changes waiting for export to the LG-WAN server.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_uid   BLOB NOT NULL,
    version      TEXT NOT NULL,
    queued_at    TEXT NOT NULL,
    package_seq  INTEGER,                         -- set when exported
    acked        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (acked, package_seq);
