//! Requests in flight: a slab of reusable slots, so a long run allocates nothing per request once
//! warmed up and memory is bounded by the number in flight, not the number served.

use serde::{Deserialize, Serialize};

use super::metrics::Cause;
use super::time::{SimDuration, SimTime};

/// What a request does.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Reads data: web servers call downstream.
    Read,
    /// Changes data: web servers call downstream.
    Write,
    /// A static asset: answered by the first server, no downstream call.
    Static,
}

/// One step of a request's path: `caller` sent it over a wire with one-way `latency`; the
/// callee received it at `arrived`, during its life number `epoch`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub(crate) struct Hop {
    /// The node that sent the request and waits for the answer.
    pub caller: u32,
    /// Caller-specific: which backend a load balancer chose.
    pub slot: u32,
    /// One-way latency of the wire; the answer pays it again.
    pub latency: SimDuration,
    /// When the callee received the request.
    pub arrived: SimTime,
    /// The callee's epoch on arrival; if the callee crashed since, the epochs differ.
    pub epoch: u32,
    /// A server group's instance serving it (its id; 0 when none), which may fail alone.
    pub instance: u32,
}

/// A request in flight.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Request {
    /// When the user sent it.
    pub born: SimTime,
    /// The users node that sent it.
    pub origin: u32,
    /// Global user number.
    pub user: u32,
    /// The record it touches.
    pub key: u64,
    /// Read, write or static.
    pub class: Class,
    /// A write: its own id, the version it creates. A read: the version it returned.
    pub version: u64,
    /// A write: its place in the order writes reached the database (see `Committed`).
    pub db_seq: u64,
    /// Set by the caller before asking a cache: look up only, do not read through on a miss.
    pub lookup_only: bool,
    /// Set by a cache: whether the lookup hit.
    pub cache_hit: bool,
    /// The client has retried it once already (after a failed connection).
    pub retried: bool,
    /// Work the system does for itself (a resharding's copies, a fan-out's parts): no user
    /// waits for it, and a write of it copies rather than changes the record.
    pub background: bool,
    /// A fan-out's part: the request it is part of.
    pub parent: u32,
    /// The first failure on its path, if any.
    pub failure: Option<Cause>,
    /// The path so far: one hop per component it is currently inside.
    pub stack: Vec<Hop>,
}

/// A slab of requests with a free list.
#[derive(Serialize, Deserialize, Debug, Default)]
pub(crate) struct Requests {
    slots: Vec<Request>,
    free: Vec<u32>,
    live: u32,
}

impl Requests {
    /// Requests in flight.
    pub fn live(&self) -> u32 {
        self.live
    }

    /// Stores a new request and returns its handle.
    pub fn alloc(
        &mut self,
        born: SimTime,
        origin: u32,
        user: u32,
        key: u64,
        class: Class,
        version: u64,
    ) -> u32 {
        self.live += 1;
        if let Some(id) = self.free.pop() {
            let r = &mut self.slots[id as usize];
            r.born = born;
            r.origin = origin;
            r.user = user;
            r.key = key;
            r.class = class;
            r.version = version;
            r.db_seq = 0;
            r.lookup_only = false;
            r.cache_hit = false;
            r.retried = false;
            r.background = false;
            r.parent = 0;
            r.failure = None;
            r.stack.clear();
            id
        } else {
            self.slots.push(Request {
                born,
                origin,
                user,
                key,
                class,
                version,
                db_seq: 0,
                lookup_only: false,
                cache_hit: false,
                retried: false,
                background: false,
                parent: 0,
                failure: None,
                stack: Vec::with_capacity(4),
            });
            (self.slots.len() - 1) as u32
        }
    }

    /// The request with handle `id`.
    pub fn get(&self, id: u32) -> &Request {
        &self.slots[id as usize]
    }

    /// The request with handle `id`, mutably.
    pub fn get_mut(&mut self, id: u32) -> &mut Request {
        &mut self.slots[id as usize]
    }

    /// Returns the slot for reuse. The caller guarantees no event still refers to it.
    pub fn release(&mut self, id: u32) {
        self.live -= 1;
        self.free.push(id);
    }
}
