// The videochat web client: the call flow of the tutorial the protocol comes from, over the
// relay's protocol (docs/protocol.md). One WebSocket to /ws of this page's origin; the relay says who offers
// ("created": we do, "joined": the other does); the peers trade "ready", offer, answer,
// candidates and bye through it. Media flows peer to peer.

import { Signaling } from './signaling.js';
import { LocalMedia } from './media.js';
import { candidateInit, candidateMessage, mediaStats, preferH264 } from './webrtc.js';
import { SasExchange, connectionFingerprints } from './security-code.js';
import { BOTH_ON, MediaTeller, parseMediaState } from './remote-media.js';
import { assessQuality, counters, sampleBetween, shownQuality } from './quality.js';

const STUN_DEFAULT = 'stun:stun.l.google.com:19302';
const DISCONNECTED_GRACE_MS = 3000; // 'disconnected' often heals by itself; restart ICE after this
const QUALITY_INTERVAL_MS = 1000; // the quality indicator and stats panel refresh this often

const STATUS_TEXT = {
  connecting: 'Connecting…',
  waiting: 'Waiting for the other person… share the link to invite them',
  negotiating: 'Connecting call…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  full: 'This room is full: two people are already in it',
  'peer-left': 'The other person left. Waiting for someone to join…',
  ended: 'You left the call',
  error: 'Error',
};

const $ = (id) => document.getElementById(id);
const ui = {
  remote: $('remote-video'), local: $('local-video'), status: $('status'), room: $('room-name'),
  copy: $('copy-link'), tapToPlay: $('tap-to-play'), mute: $('mute'), video: $('video'),
  camera: $('camera'), hangup: $('hangup'), rejoin: $('rejoin'), call: $('call'),
  code: $('security-code'), quality: $('quality'), statsButton: $('stats-button'), statsPanel: $('stats-panel'),
  remoteMuted: $('remote-muted'), remoteCameraOff: $('remote-camera-off'),
};
const now = () => performance.now();

const call = {
  state: 'connecting', detail: '',
  joined: false, hungUp: false, peerPresent: false,
  initiator: false, otherReady: false, offered: false,
  pc: null, videoSender: null, pendingCandidates: [], applyingRemote: false,
  remoteStream: null, disconnectedTimer: null,
  remoteMedia: BOTH_ON, mediaTeller: new MediaTeller(),
  quality: null, qualityFrom: null, // what the indicator shows {level, betterInARow, sample}; the reading it started from
  times: {},
  counters: {
    offersSent: 0, answersSent: 0, offersReceived: 0, answersReceived: 0,
    candidatesSent: 0, candidatesReceived: 0, iceRestarts: 0,
  },
};

const room = roomFromUrl();
const media = new LocalMedia(ui.local, () => { updateButtons(); tellMedia(); });

// ---- room and UI state ----

/** The room in ?room=, or a fresh random 128-bit id written into the URL so it can be shared. */
function roomFromUrl() {
  const url = new URL(location.href);
  let id = url.searchParams.get('room');
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    url.searchParams.set('room', id);
    history.replaceState(null, '', url);
  }
  return id;
}

/**
 * The relay's ICE servers (short-lived TURN credentials in created/joined) when it sent some;
 * else ?stun=url[,url] overrides the STUN server; an empty ?stun= uses none (fine on a LAN).
 */
function iceServers() {
  if (call.relayIceServers?.length) return call.relayIceServers;
  const stun = new URL(location.href).searchParams.get('stun');
  if (stun === null) return [{ urls: [STUN_DEFAULT] }];
  return stun ? [{ urls: stun.split(',') }] : [];
}

function setState(state, detail = '') {
  call.state = state;
  call.detail = detail;
  ui.status.textContent = detail ? `${STATUS_TEXT[state]}: ${detail}` : STATUS_TEXT[state];
  document.body.dataset.state = state;
  updateButtons();
}

function fail(detail, error) {
  if (error) console.error(detail, error);
  setState('error', detail);
}

function updateButtons() {
  ui.mute.disabled = !media.live;
  ui.video.disabled = !media.live;
  ui.camera.disabled = !media.live || media.switching;
  ui.mute.setAttribute('aria-pressed', String(media.muted));
  ui.mute.textContent = media.muted ? 'Unmute' : 'Mute';
  ui.video.setAttribute('aria-pressed', String(media.videoOff));
  ui.video.textContent = media.videoOff ? 'Video on' : 'Video off';
  ui.hangup.hidden = !call.joined;
  ui.rejoin.hidden = call.joined || !['ended', 'full', 'error'].includes(call.state);
  ui.rejoin.textContent = call.state === 'full' ? 'Try again' : 'Join again';
}

// ---- signaling ----

const signaling = new Signaling({
  onOpen: () => call.hungUp || join(),
  onMessage,
  onClose: onSignalingLost,
});
const send = (message) => signaling.send(message);

function join() {
  call.hungUp = false;
  call.times = { joinSent: now() };
  setState('connecting');
  send({ type: 'join', room });
}

function onSignalingLost() {
  call.joined = false;
  call.peerPresent = false;
  closePeerConnection();
  if (call.hungUp) return;
  setState('reconnecting', 'lost the connection to the server');
  signaling.reconnectLater();
}

function onMessage(message) {
  if (message === 'ready') return onPeerReady();
  const handler = message && typeof message === 'object' && HANDLERS[message.type];
  if (handler) handler(message); // unknown types are ignored: room for extensions
}

const HANDLERS = {
  created: (m) => onJoined(true, m.iceServers),
  joined: (m) => onJoined(false, m.iceServers),
  'peer-joined': onPeerJoined,
  'peer-left': onPeerLeft,
  bye: onPeerLeft,
  full: onFull,
  error: onRelayError,
  offer: onOffer,
  answer: onAnswer,
  candidate: onCandidate,
  'sas-commit': onSasMessage,
  'sas-nonce': onSasMessage,
  'sas-reveal': onSasMessage,
  media: onRemoteMedia,
};

// ---- what each side's microphone and camera are doing (the `media` message) ----

/** Tells the peer our state if it does not know it; `again` after a (re)connection. */
function tellMedia(again = false) {
  if (!call.joined || !call.peerPresent) return;
  const message = call.mediaTeller.next({ audio: !media.muted, video: !media.videoOff }, { again });
  if (message) send(message);
}

function onRemoteMedia(message) {
  const state = parseMediaState(message);
  if (!state) return console.warn('ignored a malformed media message');
  if (call.peerPresent) showRemoteMedia(state);
}

/** "Muted" on the remote tile; with the camera off an avatar replaces the last frame. */
function showRemoteMedia(state) {
  call.remoteMedia = state;
  ui.remoteMuted.hidden = state.audio;
  ui.remoteCameraOff.hidden = state.video;
  ui.call.classList.toggle('remote-video-off', !state.video);
}

function onJoined(initiator, relayIceServers) {
  call.relayIceServers = Array.isArray(relayIceServers) ? relayIceServers : null;
  call.joined = true;
  call.initiator = initiator;
  call.otherReady = false;
  call.peerPresent = !initiator;
  if (!initiator) call.times.peerPresent = now();
  newPeerConnection();
  setState(initiator ? 'waiting' : 'negotiating');
  sendReady();
  tellMedia();
}

function onPeerJoined() {
  call.peerPresent = true;
  call.times.peerPresent = now();
  setState('negotiating');
  sendReady(); // our first "ready" went to an empty room
  tellMedia();
}

function onPeerReady() {
  call.otherReady = true;
  maybeOffer();
}

/** "bye" and "peer-left" both mean the other is gone; whichever comes second is a no-op. */
function onPeerLeft() {
  if (!call.joined || !call.peerPresent) return;
  call.peerPresent = false;
  call.initiator = true; // the one who stays offers to whoever joins next
  call.otherReady = false;
  call.times = { joinSent: call.times.joinSent };
  setState('peer-left');
  newPeerConnection();
}

function onFull() {
  call.joined = false;
  closePeerConnection();
  setState('full');
}

function onRelayError({ code, message }) {
  console.warn('relay refused a frame:', code, message);
  if (code === 'bad_room') fail('this room name is not valid (1-64 letters, digits, - or _)');
}

function sendReady() {
  if (call.joined && media.stream) send('ready');
  maybeOffer();
}

/** The tutorial's everythingReady(): our media, the other's "ready", our role, not yet offered. */
function maybeOffer() {
  if (call.initiator && call.otherReady && media.stream && call.pc && !call.offered) {
    call.offered = true;
    sendOffer();
  }
}

async function sendOffer(options = {}) {
  const pc = call.pc;
  try {
    await pc.setLocalDescription(await pc.createOffer(options));
    if (pc !== call.pc) return;
    send({ type: 'offer', sdp: pc.localDescription.sdp });
    call.times.offer ??= now();
    call.counters.offersSent++;
  } catch (error) {
    if (pc === call.pc) fail('could not start the call', error);
  }
}

/** The first a=fingerprint of an SDP: the certificate of the connection it belongs to. */
const fingerprintOf = (sdp) => sdp.match(/^a=fingerprint:(.*)$/m)?.[1].trim();

async function onOffer({ sdp }) {
  if (!call.joined || typeof sdp !== 'string') return;
  // A new certificate: the peer replaced a connection that never came up (docs/protocol.md).
  // A DTLS transport cannot take a new one, so ours is replaced too.
  const previous = call.pc?.remoteDescription?.sdp;
  if (previous && fingerprintOf(previous) !== fingerprintOf(sdp)) newPeerConnection();
  const pc = call.pc;
  call.counters.offersReceived++;
  call.times.offer ??= now();
  try {
    await applyRemoteDescription(pc, { type: 'offer', sdp });
    preferH264(pc);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc !== call.pc) return;
    send({ type: 'answer', sdp: pc.localDescription.sdp });
    call.counters.answersSent++;
  } catch (error) {
    if (pc === call.pc) fail('could not answer the call', error);
  }
}

async function onAnswer({ sdp }) {
  const pc = call.pc;
  // Only an answer to our pending offer counts; duplicates and stale answers are dropped.
  if (!pc || pc.signalingState !== 'have-local-offer' || typeof sdp !== 'string') return;
  call.counters.answersReceived++;
  try {
    await applyRemoteDescription(pc, { type: 'answer', sdp });
  } catch (error) {
    if (pc === call.pc) fail('could not connect the call', error);
  }
}

/** Sets the remote description, then applies the candidates that arrived before it. */
async function applyRemoteDescription(pc, description) {
  call.applyingRemote = true;
  try {
    await pc.setRemoteDescription(description);
  } finally {
    if (pc === call.pc) call.applyingRemote = false;
  }
  const queued = call.pendingCandidates.splice(0);
  await Promise.all(queued.map((c) => addCandidate(pc, c)));
}

function onCandidate(message) {
  const init = candidateInit(message);
  if (!init) return;
  call.counters.candidatesReceived++;
  const pc = call.pc;
  if (!pc || !pc.remoteDescription || call.applyingRemote) call.pendingCandidates.push(init);
  else addCandidate(pc, init);
}


function addCandidate(pc, init) {
  return pc.addIceCandidate(init).catch((error) => console.warn('ignored a remote candidate', error));
}

// ---- the peer connection ----

function newPeerConnection() {
  closePeerConnection();
  const pc = new RTCPeerConnection({ iceServers: iceServers() });
  call.pc = pc;
  pc.onicecandidate = ({ candidate }) => {
    const message = candidateMessage(candidate);
    if (pc !== call.pc || !message) return;
    send(message);
    call.counters.candidatesSent++;
  };
  pc.ontrack = ({ track }) => pc === call.pc && showRemoteTrack(track);
  pc.oniceconnectionstatechange = () => pc === call.pc && onIceState(pc);
  pc.onconnectionstatechange = () => pc === call.pc && onConnectionState(pc);
  addLocalTracks(pc);
}

function closePeerConnection() {
  clearTimeout(call.disconnectedTimer);
  call.disconnectedTimer = null;
  call.pc?.close();
  call.pc = null;
  call.sas?.close();
  call.sas = null;
  showSecurity({ status: 'pending', code: null });
  call.videoSender = null;
  call.pendingCandidates = [];
  call.applyingRemote = false;
  call.offered = false;
  call.remoteStream = null;
  ui.remote.srcObject = null;
  ui.call.classList.remove('has-remote');
  ui.tapToPlay.hidden = true;
  // Every new connection is a new peer to the web client: told nothing, nothing heard.
  call.mediaTeller.newPeer();
  showRemoteMedia(BOTH_ON);
}

function addLocalTracks(pc) {
  if (!media.stream || pc.getSenders().length > 0) return;
  for (const track of media.stream.getTracks()) {
    const sender = pc.addTrack(track, media.stream);
    if (track.kind === 'video') call.videoSender = sender;
  }
  preferH264(pc);
}


function showRemoteTrack(track) {
  if (!call.remoteStream) {
    call.remoteStream = new MediaStream();
    ui.remote.srcObject = call.remoteStream;
    ui.call.classList.add('has-remote');
  }
  call.remoteStream.addTrack(track);
  ui.remote.play().then(
    () => { ui.tapToPlay.hidden = true; },
    (error) => { ui.tapToPlay.hidden = error.name !== 'NotAllowedError'; }, // autoplay refused: needs a tap
  );
}

function onConnectionState(pc) {
  if (pc.connectionState === 'connected') {
    call.times.connected ??= now();
    setState('connected');
    tellMedia(true); // a frame sent while the peer was away may be lost
    connectionFingerprints(pc, call.initiator).then(
      (fingerprints) => pc === call.pc && securityExchange().connected(fingerprints),
    );
  }
}

// ---- the security code (docs/protocol.md): one exchange per peer connection ----

function securityExchange() {
  const pc = call.pc;
  call.sas ??= new SasExchange(
    call.initiator,
    (message) => pc === call.pc && send(message),
    (state) => pc === call.pc && showSecurity(state),
  );
  return call.sas;
}

/** May come before our own connection says connected (the peer's DTLS finished first). */
function onSasMessage(message) {
  if (call.pc && call.peerPresent) securityExchange().message(message);
}

function showSecurity({ status, code }) {
  call.security = status;
  call.securityCode = code;
  ui.code.hidden = status === 'pending';
  ui.code.classList.toggle('not-verified', status !== 'ready');
  ui.code.textContent = status === 'ready' ? `Security code ${code}`
    : status === 'exchange_failed' ? 'Not verified: the security check failed'
    : 'Not verified';
}

/** The initiator restarts ICE when the path fails, or stays disconnected past a grace period. */
function onIceState(pc) {
  const state = pc.iceConnectionState;
  if (state === 'connected' || state === 'completed') {
    clearTimeout(call.disconnectedTimer);
    call.disconnectedTimer = null;
    if (pc.connectionState === 'connected') setState('connected');
  } else if (state === 'failed') {
    setState('reconnecting');
    restartIce(pc);
  } else if (state === 'disconnected') {
    setState('reconnecting');
    call.disconnectedTimer ??= setTimeout(() => {
      call.disconnectedTimer = null;
      if (pc === call.pc && ['disconnected', 'failed'].includes(pc.iceConnectionState)) restartIce(pc);
    }, DISCONNECTED_GRACE_MS);
  }
}

function restartIce(pc) {
  if (!call.initiator || pc !== call.pc || pc.signalingState !== 'stable') return;
  call.counters.iceRestarts++;
  sendOffer({ iceRestart: true });
}

// ---- connection quality (the core's thresholds, quality.js) ----

const QUALITY_TEXT = { good: 'Good connection', weak: 'Weak connection', poor: 'Poor connection' };

/** Once a second while in a call: the sample since the last reading, its verdict and the raw numbers. */
async function measureQuality() {
  const pc = call.pc;
  const inCall = pc && ['connected', 'reconnecting'].includes(call.state);
  if (!inCall) {
    call.quality = null;
    call.qualityFrom = null;
    ui.quality.hidden = true;
    return;
  }
  const reading = { pc, ...counters(await pc.getStats()) };
  const from = call.qualityFrom;
  call.qualityFrom = reading;
  if (pc !== call.pc || from?.pc !== pc) return;
  // Reconnecting too: frames should come, and do not.
  const sample = sampleBetween(from, reading, call.remoteMedia.video);
  call.quality = { ...shownQuality(call.quality, assessQuality(sample)), sample };
  ui.quality.textContent = QUALITY_TEXT[call.quality.level];
  ui.quality.dataset.level = call.quality.level;
  ui.quality.hidden = false;
  ui.statsPanel.textContent = [
    `round trip   ${sample.rttMs ?? '?'} ms`, `loss         ${sample.lossPercent.toFixed(1)} %`,
    `received     ${sample.receivedKbps} kbit/s`, `frame rate   ${sample.fps} fps`, `freezes      ${sample.freezes}`,
  ].join('\n');
}

function toggleStats() {
  ui.statsPanel.hidden = !ui.statsPanel.hidden;
  ui.statsButton.setAttribute('aria-pressed', String(!ui.statsPanel.hidden));
}

// ---- buttons ----

async function startLocalMedia() {
  try {
    await media.start();
  } catch (error) {
    return fail(error.message);
  }
  if (call.hungUp) return media.stop();
  if (call.pc) addLocalTracks(call.pc);
  sendReady();
}

async function switchCamera() {
  try {
    await media.switchCamera(async (track) => call.videoSender?.replaceTrack(track));
  } catch (error) {
    fail('the camera stopped working', error);
  }
}

function hangUp() {
  if (!call.joined) return;
  send({ type: 'bye' });
  call.joined = false;
  call.hungUp = true;
  call.peerPresent = false;
  closePeerConnection();
  media.stop();
  setState('ended');
}

function rejoin() {
  call.hungUp = false;
  if (!media.live) startLocalMedia();
  if (signaling.open) join();
  else if (signaling.closed) signaling.connect();
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(location.href);
    ui.copy.textContent = 'Copied';
  } catch {
    window.prompt('Copy this link', location.href); // no clipboard API on plain http
  }
  setTimeout(() => { ui.copy.textContent = 'Copy link'; }, 2000);
}

// ---- a read-only hook for tests and debugging ----

function between(from, to) {
  const { [from]: t0, [to]: t1 } = call.times;
  return t0 === undefined || t1 === undefined ? null : Math.round(t1 - t0);
}

window.videochat = Object.freeze({
  get state() { return call.state; },
  get detail() { return call.detail; },
  get room() { return room; },
  get role() { return call.joined ? (call.initiator ? 'initiator' : 'answerer') : null; },
  get facing() { return media.facing; },
  /** Compare with the other person's: equal codes mean no one is in the middle. */
  get securityCode() { return call.securityCode ?? null; },
  /** 'pending', 'ready' (compare securityCode), 'peer_unsupported' or 'exchange_failed'. */
  get security() { return call.security ?? 'pending'; },
  get switching() { return media.switching; },
  /** What the other person told us: {audio, video} (both on until told otherwise). */
  get remoteMedia() { return { ...call.remoteMedia }; },
  /** The connection quality: {level: 'good'|'weak'|'poor', sample} once measured in a call, else null. */
  get quality() { return call.quality && { level: call.quality.level, sample: { ...call.quality.sample } }; },
  get counters() { return { ...call.counters, cameraSwitches: media.switches }; },
  /** ms from "both in the room" (joined / peer-joined) to connected and to the first remote
   * frame, and from the first offer (sent or received) to connected. */
  get timings() {
    return {
      connectedMs: between('peerPresent', 'connected'),
      firstFrameMs: between('peerPresent', 'firstFrame'),
      offerToConnectedMs: between('offer', 'connected'),
    };
  },
  stats: () => mediaStats(call.pc, ui.remote),
});

// ---- start ----

ui.room.textContent = room;
ui.copy.addEventListener('click', copyLink);
ui.mute.addEventListener('click', () => media.setMuted(!media.muted));
ui.video.addEventListener('click', () => media.setVideoOff(!media.videoOff));
ui.camera.addEventListener('click', switchCamera);
ui.hangup.addEventListener('click', hangUp);
ui.rejoin.addEventListener('click', rejoin);
ui.statsButton.addEventListener('click', toggleStats);
setInterval(() => measureQuality().catch((error) => console.warn('no stats this time', error)), QUALITY_INTERVAL_MS);
ui.tapToPlay.addEventListener('click', () => ui.remote.play().then(() => { ui.tapToPlay.hidden = true; }, () => {}));
ui.remote.addEventListener('loadedmetadata', () => { call.times.firstFrame ??= now(); });

setState('connecting');
startLocalMedia();
signaling.connect();
