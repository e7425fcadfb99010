; Django migrations (`<app>/migrations/NNNN_name.py`).

; `class Migration(migrations.Migration):` and its attributes
; (`atomic = False`, `dependencies = [...]`, `operations = [...]`).
(class_definition
  name: (identifier) @class.name
  superclasses: (argument_list) @class.bases
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @attribute.name
        right: (_) @attribute.value) @attribute))
  (#eq? @class.name "Migration")) @class

; Functions `RunPython` may name.
(module
  (function_definition
    name: (identifier) @function.name
    body: (block) @function.body) @function)

; Comments, where suppressions are written.
(comment) @comment
