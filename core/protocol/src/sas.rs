/// The messages of the short-authentication-string exchange behind the
/// security code (docs/protocol.md, "Security code"). Each value is 32
/// bytes as 64 lowercase hex digits; the receiver checks that, the wire
/// types only carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SasMessage {
    /// `{"type":"sas-commit","c":...}`: the answerer's commitment,
    /// SHA-256(fpOffer || fpAnswer || Nb).
    Commit { c: String },
    /// `{"type":"sas-nonce","n":...}`: the initiator's nonce Na, sent only
    /// once it holds the commitment.
    Nonce { n: String },
    /// `{"type":"sas-reveal","n":...}`: the answerer's nonce Nb, opening
    /// its commitment.
    Reveal { n: String },
}

impl SasMessage {
    /// The message's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            SasMessage::Commit { .. } => "sas-commit",
            SasMessage::Nonce { .. } => "sas-nonce",
            SasMessage::Reveal { .. } => "sas-reveal",
        }
    }
}
