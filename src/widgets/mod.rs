//! Shared widgets: the object table, the property sheet and the JSON view.

pub mod cells;
pub mod fit;
pub mod input;
pub mod json;
pub mod sheet;
pub mod table;
