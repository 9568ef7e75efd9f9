//! The receive side: one long-lived thread decodes remote H.264 and Opus and
//! hands the results to the app's observer, asking for a key frame when the
//! video cannot be decoded.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::media::{H264Decoder, I420Frame, OpusDecoder};
use crate::peer::{RemoteAudioPacket, RemoteVideoFrame, VIDEO_CLOCK_RATE};

use super::driver::Command;
use super::observer::CallObserver;
use super::stats::Counters;

/// Media waiting for the decoder thread. Enough for a burst after a stall;
/// beyond it the driver drops and asks for a key frame.
const QUEUE: usize = 64;
/// Lost audio packets concealed at most per gap; a longer gap is silence.
const MAX_CONCEALED: u16 = 5;
/// PLIs are not repeated faster than this (the key frame takes a round trip).
const KEY_FRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(300);

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
                video: None,
                picture: I420Frame::default(),
                last_key_frame_request: None,
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
    last_key_frame_request: Option<Instant>,
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
                    self.video = None;
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
                Err(e) => return tracing::error!("cannot create the H.264 decoder: {e}"),
            }
        }
        let Some(decoder) = self.video.as_mut() else {
            return;
        };
        let timestamp_us = u64::from(frame.rtp_timestamp) * 1_000_000 / u64::from(VIDEO_CLOCK_RATE);
        match decoder.decode_into(&frame.data, timestamp_us, &mut self.picture) {
            Ok(true) => {
                self.counters
                    .record_remote_frame(self.picture.width, self.picture.height);
                self.observer.on_remote_video_frame(&self.picture);
            }
            Ok(false) => {}
            Err(e) if e.needs_key_frame() => {
                tracing::debug!("cannot decode remote video ({e}); asking for a key frame");
                self.request_key_frame();
            }
            Err(e) => tracing::warn!("remote video: {e}"),
        }
    }

    fn request_key_frame(&mut self) {
        let now = Instant::now();
        if self
            .last_key_frame_request
            .is_some_and(|last| now - last < KEY_FRAME_REQUEST_INTERVAL)
        {
            return;
        }
        self.last_key_frame_request = Some(now);
        Counters::bump(&self.counters.key_frame_requests_sent);
        let _ = self.commands.send(Command::RequestKeyFrame);
    }

    fn on_audio(&mut self, packet: RemoteAudioPacket) {
        if self.audio.is_none() {
            match OpusDecoder::new() {
                Ok(decoder) => self.audio = Some(decoder),
                Err(e) => return tracing::error!("cannot create the Opus decoder: {e}"),
            }
        }
        Counters::bump(&self.counters.audio_packets_received);
        let missing = self
            .last_audio_sequence
            .map_or(0, |last| packet.sequence.wrapping_sub(last).wrapping_sub(1));
        if missing >= u16::MAX / 2 {
            return; // late or duplicated: already played or concealed
        }
        self.last_audio_sequence = Some(packet.sequence);
        let Some(decoder) = self.audio.as_mut() else {
            return;
        };
        for _ in 0..missing.min(MAX_CONCEALED) {
            if let Ok(pcm) = decoder.decode(None) {
                Counters::bump(&self.counters.audio_frames_concealed);
                self.observer.on_remote_audio(&pcm);
            }
        }
        match decoder.decode(Some(&packet.data)) {
            Ok(pcm) if !pcm.is_empty() => self.observer.on_remote_audio(&pcm),
            Ok(_) => {}
            Err(e) => tracing::debug!("remote audio: {e}"),
        }
    }
}
