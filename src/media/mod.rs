//! Media: telling an upload's type from its bytes, sanitising SVG, storing files by
//! content, and resized variants of raster images.

pub mod kind;
pub mod preset;
pub mod refused;
pub mod storage;
pub mod svg;
pub mod variants;

pub use kind::{inspect, Inspected, Kind};
pub use preset::Preset;
pub use refused::Refused;
pub use storage::Storage;
pub use variants::Variants;
