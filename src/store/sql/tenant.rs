//! A tenant's settings: sealed provider keys (looked up case-insensitively: a
//! [`KeyName`] is normalised, and `lower()` also finds rows written by hand) and the
//! embedder of its vectors.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Engine, Sql};
use crate::embed::EmbedderSpec;
use crate::keys::{KeyInfo, KeyName, SealedKey};
use crate::store::Tenants;
use crate::{Error, Result};

#[async_trait]
impl<DB> Tenants for Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    for<'q> Vec<u8>: Decode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB>,
    [u8]: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn put_key(&self, tenant: &str, key: &KeyName, sealed: &SealedKey, hint: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenant_keys (tenant_id, provider, name, nonce, ciphertext, hint, created_at, updated_at,
                 sealed_version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
             ON CONFLICT (tenant_id, provider, name) DO UPDATE SET nonce = excluded.nonce,
                 ciphertext = excluded.ciphertext, hint = excluded.hint, updated_at = excluded.updated_at,
                 sealed_version = excluded.sealed_version",
        )
        .bind(tenant)
        .bind(key.provider.as_str())
        .bind(key.name.as_str())
        .bind(sealed.nonce.as_slice())
        .bind(sealed.ciphertext.as_slice())
        .bind(hint)
        .bind(crate::time::now_ms())
        .bind(sealed.sealed_version)
        .execute(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: storing the {key}")))?;
        Ok(())
    }

    async fn get_key(&self, tenant: &str, key: &KeyName) -> Result<Option<SealedKey>> {
        sqlx::query_as(
            "SELECT nonce, ciphertext, sealed_version FROM tenant_keys
             WHERE tenant_id = $1 AND provider = lower($2) AND name = lower($3)",
        )
        .bind(tenant)
        .bind(key.provider.as_str())
        .bind(key.name.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reading the {key}")))
    }

    async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<KeyInfo>> {
        sqlx::query_as(
            "SELECT tenant_id, provider, name, hint, created_at, updated_at FROM tenant_keys
             WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id, provider, name",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store("listing keys"))
    }

    async fn remove_key(&self, tenant: &str, key: &KeyName) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM tenant_keys WHERE tenant_id = $1 AND provider = lower($2) AND name = lower($3)")
                .bind(tenant)
                .bind(key.provider.as_str())
                .bind(key.name.as_str())
                .execute(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: removing the {key}")))?;
        Ok(DB::affected(&done) > 0)
    }

    async fn set_embedder(&self, tenant: &str, spec: &EmbedderSpec) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenant_embedders (tenant_id, embedder, dimensions, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id) DO UPDATE SET embedder = excluded.embedder,
                 dimensions = excluded.dimensions, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(spec.stored_name())
        .bind(spec.dimensions().map(i64::from))
        .bind(crate::time::now_ms())
        .execute(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: choosing the embedder")))?;
        Ok(())
    }

    async fn embedder(&self, tenant: &str) -> Result<Option<EmbedderSpec>> {
        let row: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT embedder, dimensions FROM tenant_embedders WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_optional(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: reading the embedder")))?;
        row.map(|(name, dims)| EmbedderSpec::from_stored(tenant, &name, dims)).transpose()
    }

    async fn list_embedders(&self, tenant: Option<&str>) -> Result<Vec<(String, EmbedderSpec)>> {
        let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
            "SELECT tenant_id, embedder, dimensions FROM tenant_embedders
             WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store("listing embedders"))?;
        rows.into_iter().map(|(t, name, dims)| EmbedderSpec::from_stored(&t, &name, dims).map(|s| (t, s))).collect()
    }
}
