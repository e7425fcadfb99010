SET lock_timeout = '2s';
ALTER TABLE "é🚀表" DROP COLUMN c;
