SET lock_timeout = '2s';

-- preflight: ignore[drop-column] no code has read this column since release 2026.10
ALTER TABLE orders DROP COLUMN legacy_flag;
DROP TABLE order_imports_2019;
