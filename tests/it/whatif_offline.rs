//! What If offline: the evaluator over what the cache keeps (policies, locations, users,
//! memberships, and the active role assignments `sync` kept), unknown where it keeps nothing.

use crate::common::Harness;
use entra_console::demo::DemoOptions;

/// Offline What If knows the roles `sync` kept: Adele is Global Administrator through "Tier0 -
/// Global Admins", so CA008 (Global Administrators) applies to her; before the sync's audit
/// reads, the role condition is unknown.
#[tokio::test]
async fn what_if_offline_knows_the_kept_roles() {
    use entra_console::ca::whatif::{WhatIfQuery, what_if};
    use entra_console::cache::{Store, sync};
    use std::sync::Arc;
    let h = Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    for name in ["groups", "users", "ca-policies", "named-locations"] {
        let spec = entra_console::blades::sync_spec(name).unwrap();
        sync::collection(&h.client, &store, &spec, &mut |_| {})
            .await
            .unwrap();
    }
    let q = WhatIfQuery::parse("adele.vance@tailspindemo.onmicrosoft.com app=All client=browser")
        .unwrap();
    let offline = h.client.clone().offline();
    let ca008 = |r: &entra_console::ca::whatif::WhatIfResult| {
        r.rows
            .iter()
            .find(|x| {
                x.policy["displayName"]
                    .as_str()
                    .unwrap()
                    .starts_with("CA008")
            })
            .unwrap()
            .outcome
            .applies
    };
    let r = what_if(&offline, &Some(store.clone()), &q).await.unwrap();
    assert_eq!(ca008(&r), entra_console::ca::Tri::Unknown);
    entra_console::audit::cached::sync(&h.client, &store)
        .await
        .unwrap();
    let r = what_if(&offline, &Some(store), &q).await.unwrap();
    assert_eq!(ca008(&r), entra_console::ca::Tri::Yes, "{:?}", r.notes);
}

#[tokio::test]
async fn what_if_works_offline_from_the_cache() {
    use entra_console::ca::whatif::{WhatIfQuery, what_if};
    use entra_console::cache::{Store, sync};
    use std::sync::Arc;
    let h = Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    for name in ["groups", "users", "ca-policies", "named-locations"] {
        let spec = entra_console::blades::sync_spec(name).unwrap();
        sync::collection(&h.client, &store, &spec, &mut |_| {})
            .await
            .unwrap();
    }
    let q = WhatIfQuery::parse(
        "bg-admin01@tailspindemo.onmicrosoft.com app=All location=country:KP client=browser",
    )
    .unwrap();
    let offline = h.client.clone().offline();
    let ca004 = |r: &entra_console::ca::whatif::WhatIfResult| {
        let name = |x: &&entra_console::ca::whatif::WhatIfRow| {
            x.policy["displayName"]
                .as_str()
                .unwrap()
                .starts_with("CA004")
        };
        r.rows.iter().find(name).unwrap().outcome.clone()
    };
    // Memberships not synced yet: the emergency group's exclusion is unknown, not guessed.
    let r = what_if(&offline, &Some(store.clone()), &q).await.unwrap();
    assert_eq!(ca004(&r).applies, entra_console::ca::Tri::Unknown);
    // Issue 11, item 6: the result says unknown and names the missing input, never "none".
    let result = entra_console::blades::whatif::result(&r);
    assert!(!result.starts_with("no enforced policy"), "{result}");
    assert!(
        result.contains("may apply") && result.contains("membership"),
        "{result}"
    );
    assert!(r.online_error.as_deref().unwrap().starts_with("offline"));
    sync::members(&h.client, &store, &mut |_, _| {})
        .await
        .unwrap();
    let o = ca004(&what_if(&offline, &Some(store), &q).await.unwrap());
    assert_eq!(o.applies, entra_console::ca::Tri::No, "{o:?}");
    assert!(
        o.reasons
            .iter()
            .any(|r| r.text.contains("group is excluded")),
        "{o:?}"
    );
}
