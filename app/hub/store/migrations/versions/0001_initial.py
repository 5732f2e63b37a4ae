"""Hub schema 1: parties and trust, the central register, channels, audit anchoring, conflicts.

Frozen: this file never imports app code; later changes are new revisions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_packages",
        sa.Column("terminal_id", sa.String(length=24), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("header_sha256", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "sequence", name=op.f("pk_applied_packages")),
        sa.UniqueConstraint("package_id", name=op.f("uq_applied_packages_package_id")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("terminal_id", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "seq", name=op.f("pk_audit_entries")),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.LargeBinary(length=16), nullable=False),
        sa.Column("winner_version", sa.String(length=64), nullable=False),
        sa.Column("loser_version", sa.String(length=64), nullable=False),
        sa.Column("winner_origin", sa.String(length=24), nullable=False),
        sa.Column("loser_origin", sa.String(length=24), nullable=False),
        sa.Column("loser_data", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.String(length=20), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    op.create_index(op.f("ix_conflicts_change_seq"), "conflicts", ["change_seq"], unique=False)
    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hub_meta")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "issued_packages",
        sa.Column("terminal_id", sa.String(length=24), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("change_seq_hi", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "sequence", name=op.f("pk_issued_packages")),
        sa.UniqueConstraint("package_id", name=op.f("uq_issued_packages_package_id")),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("ed25519", sa.String(length=64), nullable=False),
        sa.Column("x25519", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.String(length=20), nullable=False),
        sa.Column("valid_until", sa.String(length=20), nullable=True),
        sa.Column("revoked_at", sa.String(length=20), nullable=True),
        sa.Column("added_at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    op.create_table(
        "persons",
        sa.Column("uid", sa.LargeBinary(length=16), nullable=False),
        sa.Column("atena_no", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_kana", sa.Text(), nullable=False),
        sa.Column("kana_key", sa.Text(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("household_no", sa.String(length=20), nullable=False),
        sa.Column("relationship", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("moved_in_date", sa.String(length=10), nullable=True),
        sa.Column("moved_out_date", sa.String(length=10), nullable=True),
        sa.Column("deceased_date", sa.String(length=10), nullable=True),
        sa.Column("last_event", sa.String(length=8), nullable=True),
        sa.Column("last_event_date", sa.String(length=10), nullable=True),
        sa.Column("row_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=24), nullable=False),
        sa.Column("voided_at", sa.String(length=20), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_persons")),
        sa.UniqueConstraint("atena_no", name=op.f("uq_persons_atena_no")),
    )
    op.create_index(op.f("ix_persons_change_seq"), "persons", ["change_seq"], unique=False)
    op.create_index("ix_persons_kana_key", "persons", ["kana_key"], unique=False)
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("terminal_id", sa.String(length=24), nullable=True),
        sa.Column("package_id", sa.String(length=36), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=True),
        sa.Column("record_uid", sa.LargeBinary(length=16), nullable=True),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    op.create_table(
        "records",
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.LargeBinary(length=16), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=24), nullable=False),
        sa.Column("voided_at", sa.String(length=20), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("type", "uid", name=op.f("pk_records")),
    )
    op.create_index(op.f("ix_records_change_seq"), "records", ["change_seq"], unique=False)
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("terminal_id", sa.String(length=24), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_table(
        "trust_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued_at", sa.String(length=20), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_trust_versions")),
    )
    op.create_table(
        "channels",
        sa.Column("terminal_id", sa.String(length=24), nullable=False),
        sa.Column("in_last_seq", sa.BigInteger(), nullable=False),
        sa.Column("out_last_seq", sa.BigInteger(), nullable=False),
        sa.Column("out_acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("acked_change_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_contact", sa.String(length=20), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["parties.id"], name=op.f("fk_channels_terminal_id_parties")
        ),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_channels")),
    )
    op.create_table(
        "person_numbers",
        sa.Column("person_uid", sa.LargeBinary(length=16), nullable=False),
        sa.Column("uid", sa.LargeBinary(length=16), nullable=False),
        sa.Column("number_ct", sa.LargeBinary(), nullable=False),
        sa.Column("blind_index", sa.LargeBinary(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_uid"], ["persons.uid"], name=op.f("fk_person_numbers_person_uid_persons")
        ),
        sa.PrimaryKeyConstraint("person_uid", name=op.f("pk_person_numbers")),
        sa.UniqueConstraint("uid", name=op.f("uq_person_numbers_uid")),
    )
    op.create_index(
        op.f("ix_person_numbers_blind_index"), "person_numbers", ["blind_index"], unique=False
    )
    op.create_index(
        op.f("ix_person_numbers_change_seq"), "person_numbers", ["change_seq"], unique=False
    )


def downgrade() -> None:
    raise NotImplementedError("the hub never downgrades; restore a backup instead")
