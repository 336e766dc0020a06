;; poll_oneoff with 100,000 subscriptions (zeroed: realtime clocks, timeout 0) and
;; room for as many events; exits with the errno it returns. The host must refuse the
;; count (EINVAL, 28) rather than allocate per subscription without bound.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 160)
  (func (export "_start")
    (call $proc_exit
      (call $poll_oneoff (i32.const 0) (i32.const 4800000) (i32.const 100000)
                         (i32.const 8000000)))))
