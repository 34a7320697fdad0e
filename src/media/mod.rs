//! Media: telling an upload's type from its bytes, sanitising SVG, storing files by
//! content, and resized variants of raster images.

pub mod kind;
pub mod storage;
pub mod svg;
pub mod variants;

pub use kind::{inspect, Inspected, Kind, Refused};
pub use storage::Storage;
pub use variants::{Preset, Variants};
