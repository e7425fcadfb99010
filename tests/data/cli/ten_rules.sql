CREATE INDEX users_email_idx ON users (email);
ALTER TABLE users ADD COLUMN plan text NOT NULL;
ALTER TABLE users ALTER COLUMN region SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE events ALTER COLUMN id TYPE bigint;
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE users DROP COLUMN legacy;
DROP TABLE sessions;
