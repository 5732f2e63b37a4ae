"""Lists and reports: 未接種者一覧 and the nurses' 帳票."""
