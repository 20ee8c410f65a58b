//! One home per Graph resource: its paths, `$select`, and the requests of its reads and writes,
//! built here and nowhere else (blades and the shell ask for them by name).

pub mod devices;
pub mod directory;
pub mod pim;
pub mod pim_groups;
pub mod risky_users;
pub mod role_assignments;
pub mod users;
