-- Validation cannot be undone, and need not be: nothing to roll back.
SELECT 1;
