//! The Microsoft Graph client: requests, paging, typed errors and object models.

pub mod client;
pub mod error;
pub mod model;
pub mod request;

pub use client::{GraphClient, GraphConfig, Page, Response};
pub use error::{ApiError, GraphError};
pub use request::{ApiVersion, Method, Request};
