;; Spins forever in the start function, which runs during instantiation.
(module
  (memory 1)
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "_start")))
