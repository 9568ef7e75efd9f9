//! The driver's side of the security code: runs one [`SasExchange`] per
//! peer connection, with the fingerprints of the certificates DTLS verified,
//! and publishes the result for [`Call::security_code`](super::Call::security_code).

use std::time::Instant;

use tokio::sync::watch;
use videochat_protocol::{PeerMessage, SasMessage};

use super::sas::{SasExchange, SecurityCode};
use super::security_code::{Fingerprint, Fingerprints};
use crate::negotiation::Role;
use crate::peer::Peer;

pub(crate) struct SecurityCheck {
    exchange: Option<SasExchange>,
    published: watch::Sender<SecurityCode>,
}

impl SecurityCheck {
    pub fn new() -> (SecurityCheck, watch::Receiver<SecurityCode>) {
        let (published, code) = watch::channel(SecurityCode::Pending);
        let check = SecurityCheck {
            exchange: None,
            published,
        };
        (check, code)
    }

    /// A new peer connection: a new exchange, once it connects.
    pub fn reset(&mut self) {
        self.exchange = None;
        self.publish();
    }

    /// `peer` connected in `role`: starts the exchange (once per connection).
    pub async fn on_connected(
        &mut self,
        peer: &Peer,
        role: Role,
        now: Instant,
    ) -> Option<PeerMessage> {
        let fingerprints = fingerprints(peer, role).await;
        let exchange = self.exchange.get_or_insert_with(|| SasExchange::new(role));
        let reply = match fingerprints {
            Some(fingerprints) => exchange.on_connected(fingerprints, now),
            None => {
                tracing::warn!(
                    "no SHA-256 DTLS certificate fingerprints: the code cannot be verified"
                );
                exchange.cannot_verify();
                None
            }
        };
        self.publish();
        reply.map(PeerMessage::Sas)
    }

    /// A security-code message from the peer, while we are in `role`; what
    /// to send back. It may come before our own connection reports
    /// connected (the peer's DTLS finished first).
    pub fn on_message(&mut self, message: SasMessage, role: Role) -> Option<PeerMessage> {
        let exchange = self.exchange.get_or_insert_with(|| SasExchange::new(role));
        let reply = exchange.on_message(message);
        self.publish();
        reply.map(PeerMessage::Sas)
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.exchange.as_ref()?.deadline()
    }

    pub fn on_timeout(&mut self, now: Instant) {
        if let Some(exchange) = self.exchange.as_mut() {
            exchange.on_timeout(now);
            self.publish();
        }
    }

    fn publish(&self) {
        let code = self
            .exchange
            .as_ref()
            .map_or(SecurityCode::Pending, |e| e.code().clone());
        self.published.send_if_modified(|shown| {
            let changed = *shown != code;
            *shown = code;
            changed
        });
    }
}

/// Ours from our SDP (we made it), the remote's from the certificate DTLS
/// verified, ordered by who offered.
async fn fingerprints(peer: &Peer, role: Role) -> Option<Fingerprints> {
    let local = Fingerprint::from_sdp(&peer.local_fingerprint()?)?;
    let remote = Fingerprint::of_certificate(&peer.remote_certificate().await?);
    Some(match role {
        Role::Initiator => Fingerprints {
            offer: local,
            answer: remote,
        },
        Role::Answerer => Fingerprints {
            offer: remote,
            answer: local,
        },
    })
}
