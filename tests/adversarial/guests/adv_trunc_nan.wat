;; Truncating NaN to an integer: the invalid-conversion trap.
(module
  (func (export "_start")
    (drop (i32.trunc_f32_s (f32.const nan)))))
