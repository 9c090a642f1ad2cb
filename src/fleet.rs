//! One fleet, one master key. With a store many machines share, the store records
//! the master key's fingerprint (never the key) when a secret is first sealed; a
//! process whose key differs, or that has none, can tell at start, says so, and
//! takes no job that needs the key. And what a process can serve at all: jobs of
//! tenants with sealed secrets need the fleet's key, Graph jobs of tenants without a
//! connection of their own need this process's default Graph credentials.

use std::sync::Arc;

use crate::keys::{MASTER_KEY_ENV, MasterKey};
use crate::store::Store;
use crate::{Error, Result};

/// The fleet setting that holds the master key's fingerprint.
pub const MASTER_KEY_FINGERPRINT: &str = "master_key_fingerprint";

/// The master key as this process may use it, checked against the fleet's: `Err`
/// says why it may not (no key here, or another key than the fleet's).
pub async fn check_master(
    store: &dyn Store,
    loaded: std::result::Result<MasterKey, String>,
) -> Result<std::result::Result<Arc<MasterKey>, String>> {
    let fleet = store.fleet_setting(MASTER_KEY_FINGERPRINT).await?;
    Ok(match (loaded, fleet) {
        (Ok(key), Some(fp)) if key.fingerprint() != fp => Err(format!(
            "this process's master key (fingerprint {}) is not the fleet's (fingerprint {fp}); set {MASTER_KEY_ENV} (or {MASTER_KEY_ENV}_FILE) to the fleet's key",
            key.fingerprint()
        )),
        (Ok(key), _) => Ok(Arc::new(key)),
        (Err(why), Some(fp)) => Err(format!(
            "the fleet's master key (fingerprint {fp}) is not set here ({why}); set {MASTER_KEY_ENV} (or {MASTER_KEY_ENV}_FILE)"
        )),
        (Err(why), None) => Err(why),
    })
}

/// Before sealing a secret: make `key` the fleet's (the first one to seal records
/// its fingerprint), or refuse when the fleet already has another.
pub async fn adopt_master(store: &dyn Store, key: &MasterKey) -> Result<()> {
    let fp = key.fingerprint();
    let fleet = store.claim_fleet_setting(MASTER_KEY_FINGERPRINT, &fp).await?;
    if fleet != fp {
        return Err(Error::Invalid(format!(
            "this master key (fingerprint {fp}) is not the fleet's (fingerprint {fleet}): secrets sealed with it would not open on the other machines; set {MASTER_KEY_ENV} to the fleet's key"
        )));
    }
    Ok(())
}

pub use crate::job::Capabilities;
