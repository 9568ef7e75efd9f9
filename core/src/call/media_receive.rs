//! The receive side: one long-lived thread decodes remote H.264 and Opus and
//! hands the results to the app's observer, asking the driver for a key frame
//! when the video cannot be decoded.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::media::{H264Decoder, I420Frame, OpusDecoder};
use crate::peer::{RemoteAudioPacket, RemoteVideoFrame, VIDEO_CLOCK_RATE};

use super::command::Command;
use super::observer::CallObserver;
use super::stats::Counters;

/// Media waiting for the decoder thread. Enough for a burst after a stall;
/// beyond it the driver drops and asks for a key frame.
const QUEUE: usize = 64;
/// Lost audio packets rebuilt at most per gap; a longer gap is silence.
const MAX_CONCEALED: u16 = 5;

/// Remote media for the decoder thread.
pub(crate) enum Received {
    Video(RemoteVideoFrame),
    Audio(RemoteAudioPacket),
    /// A new peer connection: sequence numbers and decoder state start over.
    Reset,
}

/// Starts the decoder thread; it ends when the returned sender is dropped.
pub(crate) fn spawn(
    observer: Arc<dyn CallObserver>,
    counters: Arc<Counters>,
    commands: UnboundedSender<Command>,
) -> std::io::Result<SyncSender<Received>> {
    let (tx, rx) = sync_channel(QUEUE);
    std::thread::Builder::new()
        .name("videochat-media-rx".into())
        .spawn(move || {
            let mut decoder = MediaDecoder {
                observer,
                counters,
                commands,
                video: None, // made on `Reset`, which every new connection sends
                picture: I420Frame::default(),
                audio: None,
                last_audio_sequence: None,
            };
            decoder.run(rx)
        })?;
    Ok(tx)
}

struct MediaDecoder {
    observer: Arc<dyn CallObserver>,
    counters: Arc<Counters>,
    commands: UnboundedSender<Command>,
    video: Option<H264Decoder>,
    picture: I420Frame,
    audio: Option<OpusDecoder>,
    last_audio_sequence: Option<u16>,
}

impl MediaDecoder {
    fn run(&mut self, rx: Receiver<Received>) {
        while let Ok(received) = rx.recv() {
            match received {
                Received::Video(frame) => self.on_video(frame),
                Received::Audio(packet) => self.on_audio(packet),
                Received::Reset => {
                    self.counters.restart_freeze_clock();
                    // A fresh decoder for the new connection, made now rather
                    // than with its first frame: that frame shows sooner.
                    self.video = H264Decoder::new().ok();
                    self.audio = None;
                    self.last_audio_sequence = None;
                }
            }
        }
    }

    fn on_video(&mut self, frame: RemoteVideoFrame) {
        if self.video.is_none() {
            match H264Decoder::new() {
                Ok(decoder) => self.video = Some(decoder),
                Err(e) => return tracing::error!(error = %e, "cannot create the H.264 decoder"),
            }
        }
        let Some(decoder) = self.video.as_mut() else {
            return;
        };
        self.counters.update(|s| {
            s.video_packets_received += u64::from(frame.packets);
            s.video_packets_lost += u64::from(frame.lost_packets);
            s.media_bytes_received += frame.data.len() as u64;
        });
        let timestamp_us = u64::from(frame.rtp_timestamp) * 1_000_000 / u64::from(VIDEO_CLOCK_RATE);
        let started = Instant::now();
        let decoded = decoder.decode_into(&frame.data, timestamp_us, &mut self.picture);
        if frame.key_frame {
            tracing::debug!(
                bytes = frame.data.len(),
                decode_us = started.elapsed().as_micros() as u64,
                "key frame received"
            );
        }
        match decoded {
            Ok(true) => {
                let (width, height) = (self.picture.width, self.picture.height);
                self.counters
                    .record_remote_frame(width, height, Instant::now());
                self.observer.on_remote_video_frame(&self.picture);
            }
            Ok(false) => {}
            Err(e) if e.needs_key_frame() => {
                tracing::debug!(error = %e, "cannot decode remote video; asking for a key frame");
                let _ = self.commands.send(Command::RequestKeyFrame);
            }
            Err(e) => tracing::warn!(error = %e, "remote video"),
        }
    }

    fn on_audio(&mut self, packet: RemoteAudioPacket) {
        if self.audio.is_none() {
            match OpusDecoder::new() {
                Ok(decoder) => self.audio = Some(decoder),
                Err(e) => return tracing::error!(error = %e, "cannot create the Opus decoder"),
            }
        }
        let missing = self
            .last_audio_sequence
            .map_or(0, |last| packet.sequence.wrapping_sub(last).wrapping_sub(1));
        let late = missing >= u16::MAX / 2;
        self.counters.update(|s| {
            s.audio_packets_received += 1;
            s.media_bytes_received += packet.data.len() as u64;
            if !late {
                s.audio_packets_lost += u64::from(missing);
            }
        });
        if late {
            return; // late or duplicated: already played or concealed
        }
        self.last_audio_sequence = Some(packet.sequence);
        let Some(decoder) = self.audio.as_mut() else {
            return;
        };
        // All but the last lost frame are concealed; the last one is rebuilt
        // from this packet's in-band FEC copy of it (Opus carries one).
        let rebuilt = missing.min(MAX_CONCEALED);
        for n in 0..rebuilt {
            let pcm = if n + 1 == rebuilt && missing <= MAX_CONCEALED {
                decoder.decode_fec(&packet.data)
            } else {
                decoder.decode(None)
            };
            if let Ok(pcm) = pcm {
                self.counters.update(|s| s.audio_frames_concealed += 1);
                self.observer.on_remote_audio(&pcm);
            }
        }
        match decoder.decode(Some(&packet.data)) {
            Ok(pcm) if !pcm.is_empty() => self.observer.on_remote_audio(&pcm),
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "remote audio"),
        }
    }
}
