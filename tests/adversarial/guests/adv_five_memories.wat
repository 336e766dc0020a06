;; Five memories (multi-memory): the runtime tracks four per call; must be refused.
(module
  (memory $m0 1) (memory $m1 1) (memory $m2 1) (memory $m3 1) (memory $m4 1)
  (func (export "_start")
    (i32.store $m4 (i32.const 65536) (i32.const 1))))
