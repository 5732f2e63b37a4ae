"""A small demo register for the GUI tests: two households, a guardian, a moved-out person and a
short vaccination history (one record voided)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.kana import normalize_kana
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser
from app.services.register_create import create_register
from app.store import db, persons
from tests.support.builder import RegisterBuilder

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
    build = RegisterBuilder(conn, origin=ORIGIN, staff_no=ADMIN.staff_no)
    try:
        with db.transaction(conn):
            households = {n: build.household(n, ADDRESS) for n in ("H0001", "H0002")}
            ids: dict[str, int] = {}
            for p in PEOPLE:
                ids[p.atena_no] = build.person(
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
                    )
                )
            build.set_guardian(ids[CHILD_ATENA], ids["1000001"])
            build.move_out(ids[MOVED_OUT_ATENA], "2024-03-31")
            institution_id = build.institution("1310001", "テスト小児科")
            for on, vaccine, dose, voided in CHILD_HISTORY:
                build.vaccination(
                    ids[CHILD_ATENA],
                    series_id="hib",
                    dose_label=dose,
                    vaccinated_on=on,
                    institution_id=institution_id,
                    lot_no="AB123",
                    doctor="小児 医師",
                    vaccine_name=vaccine,
                    maker="サノフィ",
                    voided_at="2024-07-12" if voided else None,
                    void_reason="二重登録" if voided else None,
                )
    finally:
        access.register.close()
    return directory
