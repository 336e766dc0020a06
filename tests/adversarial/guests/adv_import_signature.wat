;; Imports fd_write with the wrong signature, (f64) -> i64: must be refused at upload.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param f64) (result i64)))
  (memory 1)
  (func (export "_start")
    (drop (call $fd_write (f64.const 1.5)))))
