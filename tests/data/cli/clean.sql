SET lock_timeout = '2s';
SELECT 1;
