//! Proofs of ownership: checks that a requester controls a wallet address by a signature over a
//! challenge the desk chose. Pure functions over text: no I/O, no HTTP, no SQL, and no panic on
//! hostile input, since every argument comes from the person being checked.

mod bip322;
mod bitcoin;
mod bitcoin_address;
mod ethereum;
mod recover;
#[cfg(test)]
mod vectors;

pub use bitcoin::verify_bitcoin_message;
pub use ethereum::verify_ethereum_message;

/// Why a proof was refused. The variants tell apart what the requester can fix (a mangled
/// paste, an address kind the desk cannot check) from a signature by someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the signature is not well formed")]
    MalformedSignature,
    #[error("the address is not well formed")]
    MalformedAddress,
    #[error("the signature was not made by the key of this address")]
    WrongSigner,
    #[error("the signature's header names another kind of address")]
    SignatureForOtherAddressType,
    #[error("this kind of address cannot be proved here")]
    UnsupportedAddress,
}
