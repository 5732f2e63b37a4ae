"""A small demo register for the GUI tests: two households, a guardian, a moved-out person and a
short vaccination history (one record voided)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.kana import normalize_kana
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser, create_register
from app.store import db, persons, stamps

ADMIN = NewUser("admin", "管理 太郎", "90001", "demo-admin", ("admin",))
CLERK = NewUser("clerk", "窓口 花子", "90002", "demo-clerk", ("clerk",))


@dataclass(frozen=True, slots=True)
class SamplePerson:
    atena_no: str
    name: str
    kana: str
    sex: str
    birth: str
    household: str | None
    relationship: str | None


PEOPLE = (
    SamplePerson("1000001", "山田 太郎", "ヤマダ タロウ", "M", "1990-05-01", "H0001", "世帯主"),
    SamplePerson("1000002", "山田 花子", "ヤマダ ハナコ", "F", "1992-08-15", "H0001", "妻"),
    SamplePerson("1000003", "山田 一郎", "ヤマダ イチロウ", "M", "2024-04-10", "H0001", "子"),
    SamplePerson("1000010", "山本 次郎", "ヤマモト ジロウ", "M", "1985-01-20", None, None),
    SamplePerson("2000001", "鈴木 さくら", "スズキ サクラ", "F", "2023-11-03", "H0002", "子"),
)
CHILD_ATENA = "1000003"
MOVED_OUT_ATENA = "1000010"
# vaccinated_on, vaccine name, dose label, voided
CHILD_HISTORY = (
    ("2024-06-10", "アクトヒブ", "初回1回目", False),
    ("2024-07-10", "アクトヒブ", "初回2回目", False),
    ("2024-07-11", "アクトヒブ", "初回2回目", True),
)
ADDRESS = "テスト市本町1-2-3"
ORIGIN = "hub"


def make_sample_register(directory: Path, *, demo: bool = True) -> Path:
    """Create the register (demo by default: its security key is the demo software key, so a
    login needs only the password) and fill it. Returns ``directory``."""
    created = create_register(directory, admin=ADMIN, others=[CLERK], demo=demo)
    access = open_with_recovery_code(directory, created.recovery_code)
    conn = access.register.conn
    clock = stamps.HybridClock(ORIGIN)
    stamp = stamps.Stamp.now(ADMIN.staff_no)
    common = (stamp.updated_date, stamp.updated_time, stamp.updated_by)
    try:
        with db.transaction(conn):
            households: dict[str, int] = {}
            for number in ("H0001", "H0002"):
                cur = conn.execute(
                    "INSERT INTO households (uid, version, origin, household_no, address,"
                    " updated_date, updated_time, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (stamps.new_uid(), clock.next(), ORIGIN, number, ADDRESS, *common),
                )
                households[number] = int(cur.lastrowid or 0)
            ids: dict[str, int] = {}
            for p in PEOPLE:
                ids[p.atena_no] = persons.insert(
                    conn,
                    persons.NewPerson(
                        atena_no=p.atena_no,
                        name=p.name,
                        name_kana=p.kana,
                        kana_key=normalize_kana(p.kana),
                        sex=p.sex,
                        birth_date=p.birth,
                        address=ADDRESS,
                        postal_code="100-0001",
                        household_id=households[p.household] if p.household else None,
                        relationship=p.relationship,
                    ),
                    uid=stamps.new_uid(),
                    version=clock.next(),
                    origin=ORIGIN,
                    stamp=stamp,
                )
            conn.execute(
                "UPDATE persons SET guardian_id = ? WHERE id = ?",
                (ids["1000001"], ids[CHILD_ATENA]),
            )
            conn.execute(
                "UPDATE persons SET moved_out = 1, moved_out_date = '2024-03-31' WHERE id = ?",
                (ids[MOVED_OUT_ATENA],),
            )
            cur = conn.execute(
                "INSERT INTO institutions (uid, version, origin, code, name, updated_date,"
                " updated_time, updated_by) VALUES (?, ?, ?, '1310001', 'テスト小児科', ?, ?, ?)",
                (stamps.new_uid(), clock.next(), ORIGIN, *common),
            )
            institution_id = int(cur.lastrowid or 0)
            for on, vaccine, dose, voided in CHILD_HISTORY:
                conn.execute(
                    "INSERT INTO vaccinations (uid, version, origin, person_id, series_id,"
                    " dose_label, vaccinated_on, institution_id, lot_no, doctor, vaccine_name,"
                    " maker, voided_at, void_reason, updated_date, updated_time, updated_by)"
                    " VALUES (?, ?, ?, ?, 'hib', ?, ?, ?, 'AB123', '小児 医師', ?, 'サノフィ',"
                    " ?, ?, ?, ?, ?)",
                    (
                        stamps.new_uid(), clock.next(), ORIGIN, ids[CHILD_ATENA], dose, on,
                        institution_id, vaccine, "2024-07-12" if voided else None,
                        "二重登録" if voided else None, *common,
                    ),
                )  # fmt: skip
    finally:
        access.register.close()
    return directory
