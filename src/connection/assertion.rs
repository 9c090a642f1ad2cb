//! Certificate credentials: the signed client assertion (a JWT, RS256, with the
//! certificate's SHA-1 thumbprint as `x5t`) that Microsoft's identity platform takes
//! instead of a client secret, as many directories require.

use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// An app's certificate and its private key, read from one PEM.
pub struct ClientCertificate {
    key: RsaKeyPair,
    x5t: String,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate").field("x5t", &self.x5t).finish_non_exhaustive()
    }
}

/// Base64 without padding, URL-safe alphabet (JWT's encoding).
pub fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

impl ClientCertificate {
    /// The RSA private key (PKCS#8 or PKCS#1) and the certificate, in either order.
    pub fn from_pem(pem: &str) -> Result<ClientCertificate, String> {
        let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| format!("no private key in the PEM ({e:?}); give the key and the certificate together"))?;
        let cert = CertificateDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| format!("no certificate in the PEM ({e:?}); give the key and the certificate together"))?;
        let key = match &key {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err("the private key is not an RSA key (Entra signs client assertions with RSA)".into()),
        }
        .map_err(|e| format!("the private key is not usable: {e}"))?;
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
        Ok(ClientCertificate { key, x5t: base64url(sha1.as_ref()) })
    }

    /// The certificate's thumbprint as Entra shows it in a token's `x5t`.
    pub fn thumbprint(&self) -> &str {
        &self.x5t
    }

    /// A client assertion for `client_id` at the token endpoint `audience`, valid
    /// for ten minutes from `now` (unix seconds).
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String, String> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": self.x5t});
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        let signing_input =
            format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut sig)
            .map_err(|_| "signing the client assertion failed".to_string())?;
        Ok(format!("{signing_input}.{}", base64url(&sig)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_has_no_padding_and_the_url_alphabet() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn a_pem_without_a_key_or_a_certificate_is_refused_with_the_reason() {
        let e =
            ClientCertificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(e.contains("no private key"), "{e}");
        assert!(ClientCertificate::from_pem("not a pem").is_err());
    }
}
