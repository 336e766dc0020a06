;; Imports a WASI function by its right name with the wrong type: C symbols carry no
;; types, so it would link and run with garbage arguments. Must be rejected on upload.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param f64) (result i64)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fd_write (f64.const 1)))))
