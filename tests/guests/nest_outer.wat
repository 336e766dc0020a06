;; The outer guest of the runtime's nested-call tests: stores a marker in its memory,
;; asks the host (test import `wa_test_nest.call`) to run each inner guest 0..N-1 nested
;; in this call, then checks the marker survived and exits with 7.
(module
  (import "wa_test_nest" "count" (func $count (result i32)))
  (import "wa_test_nest" "call" (func $call (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32)
    (i32.store (i32.const 100) (i32.const 0x1234abcd))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (call $count)))
        (drop (call $call (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i32.ne (i32.load (i32.const 100)) (i32.const 0x1234abcd)) (then unreachable))
    (call $exit (i32.const 7))))
