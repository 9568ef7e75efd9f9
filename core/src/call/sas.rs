//! The commit-then-reveal exchange that fixes the security code, sans-IO
//! (docs/protocol.md, "Security code"). Once the connection is up:
//!
//! ```text
//! answerer                                      initiator
//!   sas-commit  c = H(fpOffer||fpAnswer||Nb)  ->
//!                                             <-  sas-nonce   Na
//!   sas-reveal  Nb                            ->  checks c
//!   code = H(fpOffer||fpAnswer||Na||Nb)           code = H(fpOffer||fpAnswer||Na||Nb)
//! ```
//!
//! The initiator sends Na only after it holds the commitment and takes one
//! commitment only; the answerer reveals only after Na. Whoever sits in the
//! middle therefore fixes his side before learning what decides the code.
//! A peer that never takes part (the tutorial's client) leaves the code
//! [`NotVerified`] once [`SAS_TIMEOUT`] has passed after connecting.

use std::time::{Duration, Instant};

use videochat_protocol::SasMessage;

use super::security_code::{Fingerprints, Nonce, commitment, parse_hex32, security_code, to_hex};
use crate::negotiation::Role;

/// How long after connecting a peer may take to complete the exchange
/// before the code shows as not verified (it still completes later).
pub const SAS_TIMEOUT: Duration = Duration::from_secs(5);

/// What the user should be shown about the call's privacy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityCode {
    /// Not connected yet, or the exchange is under way.
    Pending,
    /// Read it to the other person: the same code on both screens means no
    /// one is in the middle.
    Ready(String),
    /// There is no code to compare: say "not verified".
    NotVerified(NotVerified),
}

/// Why there is no code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotVerified {
    /// The peer did not take part in time (e.g. the tutorial's client).
    PeerUnsupported,
    /// The peer broke the exchange: a revealed nonce that does not open its
    /// commitment, or a malformed value. Someone may be in the middle.
    ExchangeFailed,
}

/// One call's exchange, for one peer connection.
#[derive(Debug)]
pub struct SasExchange {
    role: Role,
    mine: Nonce,
    fingerprints: Option<Fingerprints>,
    /// The answerer's commitment (initiator only).
    commitment: Option<[u8; 32]>,
    /// The other side's nonce.
    theirs: Option<Nonce>,
    deadline: Option<Instant>,
    outcome: SecurityCode,
}

impl SasExchange {
    /// An exchange in `role` with a fresh nonce.
    pub fn new(role: Role) -> SasExchange {
        SasExchange::with_nonce(role, Nonce::random())
    }

    /// As [`new`](Self::new) with a given nonce (tests, the shared vector).
    pub fn with_nonce(role: Role, mine: Nonce) -> SasExchange {
        SasExchange {
            role,
            mine,
            fingerprints: None,
            commitment: None,
            theirs: None,
            deadline: None,
            outcome: SecurityCode::Pending,
        }
    }

    /// The code, or why there is none.
    pub fn code(&self) -> &SecurityCode {
        &self.outcome
    }

    /// When [`on_timeout`](Self::on_timeout) is due.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
            .filter(|_| self.outcome == SecurityCode::Pending)
    }

    /// DTLS is up with these certificates: the answerer commits.
    pub fn on_connected(&mut self, fingerprints: Fingerprints, now: Instant) -> Option<SasMessage> {
        if self.fingerprints.is_some() {
            return None; // reconnected (ICE restart): same certificates
        }
        self.fingerprints = Some(fingerprints);
        self.deadline = Some(now + SAS_TIMEOUT);
        match self.role {
            Role::Answerer => Some(SasMessage::Commit {
                c: to_hex(&commitment(&fingerprints, &self.mine)),
            }),
            Role::Initiator => {
                self.finish_initiator();
                None
            }
        }
    }

    /// A message from the peer; what to send back, if anything.
    pub fn on_message(&mut self, message: SasMessage) -> Option<SasMessage> {
        if matches!(
            self.outcome,
            SecurityCode::Ready(_) | SecurityCode::NotVerified(NotVerified::ExchangeFailed)
        ) {
            return None;
        }
        match (self.role, message) {
            (Role::Initiator, SasMessage::Commit { c }) if self.commitment.is_none() => {
                let Some(c) = parse_hex32(&c) else {
                    return self.fail("malformed commitment");
                };
                self.commitment = Some(c);
                Some(SasMessage::Nonce {
                    n: self.mine.to_hex(),
                })
            }
            (Role::Initiator, SasMessage::Reveal { n })
                if self.commitment.is_some() && self.theirs.is_none() =>
            {
                let Some(nb) = Nonce::from_hex(&n) else {
                    return self.fail("malformed revealed nonce");
                };
                self.theirs = Some(nb);
                self.finish_initiator();
                None
            }
            (Role::Answerer, SasMessage::Nonce { n })
                if self.fingerprints.is_some() && self.theirs.is_none() =>
            {
                let Some(na) = Nonce::from_hex(&n) else {
                    return self.fail("malformed nonce");
                };
                self.theirs = Some(na);
                let fingerprints = self.fingerprints.expect("checked by the guard");
                self.outcome = SecurityCode::Ready(security_code(&fingerprints, &na, &self.mine));
                Some(SasMessage::Reveal {
                    n: self.mine.to_hex(),
                })
            }
            (_, message) => {
                // A repeat, or out of turn: a second commitment after our
                // nonce would let a man in the middle choose again.
                tracing::debug!(
                    kind = message.kind(),
                    "security-code message out of turn ignored"
                );
                None
            }
        }
    }

    /// Our side cannot tell the certificates (none from DTLS, or not
    /// SHA-256): there is nothing to verify.
    pub fn cannot_verify(&mut self) {
        if self.outcome == SecurityCode::Pending {
            self.outcome = SecurityCode::NotVerified(NotVerified::PeerUnsupported);
        }
    }

    /// The peer did not finish in time: not verified (a later completion
    /// still shows the code).
    pub fn on_timeout(&mut self, now: Instant) {
        if self.deadline().is_some_and(|d| now >= d) {
            self.outcome = SecurityCode::NotVerified(NotVerified::PeerUnsupported);
        }
    }

    /// With the commitment, Nb and the fingerprints in hand, checks and derives.
    fn finish_initiator(&mut self) {
        let (Some(fingerprints), Some(c), Some(nb)) =
            (self.fingerprints, self.commitment, self.theirs)
        else {
            return;
        };
        self.outcome = if commitment(&fingerprints, &nb) == c {
            SecurityCode::Ready(security_code(&fingerprints, &self.mine, &nb))
        } else {
            tracing::warn!("the revealed nonce does not open the commitment: not verified");
            SecurityCode::NotVerified(NotVerified::ExchangeFailed)
        };
    }

    fn fail(&mut self, why: &'static str) -> Option<SasMessage> {
        tracing::warn!(why, "security-code exchange failed");
        self.outcome = SecurityCode::NotVerified(NotVerified::ExchangeFailed);
        None
    }
}

#[cfg(test)]
mod tests;
