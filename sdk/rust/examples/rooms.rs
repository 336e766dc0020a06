//! Chat room handler (Rust, on the wasm-actions SDK), built as a cdylib
//! (`rust_rooms.wasm`); deploy it granted `rooms` and connect to
//! `/rooms/<owner>/<action>/<room>`.
//!   onJoin     ids starting with "banned" are refused ("banned: <id>"); others get
//!              "welcome <id> to <room>" and the others "<id> joined"
//!   onMessage  "/who"            reply: the room's ids, comma-separated (sorted)
//!              "/event"          reply: the event as the SDK parsed it
//!              "/to <id> <text>" to that connection; reply: "ok" or the error name
//!              "/in <room> <text>" into another room of the action (room_select)
//!              anything else     to everyone else as it came (text or binary);
//!                                reply "ok" or the error name
//!   onLeave    "<id> left" to the room
use wasm_actions::rooms::{self, Event};

fn join(e: &Event) -> Result<(), String> {
    if e.connection.starts_with("banned") {
        return Err(format!("banned: {}", e.connection));
    }
    // Best effort: a failed broadcast must not refuse the join.
    let _ = rooms::broadcast_str(&format!("{} joined", e.connection), &[&e.connection]);
    rooms::reply_str(&format!("welcome {} to {}", e.connection, e.room));
    Ok(())
}

fn outcome(result: Result<(), wasm_actions::Error>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(e) => e.name(),
    }
}

fn message(e: &Event, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if text == "/who" {
        match rooms::connections() {
            Ok(mut ids) => {
                ids.sort();
                rooms::reply_str(&ids.join(","));
            }
            Err(err) => rooms::reply_str(err.name()),
        }
    } else if text == "/event" {
        rooms::reply_str(&format!(
            "kind={:?} room={} connection={} action={} binary={}",
            e.kind, e.room, e.connection, e.action, e.binary
        ));
    } else if let Some(rest) = text.strip_prefix("/to ") {
        let (id, body) = rest.split_once(' ').unwrap_or((rest, ""));
        rooms::reply_str(outcome(rooms::send_str(id, body)));
    } else if let Some(rest) = text.strip_prefix("/in ") {
        let (room, body) = rest.split_once(' ').unwrap_or((rest, ""));
        let selected = outcome(rooms::select(room));
        let sent = outcome(rooms::broadcast_str(body, &[]));
        rooms::reply_str(&format!("{selected} {sent}"));
    } else {
        rooms::reply_str(outcome(rooms::broadcast(data, &[&e.connection])));
    }
}

fn leave(e: &Event) {
    let _ = rooms::broadcast_str(&format!("{} left", e.connection), &[]);
}

wasm_actions::on_join!(join);
wasm_actions::on_message!(message);
wasm_actions::on_leave!(leave);
