;; call_indirect through an empty table slot, then past the table's end.
(module
  (type $void (func))
  (table 2 funcref)
  (elem (i32.const 0) $f)
  (func $f)
  (func (export "_start")
    (call_indirect (type $void) (i32.const 1))
    (call_indirect (type $void) (i32.const 100))))
