;; Unbounded recursion that calls a host function on every level: the native stack
;; runs out either in guest code or at a host call, and both must trap cleanly.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory 1)
  (func $down (param $depth i32) (result i32)
    (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16)))
    (i32.add (call $down (i32.add (local.get $depth) (i32.const 1))) (i32.const 1)))
  (func (export "_start") (drop (call $down (i32.const 0)))))
