// The camera and microphone: opens them, shows the self-view (mirrored for the front camera
// only, never what is sent), mutes, and switches between the user and environment cameras.

import { openCamera } from './webrtc.js';

const SWITCH_DEBOUNCE_MS = 500;

export class LocalMedia {
  /** preview: the self-view <video>; onChange(): called when a button state may have changed. */
  constructor(preview, onChange) {
    this.preview = preview;
    this.onChange = onChange;
    this.stream = null;
    this.facing = 'user';
    this.muted = false;
    this.videoOff = false;
    this.switching = false;
    this.switches = 0;
    this.lastSwitchAt = -Infinity;
  }

  get live() {
    return this.stream !== null;
  }

  /** Opens the camera and microphone; throws an Error whose message a person can read. */
  async start() {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('camera access needs https (or localhost)');
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: this.facing }, audio: true });
    } catch (error) {
      console.error(error);
      throw new Error(error.name === 'NotAllowedError' ? 'camera or microphone permission denied'
        : 'could not open the camera or microphone');
    }
    this.stop();
    this.stream = stream;
    this.setMuted(this.muted);
    this.setVideoOff(this.videoOff);
    this.showPreview();
    return stream;
  }

  stop() {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.preview.srcObject = null;
    this.onChange();
  }

  setMuted(muted) {
    this.muted = muted;
    this.stream?.getAudioTracks().forEach((t) => { t.enabled = !muted; });
    this.onChange();
  }

  setVideoOff(off) {
    this.videoOff = off;
    this.stream?.getVideoTracks().forEach((t) => { t.enabled = !off; });
    this.onChange();
  }

  /**
   * Switches to the other camera; `replace(track)` puts the new track on the call's sender
   * (RTCRtpSender.replaceTrack: no renegotiation). Double taps and taps mid-switch are ignored.
   */
  async switchCamera(replace) {
    if (this.switching || !this.stream || performance.now() - this.lastSwitchAt < SWITCH_DEBOUNCE_MS) return;
    this.switching = true;
    this.onChange();
    const next = this.facing === 'user' ? 'environment' : 'user';
    // Phones cannot open both cameras at once: release the old one first.
    this.stream.getVideoTracks().forEach((t) => t.stop());
    try {
      await this.useCamera(next, replace);
      this.switches++;
    } catch (error) {
      console.warn('camera switch failed; back to the previous camera', error);
      await this.useCamera(this.facing, replace); // throws if that fails too
    } finally {
      this.switching = false;
      this.lastSwitchAt = performance.now();
      this.onChange();
    }
  }

  async useCamera(facing, replace) {
    const track = await openCamera(facing);
    const stream = this.stream;
    if (!stream) return track.stop(); // stopped meanwhile (hung up)
    track.enabled = !this.videoOff;
    stream.getVideoTracks().forEach((t) => stream.removeTrack(t));
    stream.addTrack(track);
    this.facing = facing;
    this.showPreview();
    await replace(track);
  }

  showPreview() {
    const track = this.stream.getVideoTracks()[0];
    this.preview.srcObject = track ? new MediaStream([track]) : null;
    // Desktop cameras may not report a facing; then trust the one we asked for.
    const facing = track?.getSettings().facingMode || this.facing;
    this.preview.classList.toggle('mirrored', facing === 'user');
  }
}
