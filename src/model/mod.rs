//! The diagram document: what an architecture is made of, independent of any view of it.
//!
//! Documents are versioned from the first release; [`FORMAT_VERSION`] is the version this build
//! writes. A version number never changes meaning once released.

/// The diagram format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
