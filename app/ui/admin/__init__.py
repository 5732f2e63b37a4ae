"""Administration: users and their keys, the access review and the audit-log viewer."""
