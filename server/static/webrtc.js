// WebRTC helpers that hold no call state: codec order, the tutorial's candidate shape (docs/protocol.md), media
// stats for the test hook, and opening a camera by facing.

/** Puts H.264 first (Constrained Baseline with packetization-mode 1 ahead) so a phone's H.264-only core matches. */
export function preferH264(pc) {
  const codecs = RTCRtpReceiver.getCapabilities?.('video')?.codecs;
  if (!codecs?.some((c) => c.mimeType.toLowerCase() === 'video/h264')) return;
  const rank = ({ mimeType, sdpFmtpLine = '' }) => {
    if (mimeType.toLowerCase() !== 'video/h264') return 3;
    if (!sdpFmtpLine.includes('packetization-mode=1')) return 2;
    return /profile-level-id=42e01f/i.test(sdpFmtpLine) ? 0 : 1;
  };
  const ordered = [...codecs].sort((a, b) => rank(a) - rank(b)); // stable: keeps rtx/red/fec
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.receiver.track.kind !== 'video' || transceiver.stopped) continue;
    try {
      transceiver.setCodecPreferences?.(ordered);
    } catch (error) {
      console.warn('kept the default codec order', error);
    }
  }
}

/** A gathered RTCIceCandidate as the tutorial's message; null for end-of-candidates. */
export function candidateMessage(c) {
  if (!c || !c.candidate) return null;
  return { type: 'candidate', label: c.sdpMLineIndex, id: c.sdpMid, candidate: c.candidate };
}

/** The tutorial's {label, id, candidate} as an RTCIceCandidateInit; null if unusable. */
export function candidateInit({ label, id, candidate }) {
  if (typeof candidate !== 'string' || candidate === '') return null;
  const sdpMLineIndex = Number.isInteger(label) ? label : null;
  const sdpMid = typeof id === 'string' && id !== '' ? id : null; // webrtc-rs may send ""
  if (sdpMLineIndex === null && sdpMid === null) return null;
  return { candidate, sdpMLineIndex, sdpMid };
}

/** Opens the camera facing 'user' or 'environment'; returns its video track. */
export async function openCamera(facing) {
  const gum = (facingMode) => navigator.mediaDevices.getUserMedia({ video: { facingMode } });
  // Exact first so a phone really switches; a laptop with one camera falls back to it.
  const stream = await gum({ exact: facing }).catch(() => gum(facing));
  return stream.getVideoTracks()[0];
}

/** What arrives from the other side (and what we send), from getStats and the remote <video>. */
export async function mediaStats(pc, remoteVideo) {
  const out = {
    framesDecoded: 0, frameWidth: 0, frameHeight: 0, codec: null,
    videoWidth: remoteVideo.videoWidth, videoHeight: remoteVideo.videoHeight,
    audioPacketsReceived: 0, audioCodec: null, framesEncoded: 0, framesSent: 0, sentCodec: null,
  };
  if (!pc) return out;
  const report = await pc.getStats();
  const codecOf = (s) => report.get(s.codecId)?.mimeType ?? null;
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.framesDecoded += s.framesDecoded ?? 0;
      out.frameWidth = s.frameWidth ?? 0;
      out.frameHeight = s.frameHeight ?? 0;
      out.codec = codecOf(s);
    } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      out.audioPacketsReceived += s.packetsReceived ?? 0;
      out.audioCodec = codecOf(s);
    } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
      out.framesEncoded += s.framesEncoded ?? 0;
      out.framesSent += s.framesSent ?? 0;
      out.sentCodec = codecOf(s);
    }
  });
  return out;
}
