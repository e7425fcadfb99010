-- VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes continue.
SET statement_timeout = 0;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_non_negative;
