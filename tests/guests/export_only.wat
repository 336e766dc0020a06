;; A reactor-style module: no _start, one exported entry point that traps.
(module
  (func (export "run") unreachable)
  (func (export "noop")))
