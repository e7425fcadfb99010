; Alembic revision files (`versions/*.py`).

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

; Operations: `op.create_index(...)`, a call on the name a
; `batch_alter_table` block binds (`batch_op.add_column(...)`), and SQL run
; through a connection (`conn.execute(sa.text(...))`,
; `op.get_bind().execute(...)`).
(call
  function: (attribute
    object: (_) @call.receiver
    attribute: (identifier) @call.name)
  arguments: (argument_list) @call.arguments) @call

; Blocks that change how the operations in them run:
; `with op.get_context().autocommit_block():` and
; `with op.batch_alter_table("t") as batch_op:`.
(with_statement
  (with_clause
    (with_item
      value: (_) @block.value))
  body: (block) @block.body) @block

; Module-level tables for `op.bulk_insert` and `op.execute(t.update())`:
; `accounts = sa.table("accounts", ...)`.
(expression_statement
  (assignment
    left: (identifier) @table.name
    right: (call
      function: (_) @table.function
      arguments: (argument_list . (string) @table.value)))
  (#match? @table.function "^(sa\\.|sqlalchemy\\.)?(table|Table)$"))
