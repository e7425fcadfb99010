; Alembic revision files (`versions/*.py`): what the module declares. Matched
; at the top of the tree only; `alembic-ops.scm` reads `upgrade()`.

; The revision identifiers, typed or not: `revision: str = "ae1027a6acf"`.
(module
  (expression_statement
    (assignment
      left: (identifier) @assign.name
      right: (_) @assign.value))
  (#any-of? @assign.name "revision" "down_revision"))

; The entry points the runner calls.
(module
  (function_definition
    name: (identifier) @function.name
    body: (block) @function.body) @function
  (#any-of? @function.name "upgrade" "downgrade"))

; Module-level tables for `op.bulk_insert` and `op.execute(t.update())`:
; `accounts = sa.table("accounts", ...)`.
(module
  (expression_statement
    (assignment
      left: (identifier) @table.name
      right: (call
        function: (_) @table.function
        arguments: (argument_list . (string) @table.value))))
  (#match? @table.function "^(sa\\.|sqlalchemy\\.)?(table|Table)$"))

; Comments outside the functions (an `ignore-file` directive).
(module (comment) @comment)
