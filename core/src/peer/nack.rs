//! Asking the remote again for the packets that did not arrive (RTCP NACK):
//! at once, then with a doubling pause, a few times at most.
//!
//! rtc's NACK generator asks for every missing packet on each tick (100 ms by
//! default) for as long as it is missing. On a short path that is 100 ms a
//! frame waits for nothing; on a slow link whose queue still holds the packet
//! it is a stream of duplicate retransmissions that fill the queue further.
//! Here a gap is asked for at the next wake-up, then after 30, 60, 120 ... ms
//! (a retransmission that is itself lost is asked for again soon; one still
//! on its way is not asked for every tick), and given up after
//! `MAX_REQUESTS`: by then the frame has been skipped and a key frame asked for.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use rtc::interceptor::{AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::transport_feedbacks::transport_layer_nack::{
    TransportLayerNack, nack_pairs_from_sequence_numbers,
};
use rtc::sansio::Protocol;
use rtc::shared::TransportContext;
use rtc::shared::error::Error;

/// The pause after the first request; it doubles with each further one.
const FIRST_RETRY: Duration = Duration::from_millis(30);
/// Requests per packet: at 0, 30, 90, 210 and 450 ms after the gap was seen.
const MAX_REQUESTS: u32 = 5;
/// Packets further back than this are forgotten (a long burst of loss).
const MAX_MISSING: u64 = 1_000;

/// One missing packet: when to ask next, and how often it was asked for.
#[derive(Debug)]
struct Missing {
    due: Instant,
    requests: u32,
}

/// The receive state of one remote stream.
#[derive(Debug, Default)]
struct Stream {
    /// Highest extended sequence number seen.
    highest: Option<u64>,
    /// Missing packets by extended sequence number.
    missing: BTreeMap<u64, Missing>,
}

impl Stream {
    fn on_packet(&mut self, seq: u16, now: Instant) {
        let Some(highest) = self.highest else {
            // Start high so that an earlier packet arriving late cannot underflow.
            self.highest = Some((1 << 32) + u64::from(seq));
            return;
        };
        let delta = i64::from(seq.wrapping_sub(highest as u16) as i16);
        let ext = highest.saturating_add_signed(delta);
        if ext > highest {
            let first_gap = (highest + 1).max(ext.saturating_sub(MAX_MISSING));
            for lost in first_gap..ext {
                self.missing.insert(
                    lost,
                    Missing {
                        due: now,
                        requests: 0,
                    },
                );
            }
            self.highest = Some(ext);
            // Forget what is too far back to matter.
            let keep_from = ext.saturating_sub(MAX_MISSING);
            self.missing = self.missing.split_off(&keep_from);
        } else {
            // Late, or the retransmission asked for.
            self.missing.remove(&ext);
        }
    }

    /// The sequence numbers to ask for at `now`; reschedules or gives them up.
    fn take_due(&mut self, now: Instant) -> Vec<u16> {
        let mut due = Vec::new();
        self.missing.retain(|&seq, missing| {
            if missing.due > now {
                return true;
            }
            if missing.requests == MAX_REQUESTS {
                return false;
            }
            missing.requests += 1;
            missing.due = now + FIRST_RETRY * (1 << (missing.requests - 1));
            due.push(seq as u16);
            true
        });
        due
    }

    fn next_due(&self) -> Option<Instant> {
        self.missing.values().map(|m| m.due).min()
    }
}

/// The NACK interceptor (in the NACK generator's slot); see the module docs.
pub(crate) struct NackRequester {
    sender_ssrc: u32,
    streams: HashMap<u32, Stream>,
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

impl NackRequester {
    pub(crate) fn new(sender_ssrc: u32) -> Self {
        Self {
            sender_ssrc,
            streams: HashMap::new(),
            read_queue: VecDeque::new(),
            write_queue: VecDeque::new(),
        }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for NackRequester {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtp(packet) = &msg.message.packet
            && let Some(stream) = self.streams.get_mut(&packet.header.ssrc)
        {
            stream.on_packet(packet.header.sequence_number, msg.now);
        }
        self.read_queue.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read_queue.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write_queue.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write_queue.pop_front()
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), Self::Error> {
        for (&media_ssrc, stream) in &mut self.streams {
            let due = stream.take_due(now);
            if due.is_empty() {
                continue;
            }
            let nack = TransportLayerNack {
                sender_ssrc: self.sender_ssrc,
                media_ssrc,
                nacks: nack_pairs_from_sequence_numbers(&due),
            };
            self.write_queue.push_back(TaggedPacket {
                now,
                transport: TransportContext::default(),
                message: AttributedPacket::new(Packet::Rtcp(vec![Box::new(nack)])),
            });
        }
        Ok(())
    }

    fn poll_timeout(&mut self) -> Option<Self::Time> {
        self.streams.values().filter_map(Stream::next_due).min()
    }
}

impl Interceptor for NackRequester {
    fn bind_remote_stream(&mut self, info: &StreamInfo) {
        let nack = info
            .rtcp_feedback
            .iter()
            .any(|fb| fb.typ == "nack" && fb.parameter.is_empty());
        if nack {
            self.streams.insert(info.ssrc, Stream::default());
        }
    }

    fn unbind_remote_stream(&mut self, info: &StreamInfo) {
        self.streams.remove(&info.ssrc);
    }

    fn bind_local_stream(&mut self, _info: &StreamInfo) {}

    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    fn stream_with(seqs: &[u16], at: Instant) -> Stream {
        let mut stream = Stream::default();
        for &seq in seqs {
            stream.on_packet(seq, at);
        }
        stream
    }

    #[test]
    fn a_gap_is_asked_for_at_once() {
        let start = Instant::now();
        let mut stream = stream_with(&[1, 2, 5], start);
        assert_eq!(stream.next_due(), Some(start));
        assert_eq!(stream.take_due(start), vec![3, 4]);
    }

    #[test]
    fn requests_repeat_after_a_doubling_pause_then_stop() {
        let start = Instant::now();
        let mut stream = stream_with(&[1, 3], start);
        let mut asked_at = Vec::new();
        for t in 0..2_000 {
            if !stream.take_due(ms(start, t)).is_empty() {
                asked_at.push(t);
            }
        }
        assert_eq!(asked_at, vec![0, 30, 90, 210, 450]);
        assert_eq!(stream.next_due(), None, "given up after the last request");
    }

    #[test]
    fn an_arrival_ends_the_requests() {
        let start = Instant::now();
        let mut stream = stream_with(&[10, 13], start);
        assert_eq!(stream.take_due(start), vec![11, 12]);
        stream.on_packet(12, ms(start, 5));
        assert_eq!(stream.take_due(ms(start, 30)), vec![11]);
        stream.on_packet(11, ms(start, 31));
        assert_eq!(stream.next_due(), None);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let start = Instant::now();
        let mut stream = stream_with(&[65_534, 1], start);
        assert_eq!(stream.take_due(start), vec![65_535, 0]);
    }

    #[test]
    fn a_long_burst_of_loss_keeps_only_the_recent_gap() {
        let start = Instant::now();
        let mut stream = stream_with(&[0, 30_000], start);
        let due = stream.take_due(start);
        assert_eq!(due.len() as u64, MAX_MISSING);
        assert_eq!(due.last(), Some(&29_999));
    }

    #[test]
    fn reordered_and_duplicate_packets_add_no_gap() {
        let start = Instant::now();
        let stream = stream_with(&[1, 2, 3, 2, 3, 1], start);
        assert_eq!(stream.next_due(), None);
    }

    #[test]
    fn the_interceptor_sends_one_nack_per_stream_with_what_is_due() {
        use rtc::rtp;
        let start = Instant::now();
        let mut requester = NackRequester::new(7);
        requester.bind_remote_stream(&StreamInfo {
            ssrc: 99,
            rtcp_feedback: vec![rtc::interceptor::RTCPFeedback {
                typ: "nack".into(),
                parameter: String::new(),
            }],
            ..Default::default()
        });
        for seq in [1u16, 4] {
            let mut packet = rtp::Packet::default();
            packet.header.ssrc = 99;
            packet.header.sequence_number = seq;
            requester
                .handle_read(TaggedPacket {
                    now: start,
                    transport: TransportContext::default(),
                    message: AttributedPacket::new(Packet::Rtp(packet)),
                })
                .expect("read");
        }
        assert_eq!(requester.poll_timeout(), Some(start));
        requester.handle_timeout(start).expect("timeout");
        let sent = requester.poll_write().expect("a NACK");
        let Packet::Rtcp(packets) = &sent.message.packet else {
            panic!("not RTCP");
        };
        let nack = packets[0]
            .as_any()
            .downcast_ref::<TransportLayerNack>()
            .expect("a NACK");
        assert_eq!((nack.sender_ssrc, nack.media_ssrc), (7, 99));
        let mut asked: Vec<u16> = nack.nacks.iter().flat_map(|p| p.packet_list()).collect();
        asked.sort_unstable();
        assert_eq!(asked, vec![2, 3]);
        assert!(requester.poll_write().is_none());
        assert_eq!(requester.poll_timeout(), Some(ms(start, 30)));
    }
}
