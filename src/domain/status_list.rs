//! The credit bank's revocation list as a W3C Bitstring Status List (VC Bitstring Status List
//! v1.0): one bit per issued credential, set when it is revoked, GZIP-compressed and multibase
//! base64url-encoded in a `BitstringStatusListCredential` the credit bank signs like any other
//! credential. A verifier outside VETIS fetches it from the address each credential names
//! (`credentialStatus.statusListCredential`) and reads its bit.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;

/// The smallest list the specification allows (16 KiB of bits), so that a list's size says
/// nothing about how many credentials were issued.
pub const MIN_BITS: usize = 131_072;

/// Where the list is published when the installation has no public address configured: the
/// name credentials carry, served at `/status/revocation`.
pub const DEFAULT_LIST_ID: &str = "urn:vetis:status:revocation";

/// The bitstring with the bits of `revoked` set (index 0 is the left-most bit of the first
/// byte), at least `MIN_BITS` long.
pub fn bitstring(revoked: &[u64]) -> Vec<u8> {
    let highest = revoked.iter().copied().max().map_or(0, |m| m as usize + 1);
    let bits = highest.max(MIN_BITS).div_ceil(8) * 8;
    let mut out = vec![0u8; bits / 8];
    for &i in revoked {
        let i = i as usize;
        out[i / 8] |= 0x80 >> (i % 8);
    }
    out
}

/// `encodedList`: multibase (`u`, base64url without padding) of the GZIP-compressed bitstring.
pub fn encode(bits: &[u8]) -> String {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(bits);
    let zipped = gz.finish().unwrap_or_default();
    format!("u{}", B64URL.encode(zipped))
}

/// Whether bit `index` is set in an `encodedList`; None when the list cannot be read.
pub fn is_set(encoded: &str, index: u64) -> Option<bool> {
    use std::io::Read;
    let zipped = B64URL.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..]).take(64 * 1024 * 1024).read_to_end(&mut bits).ok()?;
    let i = usize::try_from(index).ok()?;
    bits.get(i / 8).map(|b| b & (0x80 >> (i % 8)) != 0)
}

/// The unsigned status list credential `id`, issued by `issuer` at `valid_from` (ISO 8601).
pub fn credential(id: &str, issuer: &str, issuer_name: &str, valid_from: &str, revoked: &[u64]) -> serde_json::Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": { "id": issuer, "name": issuer_name },
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(&bitstring(revoked)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_bits_are_set_from_the_left_and_read_back() {
        let bits = bitstring(&[0, 9, 131_071]);
        assert_eq!(bits.len(), MIN_BITS / 8);
        assert_eq!((bits[0], bits[1]), (0x80, 0x40));
        let encoded = encode(&bits);
        assert!(encoded.starts_with('u'));
        for (i, set) in [(0, true), (1, false), (9, true), (131_071, true), (131_070, false)] {
            assert_eq!(is_set(&encoded, i), Some(set), "bit {i}");
        }
        assert_eq!(is_set(&encoded, 200_000), None, "outside the list");
        assert_eq!(is_set("not a list", 0), None);
    }

    #[test]
    fn a_list_grows_past_its_minimum_only_for_an_index_beyond_it() {
        assert_eq!(bitstring(&[]).len(), MIN_BITS / 8);
        assert_eq!(bitstring(&[200_000]).len(), 200_008 / 8);
    }
}
