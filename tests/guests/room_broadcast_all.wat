;; docs/host-abi.md's raw WAT room handler (keep the two the same): onMessage broadcasts
;; the message to everyone, the sender included. room_functions_test.cc runs it.
(module
  (import "wasm_actions" "event_payload"
    (func $event_payload (param i32 i32 i32) (result i32)))
  (import "wasm_actions" "room_broadcast"
    (func $room_broadcast (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0: the payload's length (u32), 16..65552: the payload
  (func (export "onMessage")
    (if (call $event_payload (i32.const 16) (i32.const 65536) (i32.const 0))
      (then return))                                   ;; e.g. 4: over 64 KiB, skip it
    (drop (call $room_broadcast (i32.const 16) (i32.load (i32.const 0))
                                (i32.const 0) (i32.const 0)))))
