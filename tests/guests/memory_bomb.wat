;; Grows memory a page at a time until refused, then traps: the cap must stop it.
(module
  (memory 1)
  (func (export "_start")
    (loop $grow
      (if (i32.ne (memory.grow (i32.const 16)) (i32.const -1))
        (then (br $grow))))
    unreachable))
