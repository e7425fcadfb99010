ALTER TABLE accounts RENAME COLUMN display_name TO name;
ALTER TABLE accounts ALTER COLUMN region DROP NOT NULL;
ALTER TABLE accounts DROP CONSTRAINT accounts_owner_fk;
DROP INDEX accounts_email_idx;
ALTER TABLE accounts DROP COLUMN plan;
