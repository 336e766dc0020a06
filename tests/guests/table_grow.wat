;; Grows a table by 2,000,000 elements (48 MB of host memory, outside the memory cap).
;; Exits 0 if the host refuses (table.grow returns -1), 1 if it grants it.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (table 1 funcref)
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit
      (i32.ne (table.grow 0 (ref.null func) (i32.const 2000000)) (i32.const -1)))))
