// A short code both people can read to each other to know the call is private.
// It is derived from both DTLS certificate fingerprints, exactly as the Rust core's
// call::security_code does: SHA-256 of the two normalized fingerprints, sorted and
// joined with "|"; the first four bytes, big-endian, modulo 1,000,000; "123 456".

/** The first a=fingerprint value of an SDP, e.g. "sha-256 AB:CD:...". */
function fingerprint(sdp) {
  const line = sdp?.split(/\r?\n/).find((l) => l.startsWith('a=fingerprint:'));
  if (!line) return null;
  const [algorithm = '', value = ''] = line.slice('a=fingerprint:'.length).trim().split(/\s+/);
  return `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
}

/** The code for a connected RTCPeerConnection, or null before both descriptions are set. */
export async function securityCode(pc) {
  const mine = fingerprint(pc?.localDescription?.sdp);
  const theirs = fingerprint(pc?.remoteDescription?.sdp);
  if (!mine || !theirs) return null;
  const text = [mine, theirs].sort().join('|');
  const digest = new DataView(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const n = digest.getUint32(0) % 1000000;
  const pad = (x) => String(x).padStart(3, '0');
  return `${pad(Math.floor(n / 1000))} ${pad(n % 1000)}`;
}
