//! The simulation worker: a Web Worker the app hands "as fast as possible" runs to, so the
//! page keeps drawing at the display's pace while the engine runs flat out on another thread.
//!
//! It speaks `sim::remote`'s protocol: says Ready with its snapshot fingerprint, takes up a
//! run from a snapshot on Start, advances it in slices (looking at its messages between them,
//! so a Stop lands within a slice), sends Progress about ten times a second and Done with the
//! whole state at the stop. All the logic is in `sim::remote` (tested natively); this is the
//! wiring to the worker's message ports.

use std::cell::RefCell;
use std::rc::Rc;

use archplay::sim::remote::{Ahead, FromRemote, ToRemote, decode, encode, warm_up};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, MessagePort};

/// Events between looks at the clock.
const SLICE_EVENTS: u64 = 20_000;
/// Wall milliseconds of simulating before looking at the worker's messages.
const TURN_MS: f64 = 25.0;
/// Wall milliseconds between progress messages: the page's charts move ten times a second.
const PROGRESS_MS: f64 = 100.0;
/// Events simulated before saying Ready, so the engine's hot code is optimised by then.
const WARM_UP_EVENTS: u64 = 50_000;

struct Worker {
    scope: DedicatedWorkerGlobalScope,
    /// Posting to it schedules the next turn, after any message waiting for the worker.
    turn: MessagePort,
    ahead: Option<Ahead>,
    last_progress_ms: f64,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Worker {
    fn post(&self, message: &FromRemote) {
        let Ok(bytes) = encode(message) else {
            return;
        };
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        let transfer = js_sys::Array::of1(&array.buffer());
        let _ = self.scope.post_message_with_transfer(&array, &transfer);
    }

    fn on_message(&mut self, bytes: &[u8]) {
        match decode::<ToRemote>(bytes) {
            Ok(ToRemote::Start {
                run,
                snapshot,
                until,
            }) => match Ahead::start(run, &snapshot, until) {
                Ok(ahead) => {
                    self.ahead = Some(ahead);
                    self.last_progress_ms = now_ms();
                    let _ = self.turn.post_message(&wasm_bindgen::JsValue::NULL);
                }
                Err(e) => self.post(&FromRemote::Failed {
                    run,
                    why: e.to_string(),
                }),
            },
            Ok(ToRemote::Stop { run }) => {
                if self.ahead.as_ref().is_some_and(|a| a.run() == run) {
                    self.finish();
                }
            }
            Err(_) => {}
        }
    }

    fn finish(&mut self) {
        if let Some(ahead) = self.ahead.take() {
            self.post(&ahead.done());
        }
    }

    /// One turn: simulate for a while, report, and come back after any waiting message.
    fn on_turn(&mut self) {
        let Some(ahead) = self.ahead.as_mut() else {
            return;
        };
        let started = now_ms();
        let mut reached = false;
        while !reached && now_ms() - started < TURN_MS {
            reached = ahead.advance(SLICE_EVENTS);
        }
        if reached {
            self.finish();
            return;
        }
        if now_ms() - self.last_progress_ms >= PROGRESS_MS {
            self.last_progress_ms = now_ms();
            let message = FromRemote::Progress {
                run: ahead.run(),
                figures: ahead.progress(),
            };
            self.post(&message);
        }
        let _ = self.turn.post_message(&wasm_bindgen::JsValue::NULL);
    }
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let Ok(channel) = MessageChannel::new() else {
        return;
    };
    let worker = Rc::new(RefCell::new(Worker {
        scope: scope.clone(),
        turn: channel.port2(),
        ahead: None,
        last_progress_ms: 0.0,
    }));

    let on_turn = {
        let worker = worker.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |_| worker.borrow_mut().on_turn())
    };
    channel
        .port1()
        .set_onmessage(Some(on_turn.as_ref().unchecked_ref()));
    on_turn.forget();

    let on_message = {
        let worker = worker.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
            worker.borrow_mut().on_message(&bytes);
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    // The first real run then starts in optimised code (see `warm_up`).
    warm_up(WARM_UP_EVENTS);
    worker.borrow().post(&FromRemote::Ready {
        fingerprint: archplay::sim::fingerprint(),
    });
}
