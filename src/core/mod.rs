//! The functional core: everything that decides, nothing that performs I/O or touches a JS type.

pub mod callback;
pub mod error;
pub mod failure;
pub mod id;
pub mod input;
pub mod json;
pub mod options;
pub mod params;
pub mod receipt;
pub mod redact;
pub mod request;
pub mod response;
pub mod retry;
pub mod text;
pub mod window;
pub mod xml;

pub use error::{Code, Error};
pub use input::Input;
pub use json::Json;
pub use options::Options;
pub use params::RevokeParams;
