SET lock_timeout = '2s';
SET statement_timeout = '60s';

-- preflight: ignore[drop-table] unused since release 2026.10; backed up to cold storage
DROP TABLE order_imports_2019;
