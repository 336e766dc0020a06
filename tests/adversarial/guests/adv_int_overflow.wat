;; INT_MIN / -1: the integer-overflow trap.
(module
  (func (export "_start")
    (drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))))
