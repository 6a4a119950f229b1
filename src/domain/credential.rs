//! Verifiable credentials of the credit bank (Open Badges 3.0 on the W3C VC data model 2.0),
//! secured as VC-JWT: a compact JWS signed with Ed25519 (`alg` EdDSA). The issuer is a `did:key`
//! made from the public key; the signing key is derived from the installation's master key, so it
//! is kept where that key is kept and never in the database. `verify` reports one result per
//! check (format, signature, issuer, revocation, validity), as Open Badges 3.0 §verification and
//! Europass do, and fails closed: a credential whose status cannot be looked up is not valid.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The contexts every credential carries.
pub const CONTEXTS: [&str; 2] =
    ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"];

/// The credit bank's signing identity.
pub struct Issuer {
    key: SigningKey,
    /// `did:key:z6Mk…`, the issuer's id in every credential.
    pub id: String,
    pub name: String,
}

impl Issuer {
    /// From a 32-byte seed (derived from the master key) and the issuer's display name.
    pub fn new(seed: &[u8; 32], name: &str) -> Issuer {
        let key = SigningKey::from_bytes(seed);
        let id = did_key(&key.verifying_key());
        Issuer { key, id, name: name.to_string() }
    }

    /// The key id in the JWS header: the DID and its one verification method.
    pub fn kid(&self) -> String {
        format!("{}#{}", self.id, self.id.trim_start_matches("did:key:"))
    }

    /// Signs a credential (its `issuer`, `validFrom` and `id` already set) issued at `issued`
    /// (seconds since 1970, the JWT's `nbf` and `iat`): the compact JWS.
    pub fn sign(&self, credential: &serde_json::Value, issued: i64) -> String {
        let header = serde_json::json!({ "alg": "EdDSA", "typ": "vc+jwt", "kid": self.kid() });
        let claims = serde_json::json!({
            "iss": self.id,
            "jti": credential["id"],
            "sub": credential["credentialSubject"]["id"],
            "nbf": issued,
            "iat": issued,
            "vc": credential,
        });
        let input = format!("{}.{}", B64URL.encode(header.to_string()), B64URL.encode(claims.to_string()));
        let sig = self.key.sign(input.as_bytes());
        format!("{input}.{}", B64URL.encode(sig.to_bytes()))
    }
}

/// `did:key` of an Ed25519 public key: multicodec 0xed01, base58btc, multibase `z`.
pub fn did_key(key: &VerifyingKey) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(key.as_bytes());
    format!("did:key:z{}", base58(&bytes))
}

/// The public key a `did:key` names, if it is an Ed25519 one.
pub fn key_of_did(did: &str) -> Option<VerifyingKey> {
    let bytes = unbase58(did.strip_prefix("did:key:z")?)?;
    let raw: [u8; 32] = bytes.strip_prefix(&[0xed, 0x01][..])?.try_into().ok()?;
    VerifyingKey::from_bytes(&raw).ok()
}

const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58(data: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new();
    for &byte in data {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = data.iter().take_while(|b| **b == 0).count();
    std::iter::repeat_n('1', zeros).chain(digits.iter().rev().map(|d| ALPHABET[*d as usize] as char)).collect()
}

fn unbase58(text: &str) -> Option<Vec<u8>> {
    let mut bytes: Vec<u8> = Vec::new();
    for c in text.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c)? as u32;
        for b in &mut bytes {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    Some(std::iter::repeat_n(0, zeros).chain(bytes.into_iter().rev()).collect())
}

/// One check of a verification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    pub check: &'static str,
    pub ok: bool,
    pub message: String,
}

/// A credential taken apart: the header, the credential and what the signature covers.
pub struct Parsed {
    pub header: serde_json::Value,
    pub credential: serde_json::Value,
    signed: String,
    signature: Vec<u8>,
}

/// Reads a compact JWS and checks the credential's shape (the format check).
pub fn parse(text: &str) -> Result<Parsed, String> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err("不是 VC-JWT（应为以“.”分隔的三段） / not a VC-JWT (three parts separated by '.')".into());
    };
    let decode = |part: &str, what: &str| {
        B64URL.decode(part).map_err(|_| format!("{what} 不是 base64url / the {what} is not base64url"))
    };
    let header: serde_json::Value = serde_json::from_slice(&decode(h, "header")?)
        .map_err(|_| "头部不是 JSON / the header is not JSON".to_string())?;
    let claims: serde_json::Value = serde_json::from_slice(&decode(p, "payload")?)
        .map_err(|_| "载荷不是 JSON / the payload is not JSON".to_string())?;
    let signature = decode(s, "signature")?;
    if header["alg"] != "EdDSA" {
        return Err(format!(
            "签名算法 {} 不受支持（应为 EdDSA） / algorithm {} is not supported (EdDSA)",
            header["alg"], header["alg"]
        ));
    }
    let credential = claims["vc"].clone();
    let types: Vec<&str> =
        credential["type"].as_array().map(|a| a.iter().filter_map(|t| t.as_str()).collect()).unwrap_or_default();
    let contexts: Vec<&str> =
        credential["@context"].as_array().map(|a| a.iter().filter_map(|t| t.as_str()).collect()).unwrap_or_default();
    if !types.contains(&"VerifiableCredential") || !types.contains(&"OpenBadgeCredential") {
        return Err("不是 Open Badges 3.0 凭证（type 缺少 VerifiableCredential 或 OpenBadgeCredential） / not an Open Badges 3.0 credential (type lacks VerifiableCredential or OpenBadgeCredential)".into());
    }
    if contexts.first() != Some(&CONTEXTS[0]) || !contexts.contains(&CONTEXTS[1]) {
        return Err(
            "@context 不是 VC 2.0 与 Open Badges 3.0 的上下文 / @context is not VC 2.0 with Open Badges 3.0".into()
        );
    }
    for field in ["id", "issuer", "validFrom", "credentialSubject", "credentialStatus"] {
        if credential[field].is_null() {
            return Err(format!("凭证缺少 {field} / the credential has no {field}"));
        }
    }
    if credential["credentialSubject"]["achievement"].is_null() && credential["credentialSubject"]["type"].is_null() {
        return Err("credentialSubject 没有 achievement / credentialSubject has no achievement".into());
    }
    Ok(Parsed { header, credential, signed: format!("{h}.{p}"), signature })
}

/// The signature check against the issuer the credential names (its `did:key`), and the issuer
/// check against the credit bank this installation trusts.
pub fn check_signature_and_issuer(parsed: &Parsed, trusted_issuer: &str) -> (Check, Check) {
    let issuer =
        parsed.credential["issuer"]["id"].as_str().or_else(|| parsed.credential["issuer"].as_str()).unwrap_or("");
    let signature = match (key_of_did(issuer), Signature::from_slice(&parsed.signature)) {
        (Some(key), Ok(sig)) if key.verify(parsed.signed.as_bytes(), &sig).is_ok() => Check {
            check: "signature",
            ok: true,
            message: "Ed25519 签名有效 / the Ed25519 signature is valid".into(),
        },
        (None, _) => Check {
            check: "signature",
            ok: false,
            message: format!("发证方 {issuer} 不是 Ed25519 的 did:key，无法验签 / issuer {issuer} is not an Ed25519 did:key"),
        },
        _ => Check {
            check: "signature",
            ok: false,
            message: "签名无效：凭证在签发后被改动过，或不是由该发证方签发 / the signature is invalid: the credential was changed after issue, or not signed by its issuer".into(),
        },
    };
    let kid_ok = parsed.header["kid"].as_str().is_none_or(|k| k.starts_with(issuer));
    let issuer = if issuer == trusted_issuer && kid_ok {
        Check {
            check: "issuer",
            ok: true,
            message: format!("由本学分银行签发（{issuer}） / issued by this credit bank ({issuer})"),
        }
    } else {
        Check {
            check: "issuer",
            ok: false,
            message: format!(
                "发证方 {issuer} 不是本学分银行（{trusted_issuer}） / issuer {issuer} is not this credit bank ({trusted_issuer})"
            ),
        }
    };
    (signature, issuer)
}

/// The validity dates against today (ISO date or date-time).
pub fn check_dates(credential: &serde_json::Value, now: &str) -> Check {
    let from = credential["validFrom"].as_str().unwrap_or("");
    let until = credential["validUntil"].as_str();
    if from > now {
        Check {
            check: "validity", ok: false, message: format!("尚未生效（自 {from} 起） / not valid before {from}")
        }
    } else if let Some(u) = until.filter(|u| *u < now) {
        Check { check: "validity", ok: false, message: format!("已过有效期（至 {u}） / expired on {u}") }
    } else {
        let till = until.map_or(String::new(), |u| format!(" – {u}"));
        Check {
            check: "validity",
            ok: true,
            message: format!("在有效期内（{from}{till}） / within its validity ({from}{till})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58_and_did_key_round_trip() {
        assert_eq!(base58(b"hello world"), "StV1DL6CwTryKyV");
        assert_eq!(base58(&[0, 0, 1]), "112");
        assert_eq!(unbase58("112").unwrap(), [0, 0, 1]);
        let issuer = Issuer::new(&[7u8; 32], "x");
        assert!(issuer.id.starts_with("did:key:z6Mk"), "{}", issuer.id);
        assert_eq!(key_of_did(&issuer.id).unwrap(), issuer.key.verifying_key());
    }
}
