SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- preflight: ignore[drop-table] undoes 000042: the table is new in this release
DROP TABLE IF EXISTS order_notes;
-- preflight: ignore[statement-after-access-exclusive] rollback only, run in a maintenance window
ALTER TABLE orders
    DROP CONSTRAINT IF EXISTS orders_total_non_negative,
    DROP CONSTRAINT IF EXISTS orders_user_fk,
    -- preflight: ignore[drop-column] undoes 000042: the column is new in this release
    DROP COLUMN IF EXISTS status;
