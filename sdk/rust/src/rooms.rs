//! Room handlers (docs/host-abi.md, "Rooms"): an action granted `rooms` exports `onJoin`,
//! `onMessage` and `onLeave`; clients connect by WebSocket to
//! `/rooms/<owner>/<action>/<room>`.
//!
//! ```ignore
//! use wasm_actions::rooms::{self, Event};
//!
//! fn join(e: &Event) -> Result<(), String> {
//!     if e.connection.starts_with("guest") {
//!         return Err("sign in first".into()); // refused: close code 1008, this reason
//!     }
//!     rooms::broadcast_str(&format!("{} joined", e.connection), &[&e.connection]).ok();
//!     Ok(())
//! }
//! fn message(_e: &Event, data: &[u8]) {
//!     rooms::broadcast(data, &[]).ok(); // to everyone, the sender too
//!     rooms::reply(b"sent");             // to the sender only
//! }
//! wasm_actions::on_join!(join);
//! wasm_actions::on_message!(message);
//! ```
//!
//! Build a handler as a `cdylib` (no `main`): `rustc --crate-type cdylib --target
//! wasm32-wasi ...`. The event comes from the host calls (`event_get`, `event_payload`),
//! never from the environment: in persistent mode (`settings.room_mode`) one instance runs
//! many events, and its environment and stdin stay those of the first. Rust's stdout is
//! buffered, so [`reply`] and the export macros flush it: a reply never waits for a later
//! event.

use std::io::Write;

use crate::abi::{self, with_growing_buffer, Error};

/// What kind of event runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Join,
    Message,
    Leave,
    /// A kind this SDK does not know (a newer host).
    Other(String),
}

/// The current event, as `event_get` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub room: String,
    /// The event's own connection.
    pub connection: String,
    pub action: String,
    /// A binary frame (`message_type` "binary"); false for join and leave.
    pub binary: bool,
}

impl Event {
    /// The current event; `Err(NotFound)` outside a room event (an HTTP request).
    pub fn current() -> Result<Event, Error> {
        let json = with_growing_buffer(512, |buf, cap, len| unsafe { abi::event_get(buf, cap, len) })?;
        let text = std::str::from_utf8(&json).map_err(|_| Error::InvalidArgument)?;
        Event::parse(text).ok_or(Error::InvalidArgument)
    }

    /// Parses `event_get`'s JSON: `{"event", "room", "connection", "action",
    /// "message_type"}`. Unknown keys are skipped whatever their value (a newer host may add
    /// fields); anything that is not one JSON object gives None.
    pub fn parse(json: &str) -> Option<Event> {
        let mut p = Json { s: json.as_bytes(), i: 0 };
        let mut fields: [(&str, String); 5] = [
            ("event", String::new()),
            ("room", String::new()),
            ("connection", String::new()),
            ("action", String::new()),
            ("message_type", String::new()),
        ];
        p.ws();
        p.eat(b'{')?;
        p.ws();
        if p.peek() == Some(b'}') {
            p.i += 1;
        } else {
            loop {
                p.ws();
                let key = p.string()?;
                p.ws();
                p.eat(b':')?;
                p.ws();
                match fields.iter_mut().find(|(name, _)| *name == key) {
                    Some((_, value)) => *value = p.string()?,
                    None => p.skip()?,
                }
                p.ws();
                match p.peek()? {
                    b',' => p.i += 1,
                    b'}' => {
                        p.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        p.ws();
        if p.i != p.s.len() {
            return None;
        }
        let [(_, kind), (_, room), (_, connection), (_, action), (_, message_type)] = fields;
        Some(Event {
            kind: match kind.as_str() {
                "join" => EventKind::Join,
                "message" => EventKind::Message,
                "leave" => EventKind::Leave,
                _ => EventKind::Other(kind),
            },
            room,
            connection,
            action,
            binary: message_type == "binary",
        })
    }
}

/// Just enough JSON for event_get: strings with every escape, and skipping any value.
struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Json<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? != c {
            return None;
        }
        self.i += 1;
        Some(())
    }
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        self.i += 4;
        u32::from_str_radix(text, 16).ok()
    }
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.peek()?, b'"' | b'\\') {
                if self.peek()? < 0x20 {
                    return None;
                }
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            let c = self.peek()?;
            self.i += 1;
            if c == b'"' {
                return Some(out);
            }
            let e = self.peek()?;
            self.i += 1;
            out.push(match e {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let mut cp = self.hex4()?;
                    if (0xD800..0xDC00).contains(&cp) {
                        self.eat(b'\\')?;
                        self.eat(b'u')?;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    char::from_u32(cp)?
                }
                _ => return None,
            });
        }
    }
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.i += 1;
                }
                b',' | b':' if depth > 0 => self.i += 1,
                b',' | b':' => return None,
                _ => {
                    let start = self.i;
                    while matches!(self.peek(), Some(c) if !b",}] \t\r\n".contains(&c)) {
                        self.i += 1;
                    }
                    if self.i == start {
                        return None;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

/// The current event (see [`Event::current`]).
pub fn event() -> Result<Event, Error> {
    Event::current()
}

/// The current message's bytes (empty for join and leave); `Err(NotFound)` outside a room
/// event. Retried with the needed size on `buffer_too_small`.
pub fn payload() -> Result<Vec<u8>, Error> {
    with_growing_buffer(4096, |buf, cap, len| unsafe { abi::event_payload(buf, cap, len) })
}

/// Sends `message` to every connection of the current room except the ids in `except`.
/// A message that is valid UTF-8 goes out as a text frame, anything else as binary.
pub fn broadcast(message: &[u8], except: &[&str]) -> Result<(), Error> {
    let ids = except.join("\n");
    Error::from_code(unsafe {
        abi::room_broadcast(message.as_ptr(), message.len(), ids.as_ptr(), ids.len())
    })
}

pub fn broadcast_str(message: &str, except: &[&str]) -> Result<(), Error> {
    broadcast(message.as_bytes(), except)
}

/// Sends `message` to one connection of the current room (`Err(NotFound)` if it is not
/// in the room).
pub fn send(connection: &str, message: &[u8]) -> Result<(), Error> {
    Error::from_code(unsafe {
        abi::room_send(connection.as_ptr(), connection.len(), message.as_ptr(), message.len())
    })
}

pub fn send_str(connection: &str, message: &str) -> Result<(), Error> {
    send(connection, message.as_bytes())
}

/// The current room's connection ids (any order).
pub fn connections() -> Result<Vec<String>, Error> {
    let list =
        with_growing_buffer(1024, |buf, cap, len| unsafe { abi::room_connections(buf, cap, len) })?;
    Ok(String::from_utf8_lossy(&list)
        .split('\n')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Makes room `name` of this action current for the calls above (also from an HTTP
/// request); `Err(AccessDenied)` without the `rooms` grant, `Err(InvalidArgument)` for a
/// name outside 1-128 of `[A-Za-z0-9_.~-]`.
pub fn select(name: &str) -> Result<(), Error> {
    Error::from_code(unsafe { abi::room_select(name.as_ptr(), name.len()) })
}

/// Appends to the event's reply: everything written to stdout during an event goes to the
/// event's own connection as one message (nothing if empty). Flushed at once.
pub fn reply(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    // stdout cannot fail on this host short of the output cap, which ends the call.
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

pub fn reply_str(text: &str) {
    reply(text.as_bytes())
}

/// For onJoin: refuses the connection (close code 1008, `reason` as the close reason, at
/// most 123 bytes go out) and ends the handler with a non-zero exit.
pub fn refuse(reason: &str) -> ! {
    reply(reason.as_bytes());
    std::process::exit(1)
}

fn flush() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

fn current_or_log() -> Option<Event> {
    match Event::current() {
        Ok(e) => Some(e),
        Err(err) => {
            eprintln!("wasm_actions::rooms: event_get: {}", err.name());
            None
        }
    }
}

#[doc(hidden)]
pub fn run_join(handler: fn(&Event) -> Result<(), String>) {
    let e = match current_or_log() {
        Some(e) => e,
        None => {
            flush();
            std::process::exit(70) // refuse rather than admit blindly
        }
    };
    let outcome = handler(&e);
    flush();
    if let Err(reason) = outcome {
        refuse(&reason);
    }
}

#[doc(hidden)]
pub fn run_message(handler: fn(&Event, &[u8])) {
    if let Some(e) = current_or_log() {
        match payload() {
            Ok(data) => handler(&e, &data),
            Err(err) => eprintln!("wasm_actions::rooms: event_payload: {}", err.name()),
        }
    }
    flush();
}

#[doc(hidden)]
pub fn run_leave(handler: fn(&Event)) {
    if let Some(e) = current_or_log() {
        handler(&e);
    }
    flush();
}

/// Exports `fn(&Event) -> Result<(), String>` as `onJoin`; `Err(reason)` refuses the
/// connection with that reason.
#[macro_export]
macro_rules! on_join {
    ($handler:path) => {
        #[export_name = "onJoin"]
        pub extern "C" fn __wasm_actions_on_join() {
            $crate::rooms::run_join($handler)
        }
    };
}

/// Exports `fn(&Event, &[u8])` as `onMessage` (the slice is the message).
#[macro_export]
macro_rules! on_message {
    ($handler:path) => {
        #[export_name = "onMessage"]
        pub extern "C" fn __wasm_actions_on_message() {
            $crate::rooms::run_message($handler)
        }
    };
}

/// Exports `fn(&Event)` as `onLeave` (the connection has left already: broadcasts reach
/// the others, a reply goes nowhere).
#[macro_export]
macro_rules! on_leave {
    ($handler:path) => {
        #[export_name = "onLeave"]
        pub extern "C" fn __wasm_actions_on_leave() {
            $crate::rooms::run_leave($handler)
        }
    };
}
