-- A typical first draft: every statement here would hurt production.
ALTER TABLE accounts ADD COLUMN plan text NOT NULL;
CREATE INDEX accounts_email_idx ON accounts (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id);
ALTER TABLE accounts ALTER COLUMN region SET NOT NULL;
ALTER TABLE accounts RENAME COLUMN name TO display_name;
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14, 4);
