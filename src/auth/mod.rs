//! Who a caller is and what they may do: roles, password hashing, access and refresh
//! tokens, and the tokens that share a draft's preview.

pub mod api_key;
pub mod lane;
pub mod password;
pub mod preview;
pub mod role;
pub mod token;

pub use role::Role;
