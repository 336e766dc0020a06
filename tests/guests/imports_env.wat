;; Imports a function the host does not provide: must be rejected on upload.
(module
  (import "env" "magic" (func $magic))
  (func (export "_start") (call $magic)))
