;; Uses SIMD: must be rejected, naming the feature.
(module
  (func (export "_start")
    (drop (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 1 2 3 4)))))
