//! What the app does, file by file beside the state it changes: each file is `impl App` for one
//! area (the write flow, the editor, the pickers…); the state types stay in `app::<area>`.

mod editor;
mod import;
mod licence;
mod members;
mod new_group;
mod palette;
mod picker;
mod review;
mod tenant;
mod walk;
mod wizard;
mod write;
