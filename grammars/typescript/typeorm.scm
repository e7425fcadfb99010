; TypeORM migrations: `class X implements MigrationInterface { up(queryRunner) ... }`.

(class_declaration
  name: (type_identifier) @class.name
  body: (class_body) @class.body) @class

; `public async up(queryRunner: QueryRunner): Promise<void> { ... }`.
(method_definition
  name: (property_identifier) @method.name
  parameters: (formal_parameters) @method.parameters
  body: (statement_block) @method.body) @method

; The class-level `transaction = false`.
(public_field_definition
  name: (property_identifier) @field.name
  value: (_) @field.value)

; `queryRunner.query(...)`, `queryRunner.createIndex(...)`.
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
