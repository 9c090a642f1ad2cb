//! A tenant's settings: sealed provider keys (looked up case-insensitively: a
//! [`KeyName`] is normalised, and `lower()` also finds rows written by hand), its
//! sealed Microsoft 365 connection and the embedder of its vectors; and the fleet's
//! few settings.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Engine, Sql};
use crate::connection::{ConnectionInfo, StoredConnection};
use crate::embed::EmbedderSpec;
use crate::keys::{KeyInfo, KeyName, SealedKey};
use crate::store::Tenants;
use crate::{Error, Result};

/// A connection's listing columns (never its credential).
const CONNECTION: &str =
    "tenant_id, directory_id, client_id, auth, graph_url, login_url, thumbprint, hint, created_at, updated_at";

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

    async fn put_connection(&self, c: &StoredConnection) -> Result<()> {
        let i = &c.info;
        sqlx::query(
            "INSERT INTO tenant_connections (tenant_id, directory_id, client_id, auth, graph_url, login_url,
                 thumbprint, hint, nonce, ciphertext, sealed_version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             ON CONFLICT (tenant_id) DO UPDATE SET directory_id = excluded.directory_id,
                 client_id = excluded.client_id, auth = excluded.auth, graph_url = excluded.graph_url,
                 login_url = excluded.login_url, thumbprint = excluded.thumbprint, hint = excluded.hint,
                 nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                 sealed_version = excluded.sealed_version, updated_at = excluded.updated_at",
        )
        .bind(i.tenant.as_str())
        .bind(i.directory_id.as_str())
        .bind(i.client_id.as_str())
        .bind(i.auth.as_str())
        .bind(i.graph_url.as_str())
        .bind(i.login_url.as_str())
        .bind(i.thumbprint.as_deref())
        .bind(i.hint.as_str())
        .bind(c.sealed.nonce.as_slice())
        .bind(c.sealed.ciphertext.as_slice())
        .bind(c.sealed.sealed_version)
        .bind(crate::time::now_ms())
        .execute(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {}: storing its Microsoft 365 connection", i.tenant)))?;
        Ok(())
    }

    async fn connection(&self, tenant: &str) -> Result<Option<StoredConnection>> {
        let info: Option<ConnectionInfo> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONNECTION} FROM tenant_connections WHERE tenant_id = $1"
        )))
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reading its Microsoft 365 connection")))?;
        let Some(info) = info else { return Ok(None) };
        let sealed: SealedKey =
            sqlx::query_as("SELECT nonce, ciphertext, sealed_version FROM tenant_connections WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_one(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: reading its Microsoft 365 connection")))?;
        Ok(Some(StoredConnection { info, sealed }))
    }

    async fn list_connections(&self, tenant: Option<&str>) -> Result<Vec<ConnectionInfo>> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONNECTION} FROM tenant_connections WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id"
        )))
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store("listing Microsoft 365 connections"))
    }

    async fn remove_connection(&self, tenant: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tenant_connections WHERE tenant_id = $1")
            .bind(tenant)
            .execute(&self.pool)
            .await
            .map_err(Error::store(format!("tenant {tenant}: removing its Microsoft 365 connection")))?;
        Ok(DB::affected(&done) > 0)
    }

    async fn fleet_setting(&self, name: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM fleet_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(Error::store(format!("reading fleet setting {name}")))?;
        Ok(row.map(|(v,)| v))
    }

    async fn claim_fleet_setting(&self, name: &str, value: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO fleet_settings (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .bind(crate::time::now_ms())
        .execute(&self.pool)
        .await
        .map_err(Error::store(format!("recording fleet setting {name}")))?;
        Ok(self.fleet_setting(name).await?.unwrap_or_default())
    }
}
