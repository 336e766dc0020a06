;; Spins forever calling a host function from the start function.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory 1)
  (func $spin
    (loop $forever
      (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16)))
      (br $forever)))
  (start $spin)
  (func (export "_start")))
