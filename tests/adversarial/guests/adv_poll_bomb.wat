;; poll_oneoff with 2^28 subscriptions: the host must not size its buffers by the
;; guest's count (host memory beyond the memory cap) nor throw out of the host call.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "_start")
    (drop (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 0x10000000) (i32.const 16)))
    unreachable))
