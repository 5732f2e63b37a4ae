"""Rows of a decided 未接種者一覧 with their display columns (name, address), masked for the
session: a page of the screen, a chunk of a print or CSV."""

from __future__ import annotations

from collections.abc import Sequence

from app.security.masking import Policy, apply, person_policy
from app.security.session import Session
from app.services._list_types import Decided, UnvaccinatedDecision, UnvaccinatedEntry
from app.store import lists


def display_rows(
    session: Session, decision: UnvaccinatedDecision, rows: Sequence[Decided]
) -> list[UnvaccinatedEntry]:
    """Display columns of ``rows`` (a slice of the decision's), masked for the session; rows of
    persons removed from the register since are left out."""
    if not rows:
        return []
    lo, hi = rows[0].birth_date.isoformat(), rows[-1].birth_date.isoformat()
    spans = [(max(a, lo), min(b, hi)) for a, b in decision.ranges if a <= hi and b >= lo]
    conn = session.register.conn
    wanted = {r.person_id for r in rows}
    shown = lists.shown_rows(conn, wanted, spans)
    if len(shown) < len(wanted):  # changed since the list was decided: read them by id
        shown.update(lists.shown_by_id(conn, [i for i in wanted if i not in shown]))
    policy = person_policy(session.permissions)
    out = []
    for r in rows:
        s = shown.get(r.person_id)
        if s is None:  # removed from the register since: left out of the page
            continue
        if policy is Policy.SHOW:
            name, kana, postal, address = s.name, s.name_kana, s.postal_code, s.address
        else:
            name = apply(policy, s.name, kind="name") or ""
            kana = apply(policy, s.name_kana, kind="name") or ""
            postal, address = apply(policy, s.postal_code), apply(policy, s.address) or ""
        st = r.judged
        out.append(
            UnvaccinatedEntry(
                r.person_id,
                s.atena_no,
                name,
                kana,
                r.sex,
                r.birth_date,
                postal,
                address,
                s.area_code,
                st.status,
                st.doses_given,
                st.next_dose,
                st.earliest,
                st.window_until,
                st.next_product,
            )
        )
    return out
