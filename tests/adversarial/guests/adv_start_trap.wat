;; Traps inside the start function, which runs during instantiation.
(module
  (memory 1)
  (func $boom unreachable)
  (start $boom)
  (func (export "_start")))
