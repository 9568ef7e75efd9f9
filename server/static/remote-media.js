// The `media` peer message (docs/protocol.md): what we tell the other person about our
// microphone and camera, and what they tell us. No DOM and no socket here: app.js sends and shows.

export const BOTH_ON = Object.freeze({ audio: true, video: true });

const same = (a, b) => a.audio === b.audio && a.video === b.video;

/** A received `media` message as {audio, video}; null when a flag is missing or not a boolean. */
export function parseMediaState(message) {
  const { audio, video } = message ?? {};
  if (typeof audio !== 'boolean' || typeof video !== 'boolean') return null;
  return { audio, video };
}

/**
 * Keeps the peer told, with the core's rules: a peer told nothing assumes both on (so a call that
 * never mutes sends nothing); a change is sent while a peer is there; a new peer hears a state that
 * is not both on; after a (re)connection what was told is told again.
 */
export class MediaTeller {
  constructor() {
    this.told = null; // what the current peer was told; null: nothing
    this.toldBefore = false;
  }

  /** A new peer (or none): it was told nothing. */
  newPeer() {
    this.told = null;
  }

  /** The message to send for `local` now, or null; `again` after a (re)connection. */
  next(local, { again = false } = {}) {
    const believed = this.told ?? BOTH_ON;
    const retell = again && (this.toldBefore || !same(local, BOTH_ON));
    if (same(believed, local) && !retell) return null;
    this.told = { ...local };
    this.toldBefore = true;
    return { type: 'media', audio: local.audio, video: local.video };
  }
}
