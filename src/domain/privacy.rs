//! Personal data (data standard §6): a keyed pseudonym for linking and an encrypted copy for the few
//! who may see it. The master key lives outside the database; two sub-keys are derived from it so
//! that the pseudonym key and the encryption key are never the same bytes.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The installation's secret: 32 random bytes. Never printed (Debug shows nothing of it).
pub struct Keys {
    pseudonym: [u8; 32],
    /// The seed of the credit bank's Ed25519 signing key (`domain::credential`).
    credential: [u8; 32],
    cipher: Aes256Gcm,
    fingerprint: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys(fingerprint {})", self.fingerprint)
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[derive(Debug, thiserror::Error)]
#[error("personal data could not be decrypted: wrong key or damaged value")]
pub struct DecryptError;

impl Keys {
    pub fn generate() -> [u8; 32] {
        let mut k = [0u8; 32];
        rand::fill(&mut k);
        k
    }

    pub fn from_master(master: &[u8; 32]) -> Keys {
        let pseudonym = hmac(master, b"vetis/pseudonym/v1");
        let enc = hmac(master, b"vetis/encryption/v1");
        let fingerprint = hex::encode(&hmac(master, b"vetis/fingerprint/v1")[..8]);
        let credential = hmac(master, b"vetis/credential-signing/v1");
        Keys { pseudonym, credential, cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"), fingerprint }
    }

    /// The seed of the credential signing key: derived from the master key, so it is kept where
    /// that key is kept, never in the database.
    pub fn credential_seed(&self) -> [u8; 32] {
        self.credential
    }

    /// Identifies the key without revealing it, so a database can tell it is opened with its own key.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The same person gets the same pseudonym in every table and school; 128 bits, hex.
    pub fn pseudonym(&self, id_type: &str, id_number: &str) -> String {
        let mut data = Vec::with_capacity(id_type.len() + id_number.len() + 1);
        data.extend_from_slice(id_type.as_bytes());
        data.push(0);
        data.extend_from_slice(id_number.as_bytes());
        hex::encode(&hmac(&self.pseudonym, &data)[..16])
    }

    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let nonce_ga = Nonce::try_from(&nonce[..]).expect("12-byte nonce");
        let ct = self.cipher.encrypt(&nonce_ga, plain.as_bytes()).expect("AES-GCM encryption does not fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, DecryptError> {
        let bytes = B64.decode(stored).map_err(|_| DecryptError)?;
        if bytes.len() < 12 {
            return Err(DecryptError);
        }
        let nonce = Nonce::try_from(&bytes[..12]).map_err(|_| DecryptError)?;
        let plain = self.cipher.decrypt(&nonce, &bytes[12..]).map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_values_come_back_and_differ_each_time() {
        let k = Keys::from_master(&[7u8; 32]);
        let a = k.encrypt("张三");
        assert_ne!(a, k.encrypt("张三"));
        assert_eq!(k.decrypt(&a).unwrap(), "张三");
        assert!(Keys::from_master(&[8u8; 32]).decrypt(&a).is_err());
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let k = Keys::from_master(&[7u8; 32]);
        let p = k.pseudonym("resident_id", "11010519491231002X");
        assert_eq!(p, k.pseudonym("resident_id", "11010519491231002X"));
        assert_ne!(p, Keys::from_master(&[8u8; 32]).pseudonym("resident_id", "11010519491231002X"));
        assert_eq!(p.len(), 32);
    }
}
