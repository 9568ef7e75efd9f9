//! The relay's handling of text frames (`videochat_server::frame::on_text`):
//! three clients from two addresses send frames, lose their sockets and come
//! back, against one hub with the default limits. Whatever they send, every
//! frame the relay queues for a client is JSON text: an event of its own,
//! or a frame it parsed and relays verbatim.

use std::net::{IpAddr, Ipv4Addr};
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use tokio_tungstenite::tungstenite::Message;
use videochat_server::frame::{Member, on_text};
use videochat_server::hub::{ConnectionHandle, Hub, Outbox};
use videochat_server::limits::Limits;

use crate::input::Reader;

const CLIENTS: usize = 3;

struct Client {
    handle: ConnectionHandle,
    outbox: Outbox,
    member: Member,
}

impl Client {
    fn connect(hub: &Hub, limits: &Limits, index: usize) -> Client {
        let (handle, outbox) = hub.connect(limits.queue_frames, limits.queue_bytes);
        // Clients 0 and 1 share an address: per-address join limits apply.
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + u8::from(index == 2)));
        Client {
            handle,
            outbox,
            member: Member::new(ip),
        }
    }

    /// Takes what the relay queued for this client, checking each frame.
    fn drain(&mut self) {
        while let Ok(message) = self.outbox.try_recv() {
            self.outbox.written(&message);
            let Message::Text(text) = message else {
                panic!("the relay queued a non-text frame: {message:?}");
            };
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "the relay queued a frame that is not JSON: {text:?}"
            );
        }
    }
}

/// Input: steps of one control byte (low bits: which client; 0x80: its
/// socket dies and it reconnects; 0x40: time passes for away members)
/// then a frame's text up to a 0xff byte.
pub fn relay_frames(data: &[u8]) {
    let limits = Limits {
        resume_grace: Duration::from_millis(100),
        ..Limits::default()
    };
    let hub = Hub::new(&limits, None);
    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|i| Client::connect(&hub, &limits, i))
        .collect();
    let mut input = Reader::new(data);
    let mut now = Instant::now();
    while !input.is_empty() {
        let control = input.u8();
        let who = usize::from(control & 0x3f) % CLIENTS;
        if control & 0x40 != 0 {
            now += Duration::from_millis(60);
            hub.expire_due(now);
        }
        if control & 0x80 != 0 {
            let gone = std::mem::replace(&mut clients[who], Client::connect(&hub, &limits, who));
            let mut member = gone.member;
            if let Some(room) = member.leave() {
                hub.disconnected(&gone.handle, &room);
            }
        }
        let text = input.text();
        let client = &mut clients[who];
        // Without a cluster on_text never waits, so one poll completes it.
        let handled = pin!(on_text(
            &hub,
            &client.handle,
            &mut client.member,
            text.into()
        ))
        .poll(&mut Context::from_waker(Waker::noop()));
        assert!(handled.is_ready(), "on_text waited without a cluster");
        clients.iter_mut().for_each(Client::drain);
    }
}
