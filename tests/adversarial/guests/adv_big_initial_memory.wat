;; Declares 4 GiB of initial memory, far above any action's memory cap.
(module
  (memory 65536)
  (func (export "_start")
    (i32.store (i32.const 0xfffffff0) (i32.const 1))))
