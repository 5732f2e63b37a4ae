-- 鍵の更新 (issue 11 item 4): registers made before this release seeded their roles without the
-- permission that guards it (resources/security/roles.json gives it to システム管理者).
INSERT OR IGNORE INTO role_permissions (role_code, permission)
    SELECT code, 'register.rekey' FROM roles WHERE code = 'admin';
