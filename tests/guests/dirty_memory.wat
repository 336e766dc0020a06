;; Isolation check: every byte it inspects must be zero on entry (a fresh instance),
;; then it dirties low, high and freshly grown pages for the next instance to find.
;; Exits through `unreachable` if it ever sees another call's data.
(module
  (memory 4)
  (func $check_and_dirty (param $addr i32)
    (if (i64.ne (i64.load (local.get $addr)) (i64.const 0)) (then unreachable))
    (i64.store (local.get $addr) (i64.const 0x5a5a5a5a5a5a5a5a)))
  (func (export "_start")
    (local $a i32)
    (call $check_and_dirty (i32.const 0))
    (call $check_and_dirty (i32.const 70000))
    (call $check_and_dirty (i32.const 262136))
    ;; grow by 2 pages (to 6) and dirty the new ones
    (drop (memory.grow (i32.const 2)))
    (call $check_and_dirty (i32.const 262144))
    (call $check_and_dirty (i32.const 393208))
    ;; dirty every 4 KiB in the first pages
    (local.set $a (i32.const 8))
    (loop $pages
      (call $check_and_dirty (local.get $a))
      (local.set $a (i32.add (local.get $a) (i32.const 4096)))
      (br_if $pages (i32.lt_u (local.get $a) (i32.const 262144))))))
