// The security code: a short authentication string from a commit-then-reveal exchange, exactly
// as the Rust core's call::sas and call::security_code (docs/protocol.md, "Security code"; the
// shared vector tests/vectors/security-code.json checks both). Once the connection is up:
//   answerer  -> {"type":"sas-commit","c": H(fpOffer||fpAnswer||Nb)}
//   initiator -> {"type":"sas-nonce","n": Na}      (only once it holds the commitment)
//   answerer  -> {"type":"sas-reveal","n": Nb}     (the initiator checks it opens the commitment)
//   both show H(fpOffer||fpAnswer||Na||Nb): first 4 bytes big-endian mod 1,000,000, "ddd ddd".
// H is SHA-256; fingerprints are SHA-256 of the DER certificates (the remote one as DTLS verified
// it); nonces are 32 random bytes; values travel as 64 lowercase hex digits.

/** A peer that has not finished the exchange this long after connecting shows "not verified". */
export const SAS_TIMEOUT_MS = 5000;

const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Exactly 64 hex digits as 32 bytes, or null. */
export function fromHex(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
}

async function sha256(...parts) {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) { all.set(part, offset); offset += part.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

/** SHA-256 of a DER certificate (an ArrayBuffer or bytes). */
export async function certificateFingerprint(der) {
  return sha256(new Uint8Array(der));
}

/** An SDP's first "a=fingerprint:sha-256 AB:CD:..." as 32 bytes; null for another algorithm. */
export function sdpFingerprint(sdp) {
  const line = sdp?.split(/\r?\n/).find((l) => l.startsWith('a=fingerprint:'));
  const [algorithm = '', value = ''] = (line ?? '').slice('a=fingerprint:'.length).trim().split(/\s+/);
  if (algorithm.toLowerCase() !== 'sha-256' || !/^([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$/.test(value)) {
    return null;
  }
  return fromHex(value.replaceAll(':', ''));
}

/** The answerer's commitment to Nb, as hex. */
export async function commitment({ offer, answer }, nb) {
  return toHex(await sha256(offer, answer, nb));
}

/** The code both sides show, "ddd ddd". */
export async function securityCode({ offer, answer }, na, nb) {
  const digest = await sha256(offer, answer, na, nb);
  const n = new DataView(digest.buffer).getUint32(0) % 1000000;
  const pad = (x) => String(x).padStart(3, '0');
  return `${pad(Math.floor(n / 1000))} ${pad(n % 1000)}`;
}

/** Our fingerprint from our SDP, the remote's from the certificate DTLS verified; by who offered.
 *  Null when the browser cannot tell (no RTCDtlsTransport.getRemoteCertificates). */
export async function connectionFingerprints(pc, initiator) {
  const local = sdpFingerprint(pc.localDescription?.sdp);
  const transport = pc.getSenders().map((s) => s.transport).find(Boolean);
  if (!local || !transport?.getRemoteCertificates) return null;
  const certificates = await remoteCertificates(transport);
  if (certificates.length === 0) return null;
  const remote = await certificateFingerprint(certificates[0]);
  return initiator ? { offer: local, answer: remote } : { offer: remote, answer: local };
}

/** How long to wait for the transport to hold the peer's certificate once the connection is up. */
const CERTIFICATE_WAIT_MS = 2000;

/** Chromium can report the connection 'connected' a moment before its RTCDtlsTransport object
 *  holds the peer's certificate (the two are updated from different threads): look again until
 *  it does, for a bounded time. */
async function remoteCertificates(transport) {
  const deadline = Date.now() + CERTIFICATE_WAIT_MS;
  let certificates = transport.getRemoteCertificates();
  const over = () => transport.state === 'closed' || transport.state === 'failed';
  while (certificates.length === 0 && !over() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    certificates = transport.getRemoteCertificates();
  }
  return certificates;
}

/**
 * One peer connection's exchange. `send(message)` sends a peer message; `onChange(state)` gets
 * {status: 'pending' | 'ready' | 'peer_unsupported' | 'exchange_failed', code}.
 */
export class SasExchange {
  constructor(initiator, send, onChange, nonce = crypto.getRandomValues(new Uint8Array(32))) {
    Object.assign(this, { initiator, send, onChange, mine: nonce });
    this.fingerprints = null;
    this.commitment = null;
    this.theirs = null;
    this.state = { status: 'pending', code: null };
    this.queue = Promise.resolve(); // SHA-256 is async: handle events one at a time, in order
    this.timer = null;
  }

  /** DTLS is up with these fingerprints (null: the browser cannot tell): the answerer commits. */
  connected(fingerprints) { return this.#enqueue(() => this.#connected(fingerprints)); }

  /** A sas-commit, sas-nonce or sas-reveal from the peer. */
  message(message) { return this.#enqueue(() => this.#message(message)); }

  close() { clearTimeout(this.timer); }

  #enqueue(step) {
    this.queue = this.queue.then(step).catch((error) => console.warn('security code:', error));
    return this.queue;
  }

  async #connected(fingerprints) {
    if (this.fingerprints) return; // reconnected (ICE restart): same certificates
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#enqueue(() => this.#timedOut()), SAS_TIMEOUT_MS);
    if (!fingerprints) return this.#settle('peer_unsupported', null);
    this.fingerprints = fingerprints;
    if (!this.initiator) {
      this.send({ type: 'sas-commit', c: await commitment(fingerprints, this.mine) });
    } else {
      await this.#finishInitiator();
    }
  }

  async #message({ type, c, n }) {
    if (this.state.status === 'ready' || this.state.status === 'exchange_failed') return;
    if (this.initiator && type === 'sas-commit' && !this.commitment) {
      this.commitment = fromHex(c);
      if (!this.commitment) return this.#settle('exchange_failed', null);
      this.send({ type: 'sas-nonce', n: toHex(this.mine) });
    } else if (this.initiator && type === 'sas-reveal' && this.commitment && !this.theirs) {
      this.theirs = fromHex(n);
      if (!this.theirs) return this.#settle('exchange_failed', null);
      await this.#finishInitiator();
    } else if (!this.initiator && type === 'sas-nonce' && this.fingerprints && !this.theirs) {
      this.theirs = fromHex(n);
      if (!this.theirs) return this.#settle('exchange_failed', null);
      const code = await securityCode(this.fingerprints, this.theirs, this.mine);
      this.send({ type: 'sas-reveal', n: toHex(this.mine) });
      this.#settle('ready', code);
    }
    // Anything else is a repeat or out of turn: a second commitment after our nonce would let
    // someone in the middle choose again.
  }

  async #finishInitiator() {
    if (!this.fingerprints || !this.commitment || !this.theirs) return;
    const opens = (await commitment(this.fingerprints, this.theirs)) === toHex(this.commitment);
    if (!opens) return this.#settle('exchange_failed', null);
    this.#settle('ready', await securityCode(this.fingerprints, this.mine, this.theirs));
  }

  #timedOut() {
    if (this.state.status === 'pending') this.#settle('peer_unsupported', null);
  }

  #settle(status, code) {
    clearTimeout(this.timer);
    this.state = { status, code };
    this.onChange(this.state);
  }
}
