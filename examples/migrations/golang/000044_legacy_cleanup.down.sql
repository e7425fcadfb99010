-- Irreversible: the table's data is in the 2026-10 cold-storage backup.
SELECT 1;
