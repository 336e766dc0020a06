;; call_indirect with the wrong signature: the indirect-call type-mismatch trap.
(module
  (type $takes_i32 (func (param i32)))
  (type $void (func))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f (param i32))
  (func (export "_start")
    (call_indirect (type $void) (i32.const 0))))
