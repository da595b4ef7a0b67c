//! Share links: a diagram and its run settings packed into a URL fragment.
//!
//! Links carry a version in their envelope; [`LINK_VERSION`] is the one this build writes. A
//! version number never changes meaning once released.

/// The share-link envelope version this build writes.
pub const LINK_VERSION: u32 = 1;
