//! The wire types (`videochat-protocol`): what the relay makes of a client's
//! frame, and what a client makes of a received one. What parses must
//! serialize back to the same meaning.

use videochat_protocol::{ClientFrame, Incoming};

pub fn wire_protocol(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = ClientFrame::parse(&text);
    let _ = ClientFrame::is_reserved_type(&text);
    match Incoming::parse(&text) {
        Ok(Incoming::Peer(message)) => {
            let again = Incoming::parse(&message.to_json());
            assert_eq!(
                again,
                Ok(Incoming::Peer(message)),
                "peer message round trip"
            );
        }
        Ok(Incoming::Relay(event)) => {
            let again = Incoming::parse(&event.to_json());
            assert_eq!(again, Ok(Incoming::Relay(event)), "relay event round trip");
        }
        Ok(Incoming::Unknown) | Err(_) => {}
    }
}
