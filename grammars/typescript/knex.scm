; Knex migrations: `exports.up = function (knex) { ... }`, ES modules'
; `export async function up(knex)`, and `exports.config = { transaction: false }`.

(assignment_expression
  left: (member_expression
    object: (identifier) @_exports
    property: (property_identifier) @export.name)
  right: (_) @export.value
  (#eq? @_exports "exports"))

(assignment_expression
  left: (member_expression
    object: (member_expression
      object: (identifier) @_module
      property: (property_identifier) @_exports)
    property: (property_identifier) @export.name)
  right: (_) @export.value
  (#eq? @_module "module")
  (#eq? @_exports "exports"))

(export_statement
  declaration: (function_declaration
    name: (identifier) @export.name) @export.value)

(export_statement
  declaration: (lexical_declaration
    (variable_declarator
      name: (identifier) @export.name
      value: (_) @export.value)))

; Builder calls: `knex.schema.alterTable('t', (table) => ...)`,
; `table.index(['c'])`, `knex.raw('...')`.
(call_expression
  function: (member_expression
    object: (_) @call.receiver
    property: (property_identifier) @call.name)
  arguments: (arguments) @call.arguments) @call

; The statements of every block and of the module, which a rewrite precedes
; or wraps, and the comments, where suppressions are written.
(statement_block (_) @statement)
(program (_) @statement)
(comment) @comment
