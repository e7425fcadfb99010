; The operations of one statement of an Alembic `upgrade()`, matched within
; that statement (the front end re-reads only statements whose text changed).

; Operations: `op.create_index(...)`, a call on the name a
; `batch_alter_table` block binds (`batch_op.add_column(...)`), and SQL run
; through a connection (`conn.execute(sa.text(...))`,
; `op.get_bind().execute(...)`).
(call
  function: (attribute
    object: (_) @call.receiver
    attribute: (identifier) @call.name)
  arguments: (argument_list) @call.arguments
  (#any-of? @call.name
    "create_index" "drop_index" "add_column" "alter_column"
    "create_unique_constraint" "create_primary_key" "create_foreign_key"
    "create_check_constraint" "create_exclude_constraint" "drop_constraint"
    "drop_column" "drop_table" "rename_table" "create_table" "bulk_insert"
    "execute" "exec_driver_sql")) @call

; Blocks that change how the operations in them run:
; `with op.get_context().autocommit_block():` and
; `with op.batch_alter_table("t") as batch_op:`.
(with_statement
  (with_clause
    (with_item
      value: (_) @block.value))
  body: (block) @block.body) @block

; The statements of every block, which a rewrite wraps or precedes, and the
; comments, where suppressions are written.
(block (_) @statement)
(comment) @comment
