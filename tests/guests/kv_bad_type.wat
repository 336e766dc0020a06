;; Imports wasm_actions.kv_get with the wrong type: must be refused at upload.
(module
  (import "wasm_actions" "kv_get" (func $get (param i32) (result i64)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $get (i32.const 0)))))
