//! The `t` writes: what each blade lets you set (a CA policy's state, a protected action's
//! authentication context, a context's publication), opened as a confirm step.

/// The contexts a protected action can be given: none, then c1..c99 as the facts list them
/// (only "none" until they are read; the confirm fills the rest when they arrive).
pub(super) fn context_options(
    facts: Option<&crate::protect::Facts>,
) -> Vec<(String, serde_json::Value)> {
    let mut options: Vec<(String, serde_json::Value)> =
        vec![("none".into(), serde_json::Value::Null)];
    if let Some(f) = facts {
        let mut ctx: Vec<&serde_json::Value> = f.contexts.iter().collect();
        ctx.sort_by_key(|c| {
            c["id"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('c')
                .parse::<u32>()
                .unwrap_or(0)
        });
        options.extend(ctx.iter().filter_map(|c| {
            c["id"]
                .as_str()
                .map(|i| (i.to_string(), serde_json::json!(i)))
        }));
    }
    options
}
