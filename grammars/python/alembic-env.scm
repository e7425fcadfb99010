; An Alembic `env.py`: how every revision runs.

; `context.configure(..., transaction_per_migration=True, transactional_ddl=False)`.
(call
  function: (attribute attribute: (identifier) @configure.function)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @configure.name
      value: (_) @configure.value))
  (#eq? @configure.function "configure"))

; Session settings: `connect_args={"options": "-c lock_timeout=2000"}`,
; `connection.execute(text("SET lock_timeout = '2s'"))`, or a key named for
; the setting. Comments are not strings, so a commented-out line counts for
; nothing.
(string) @setting.string

(keyword_argument
  name: (identifier) @setting.key
  value: (_) @setting.value
  (#any-of? @setting.key "lock_timeout" "statement_timeout"))

(pair
  key: (string) @setting.key
  value: (_) @setting.value)
