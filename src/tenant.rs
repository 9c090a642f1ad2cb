//! A tenant's id, checked once where it enters (the command line, a job row): tenant
//! ids end up in keys, paths and vector filters, so they keep to a safe alphabet.

use std::fmt;
use std::str::FromStr;

use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TenantId {
    type Err = Error;

    fn from_str(t: &str) -> Result<Self, Error> {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(TenantId(t.to_string()))
        } else {
            Err(Error::Invalid(format!(
                "tenant {t:?}: use 1-128 characters from A-Z a-z 0-9 . _ - @, starting with a letter or digit"
            )))
        }
    }
}

impl std::ops::Deref for TenantId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::TenantId;

    #[test]
    fn tenants_are_validated() {
        assert!("acme-corp.eu".parse::<TenantId>().is_ok());
        for bad in ["", "-x", "a b", "x'; drop", &"a".repeat(129)] {
            let e = bad.parse::<TenantId>().unwrap_err().to_string();
            assert!(e.starts_with("tenant "), "{e}");
        }
    }
}
