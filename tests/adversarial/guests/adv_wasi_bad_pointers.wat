;; Hands WASI functions pointers and lengths outside its memory, then answers normally:
;; each call must fail (EFAULT/EINVAL) or trap; none may touch host memory.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  ;; iovec at 64: {ptr 0xfffffff0, len 0x100}; iovec at 72: {ptr 1024, len 0xffffffff}
  (data (i32.const 64) "\f0\ff\ff\ff\00\01\00\00\00\04\00\00\ff\ff\ff\ff")
  ;; the real answer at 256, its iovec at 128
  (data (i32.const 128) "\00\01\00\00\27\00\00\00")
  (data (i32.const 256) "Content-Type: text/plain\n\nsurvived bad\n")
  (func (export "_start")
    (drop (call $random_get (i32.const 65000) (i32.const 100000)))
    (drop (call $random_get (i32.const 0xfffffff0) (i32.const 32)))
    (drop (call $fd_write (i32.const 1) (i32.const 65530) (i32.const 100) (i32.const 0)))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 0)))
    (drop (call $fd_write (i32.const 1) (i32.const 72) (i32.const 1) (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 0x7fffffff) (i32.const 8)))
    (drop (call $fd_read (i32.const 0) (i32.const 72) (i32.const 1) (i32.const 0xfffffffc)))
    (drop (call $args_get (i32.const 0xffff0000) (i32.const 0xffff0000)))
    (drop (call $environ_get (i32.const 65535) (i32.const 65535)))
    (drop (call $fd_write (i32.const 1) (i32.const 128) (i32.const 1) (i32.const 0)))))
