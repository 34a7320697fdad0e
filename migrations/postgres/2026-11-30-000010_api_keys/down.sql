ALTER TABLE audit_log DROP COLUMN api_key_id;
DROP TABLE api_keys;
