//! Keys and sealing: the server's key files, age sealing at rest, OpenPGP keys.
//! The only module that touches age or sequoia; none of their types leak out.

mod files;
mod keyring;
mod pgp;
mod seal;

pub use keyring::Keyring;
pub use pgp::{PgpKeyError, RequesterKey};
pub use seal::{SealError, Sealed, TicketKey};

/// The operating system's random generator failed; nothing can be created safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomError;

/// `N` bytes straight from the operating system's CSPRNG.
pub fn os_random<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| RandomError)?;
    Ok(bytes)
}
