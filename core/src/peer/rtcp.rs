//! Inbound RTCP the application must act on: key-frame requests and loss reports.
//!
//! In webrtc-rs 0.21 inbound RTCP ends inside the interceptor chain; the
//! application never sees a PLI unless an interceptor hands it out (crate example
//! `rtcp-processing`). [`FeedbackObserver`] is that interceptor: it passes every
//! packet through untouched and reports, for our video sender only,
//! key-frame requests (PLI, FIR) and the receiver-reported loss fraction.

use std::collections::VecDeque;
use std::time::Instant;

use rtc::interceptor::{Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp;
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::receiver_report::ReceiverReport;
use rtc::rtcp::reception_report::ReceptionReport;
use rtc::rtcp::sender_report::SenderReport;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

use super::events::{EventQueue, PeerEvent};

/// What an inbound RTCP packet asks of our video sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feedback {
    /// The remote cannot decode: send a key frame.
    KeyFrameRequest,
    /// A reception report for our video: RTCP `fraction lost` (loss * 256).
    VideoLoss { fraction_lost: u8 },
}

/// Reads key-frame requests and reception reports about `video_ssrc` out of one
/// compound RTCP packet.
pub(crate) fn classify(packets: &[Box<dyn rtcp::Packet>], video_ssrc: u32) -> Vec<Feedback> {
    let mut out = Vec::new();
    let mut wants_key_frame = false;
    let loss_from = |reports: &[ReceptionReport], out: &mut Vec<Feedback>| {
        for report in reports.iter().filter(|r| r.ssrc == video_ssrc) {
            out.push(Feedback::VideoLoss {
                fraction_lost: report.fraction_lost,
            });
        }
    };
    for packet in packets {
        let any = packet.as_any();
        if let Some(pli) = any.downcast_ref::<PictureLossIndication>() {
            wants_key_frame |= pli.media_ssrc == video_ssrc;
        } else if let Some(fir) = any.downcast_ref::<FullIntraRequest>() {
            wants_key_frame |=
                fir.media_ssrc == video_ssrc || fir.fir.iter().any(|e| e.ssrc == video_ssrc);
        } else if let Some(rr) = any.downcast_ref::<ReceiverReport>() {
            loss_from(&rr.reports, &mut out);
        } else if let Some(sr) = any.downcast_ref::<SenderReport>() {
            loss_from(&sr.reports, &mut out);
        }
    }
    // Several requests in one compound packet still mean one key frame.
    if wants_key_frame {
        out.push(Feedback::KeyFrameRequest);
    }
    out
}

/// Pass-through interceptor that reports [`Feedback`] for our video sender
/// as [`PeerEvent`]s.
pub(crate) struct FeedbackObserver {
    video_ssrc: u32,
    events: EventQueue,
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

impl FeedbackObserver {
    pub(crate) fn new(video_ssrc: u32, events: EventQueue) -> Self {
        Self {
            video_ssrc,
            events,
            read_queue: VecDeque::new(),
            write_queue: VecDeque::new(),
        }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for FeedbackObserver {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            for feedback in classify(packets, self.video_ssrc) {
                match feedback {
                    // A lost key-frame request would leave the remote frozen.
                    Feedback::KeyFrameRequest => self.events.control(PeerEvent::KeyFrameRequested),
                    Feedback::VideoLoss { fraction_lost } => {
                        self.events.media(PeerEvent::VideoLoss {
                            fraction_lost: f64::from(fraction_lost) / 256.0,
                        })
                    }
                }
            }
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
}

impl Interceptor for FeedbackObserver {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtc::rtcp::payload_feedbacks::full_intra_request::FirEntry;

    const VIDEO: u32 = 0x1111;
    const AUDIO: u32 = 0x2222;

    fn report(ssrc: u32, fraction_lost: u8) -> ReceptionReport {
        ReceptionReport {
            ssrc,
            fraction_lost,
            ..Default::default()
        }
    }

    #[test]
    fn pli_for_our_video_is_a_key_frame_request() {
        let packets: Vec<Box<dyn rtcp::Packet>> = vec![Box::new(PictureLossIndication {
            sender_ssrc: 9,
            media_ssrc: VIDEO,
        })];
        assert_eq!(classify(&packets, VIDEO), vec![Feedback::KeyFrameRequest]);
    }

    #[test]
    fn pli_for_another_stream_is_ignored() {
        let packets: Vec<Box<dyn rtcp::Packet>> = vec![Box::new(PictureLossIndication {
            sender_ssrc: 9,
            media_ssrc: AUDIO,
        })];
        assert!(classify(&packets, VIDEO).is_empty());
    }

    #[test]
    fn fir_entry_for_our_video_is_a_key_frame_request() {
        let packets: Vec<Box<dyn rtcp::Packet>> = vec![Box::new(FullIntraRequest {
            sender_ssrc: 9,
            media_ssrc: 0,
            fir: vec![FirEntry {
                ssrc: VIDEO,
                sequence_number: 1,
            }],
        })];
        assert_eq!(classify(&packets, VIDEO), vec![Feedback::KeyFrameRequest]);
    }

    #[test]
    fn receiver_report_gives_loss_for_video_only() {
        let packets: Vec<Box<dyn rtcp::Packet>> = vec![Box::new(ReceiverReport {
            ssrc: 9,
            reports: vec![report(AUDIO, 200), report(VIDEO, 13)],
            ..Default::default()
        })];
        assert_eq!(
            classify(&packets, VIDEO),
            vec![Feedback::VideoLoss { fraction_lost: 13 }]
        );
    }

    #[test]
    fn compound_with_report_and_two_plis_yields_one_request() {
        let pli = || PictureLossIndication {
            sender_ssrc: 9,
            media_ssrc: VIDEO,
        };
        let packets: Vec<Box<dyn rtcp::Packet>> = vec![
            Box::new(SenderReport {
                ssrc: 9,
                reports: vec![report(VIDEO, 0)],
                ..Default::default()
            }),
            Box::new(pli()),
            Box::new(pli()),
        ];
        assert_eq!(
            classify(&packets, VIDEO),
            vec![
                Feedback::VideoLoss { fraction_lost: 0 },
                Feedback::KeyFrameRequest
            ]
        );
    }
}
