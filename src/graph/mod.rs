//! The Microsoft Graph client: requests, paging, typed errors and object models.

pub mod batch;
pub mod claims;
pub mod client;
pub mod endpoints;
pub mod error;
pub mod model;
pub mod request;
pub mod resources;
pub mod retry;

pub use claims::ClaimsChallenge;
pub use client::{GraphClient, GraphConfig, Limits, Observer, Page, Response};
pub use error::{ApiError, GraphError};
pub use request::{ApiVersion, Method, Request, Secret, secret_free};
pub use retry::{RetryNotice, RetryPolicy};
