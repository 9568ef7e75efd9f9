//! Asking the remote again for the packets that did not arrive (RTCP NACK):
//! at once, then again with a doubling pause, a few times at most.
//!
//! rtc's NACK generator asks for every missing packet on each tick (100 ms by
//! default) for as long as it is missing. On a short path that is 100 ms a
//! frame waits for nothing; on a slow link whose queue still holds the packet
//! it is a stream of duplicate retransmissions that fill the queue further.
//! Here a gap is asked for at the next wake-up, then again once a repair is
//! overdue (measured on this path as TCP times its retransmissions, so a
//! slow link's queue is waited for), the pause doubling each time (a queue
//! that grew is not flooded), and given up once the frame it belongs to has
//! been skipped. At 20% loss each way a round fails one time in three: the
//! fixed 30, 60, 120 ms of old left a frame every few seconds unrepaired
//! (6-21 key-frame requests a minute in the lab, 0-3 now).
//!
//! A gap shows only when a later packet arrives, so the lost end of a frame
//! would wait for the next frame (33 ms at 30 fps). A frame left unfinished
//! (no marker bit yet) while its packets stop coming is asked for its next
//! packet: a packet not yet sent is not in the sender's buffer, and a lost one
//! comes back a round trip later.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use rtc::interceptor::{AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::transport_feedbacks::transport_layer_nack::{
    TransportLayerNack, nack_pairs_from_sequence_numbers,
};
use rtc::rtp;
use rtc::sansio::Protocol;
use rtc::shared::TransportContext;
use rtc::shared::error::Error;

/// The first repeat comes this long after the first request until a repair
/// has been timed ...
const INITIAL_RETRY: Duration = Duration::from_millis(30);
/// ... and never sooner than this (a retransmission is a little late more
/// often than lost) ...
const MIN_RETRY: Duration = Duration::from_millis(5);
/// ... nor later than this.
const MAX_RETRY: Duration = Duration::from_millis(300);
/// Asking stops this long after the first request: the frame has been
/// skipped by then (`receive.rs` waits 300 ms of newer packets).
const GIVE_UP: Duration = Duration::from_millis(300);
/// Packets further back than this are forgotten (a long burst of loss).
const MAX_MISSING: u64 = 1_000;
/// An unfinished frame waits this many of its usual packet spacings for its
/// next packet before asking for it (on a slow link they come 20 ms apart) ...
const TAIL_SPACINGS: u32 = 3;
/// ... and this long at least and at most (the most while the spacing is
/// unknown, before a frame of two packets has arrived).
const TAIL_WAIT: (Duration, Duration) = (Duration::from_millis(2), Duration::from_millis(100));

/// One missing packet: when to ask next, how often it was asked for, and
/// when first.
#[derive(Debug)]
struct Missing {
    due: Instant,
    requests: u32,
    first_asked: Option<Instant>,
}

impl Missing {
    fn now(now: Instant) -> Self {
        Self {
            due: now,
            requests: 0,
            first_asked: None,
        }
    }
}

/// The newest packet: when it came and whether it ended its frame.
#[derive(Debug)]
struct Newest {
    at: Instant,
    timestamp: u32,
    ends_frame: bool,
    /// Its successor has been asked for already.
    tail_asked: bool,
}

/// The time from a request to its repair, smoothed with its variation as
/// TCP does its round trip (RFC 6298): a repair is overdue after the mean and
/// four deviations, so a queue that grows pushes the timeout out at once.
#[derive(Debug, Default)]
struct RepairTime {
    /// (mean, mean deviation), once a repair has been timed.
    smoothed: Option<(Duration, Duration)>,
}

impl RepairTime {
    fn add(&mut self, sample: Duration) {
        self.smoothed = Some(match self.smoothed {
            None => (sample, sample / 2),
            Some((mean, deviation)) => {
                let error = mean.abs_diff(sample);
                ((mean * 7 + sample) / 8, (deviation * 3 + error) / 4)
            }
        });
    }

    fn timeout(&self) -> Duration {
        self.smoothed
            .map_or(INITIAL_RETRY, |(mean, deviation)| mean + deviation * 4)
            .clamp(MIN_RETRY, MAX_RETRY)
    }
}

/// The receive state of one remote stream.
#[derive(Debug, Default)]
struct Stream {
    /// Highest extended sequence number seen.
    highest: Option<u64>,
    /// Missing packets by extended sequence number.
    missing: BTreeMap<u64, Missing>,
    newest: Option<Newest>,
    /// Smoothed time between the packets of one frame.
    spacing: Option<Duration>,
    /// How long repairs take here.
    repair: RepairTime,
}

impl Stream {
    fn on_packet(&mut self, header: &rtp::Header, now: Instant) {
        let seq = header.sequence_number;
        let Some(highest) = self.highest else {
            // Start high so that an earlier packet arriving late cannot underflow.
            self.highest = Some((1 << 32) + u64::from(seq));
            self.on_newest(header, now);
            return;
        };
        let delta = i64::from(seq.wrapping_sub(highest as u16) as i16);
        let ext = highest.saturating_add_signed(delta);
        if ext > highest {
            let first_gap = (highest + 1).max(ext.saturating_sub(MAX_MISSING));
            for lost in first_gap..ext {
                self.missing.insert(lost, Missing::now(now));
            }
            // Asked for as an unfinished frame's next packet, and only late.
            self.missing.remove(&ext);
            self.highest = Some(ext);
            // Forget what is too far back to matter.
            let keep_from = ext.saturating_sub(MAX_MISSING);
            self.missing = self.missing.split_off(&keep_from);
            self.on_newest(header, now);
        } else if let Some(missing) = self.missing.remove(&ext) {
            // The retransmission asked for (or a late packet). Only an answer
            // to a single request says what a repair takes.
            if let (1, Some(asked)) = (missing.requests, missing.first_asked) {
                let sample = now.saturating_duration_since(asked);
                self.repair.add(sample);
            }
        }
    }

    fn on_newest(&mut self, header: &rtp::Header, now: Instant) {
        if let Some(newest) = &self.newest
            && newest.timestamp == header.timestamp
        {
            let sample = now.saturating_duration_since(newest.at);
            self.spacing = Some(self.spacing.map_or(sample, |s| (s * 7 + sample) / 8));
        }
        self.newest = Some(Newest {
            at: now,
            timestamp: header.timestamp,
            ends_frame: header.marker,
            tail_asked: false,
        });
    }

    /// When an unfinished frame's next packet is to be asked for.
    fn tail_due(&self) -> Option<Instant> {
        let newest = self
            .newest
            .as_ref()
            .filter(|n| !n.ends_frame && !n.tail_asked)?;
        let wait = self
            .spacing
            .map_or(TAIL_WAIT.1, |s| s * TAIL_SPACINGS)
            .clamp(TAIL_WAIT.0, TAIL_WAIT.1);
        Some(newest.at + wait)
    }

    /// The sequence numbers to ask for at `now`; reschedules or gives them up.
    fn take_due(&mut self, now: Instant) -> Vec<u16> {
        if self.tail_due().is_some_and(|due| due <= now)
            && let (Some(highest), Some(newest)) = (self.highest, self.newest.as_mut())
        {
            newest.tail_asked = true;
            self.missing.insert(highest + 1, Missing::now(now));
        }
        let first_pause = self.repair.timeout();
        let mut due = Vec::new();
        self.missing.retain(|&seq, missing| {
            if missing.due > now {
                return true;
            }
            if missing
                .first_asked
                .is_some_and(|at| now.saturating_duration_since(at) >= GIVE_UP)
            {
                return false;
            }
            missing.requests += 1;
            missing.first_asked.get_or_insert(now);
            missing.due = now + first_pause * (1 << (missing.requests - 1));
            due.push(seq as u16);
            true
        });
        due
    }

    fn next_due(&self) -> Option<Instant> {
        let missing = self.missing.values().map(|m| m.due).min();
        missing.into_iter().chain(self.tail_due()).min()
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
            stream.on_packet(&packet.header, msg.now);
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

    /// A packet of a frame of its own (marker set, timestamp from `seq`).
    fn whole(seq: u16) -> rtp::Header {
        part(seq, u32::from(seq), true)
    }

    fn part(seq: u16, timestamp: u32, marker: bool) -> rtp::Header {
        rtp::Header {
            sequence_number: seq,
            timestamp,
            marker,
            ..Default::default()
        }
    }

    fn stream_with(seqs: &[u16], at: Instant) -> Stream {
        let mut stream = Stream::default();
        for &seq in seqs {
            stream.on_packet(&whole(seq), at);
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
        for t in 0..1_000 {
            if !stream.take_due(ms(start, t)).is_empty() {
                asked_at.push(t);
            }
        }
        assert_eq!(asked_at, vec![0, 30, 90, 210]);
        assert_eq!(stream.next_due(), None, "given up after the last request");
    }

    #[test]
    fn an_arrival_ends_the_requests() {
        let start = Instant::now();
        let mut stream = stream_with(&[10, 13], start);
        assert_eq!(stream.take_due(start), vec![11, 12]);
        stream.on_packet(&whole(12), ms(start, 5));
        assert_eq!(stream.take_due(ms(start, 30)), vec![11]);
        stream.on_packet(&whole(11), ms(start, 31));
        assert_eq!(stream.next_due(), None);
    }

    #[test]
    fn requests_repeat_sooner_on_a_path_that_repairs_fast() {
        let start = Instant::now();
        let mut stream = stream_with(&[0], start);
        // Twenty repairs, each 2 ms after its request.
        for i in 0..20u16 {
            let t = u64::from(i) * 100;
            stream.on_packet(&whole(2 * i + 2), ms(start, t));
            assert_eq!(stream.take_due(ms(start, t)), vec![2 * i + 1]);
            stream.on_packet(&whole(2 * i + 1), ms(start, t + 2));
        }
        stream.on_packet(&whole(42), ms(start, 3_000));
        assert_eq!(stream.take_due(ms(start, 3_000)), vec![41]);
        let again = stream.next_due().expect("asked again");
        assert!(again <= ms(start, 3_010), "{:?}", again - start);
    }

    #[test]
    fn one_slow_repair_pushes_the_pause_out_at_once() {
        // A queue building on a slow link: duplicates would only deepen it.
        let mut repair = RepairTime::default();
        for _ in 0..20 {
            repair.add(Duration::from_millis(2));
        }
        assert_eq!(repair.timeout(), MIN_RETRY);
        repair.add(Duration::from_millis(50));
        assert!(
            repair.timeout() >= Duration::from_millis(50),
            "{:?}",
            repair.timeout()
        );
    }

    #[test]
    fn an_unfinished_frame_asks_for_its_next_packet_once_they_stop_coming() {
        let start = Instant::now();
        let mut stream = Stream::default();
        let micros = |n: u64| start + Duration::from_micros(n);
        // A frame of packets 100 µs apart, then silence after packet 3.
        for (seq, t) in [(1, 0), (2, 100), (3, 200)] {
            stream.on_packet(&part(seq, 9_000, false), micros(t));
        }
        assert_eq!(stream.next_due(), Some(micros(200) + TAIL_WAIT.0));
        assert!(stream.take_due(micros(1_000)).is_empty());
        assert_eq!(stream.take_due(micros(2_200)), vec![4]);
        // It was not lost, only late: it ends the frame and the requests.
        stream.on_packet(&part(4, 9_000, true), micros(3_000));
        assert_eq!(stream.next_due(), None);
    }

    #[test]
    fn a_finished_frame_asks_for_nothing() {
        let start = Instant::now();
        let mut stream = Stream::default();
        stream.on_packet(&part(1, 9_000, false), start);
        stream.on_packet(&part(2, 9_000, true), start);
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
            let packet = rtp::Packet {
                header: rtp::Header {
                    ssrc: 99,
                    ..whole(seq)
                },
                ..Default::default()
            };
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
