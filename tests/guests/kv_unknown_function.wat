;; Imports a wasm_actions function the host does not provide.
(module
  (import "wasm_actions" "kv_frobnicate" (func $f (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $f (i32.const 0)))))
