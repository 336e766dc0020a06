;; Recursion with a large frame per level (many live locals), so the native stack runs
;; out after few levels, with big strides through the guard area.
(module
  (func $down (param $n i64) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e i64) (local $f i64) (local $g i64) (local $h i64)
    (local.set $a (i64.mul (local.get $n) (i64.const 3)))
    (local.set $b (i64.add (local.get $a) (i64.const 5)))
    (local.set $c (i64.xor (local.get $b) (local.get $n)))
    (local.set $d (i64.mul (local.get $c) (local.get $a)))
    (local.set $e (i64.add (local.get $d) (local.get $b)))
    (local.set $f (i64.sub (local.get $e) (local.get $c)))
    (local.set $g (i64.mul (local.get $f) (local.get $d)))
    (local.set $h (i64.add (local.get $g) (local.get $e)))
    (i64.add
      (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $d)))
      (i64.add
        (i64.add (local.get $e) (local.get $f))
        (i64.add (local.get $g)
          (i64.add (local.get $h) (call $down (i64.add (local.get $n) (i64.const 1))))))))
  (func (export "_start") (drop (call $down (i64.const 0)))))
