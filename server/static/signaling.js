// The relay connection: one WebSocket to /ws of this page's own origin (wss on https pages),
// one JSON value per text frame, and a reconnect with a growing delay when it drops.

const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 10000;

export class Signaling {
  /** Callbacks: onOpen(), onMessage(value) for each frame that is JSON, onClose(). */
  constructor({ onOpen, onMessage, onClose }) {
    Object.assign(this, { onOpen, onMessage, onClose });
    this.socket = null;
    this.delay = RECONNECT_MIN_MS;
  }

  /** True while the socket is open and frames can be sent. */
  get open() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** True when there is no socket at all (not even one connecting). */
  get closed() {
    return this.socket === null;
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = ws;
    ws.onopen = () => {
      this.delay = RECONNECT_MIN_MS;
      this.onOpen();
    };
    ws.onmessage = ({ data }) => {
      let value;
      try {
        value = JSON.parse(data);
      } catch {
        return console.warn('ignored a frame that is not JSON');
      }
      this.onMessage(value);
    };
    ws.onclose = () => {
      if (ws !== this.socket) return;
      this.socket = null;
      this.onClose();
    };
  }

  /** Connects again after a delay that doubles up to 10 s and resets once connected. */
  reconnectLater() {
    setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
  }

  /** Sends one JSON value; dropped when the socket is not open (the call is torn down then). */
  send(value) {
    if (this.open) this.socket.send(JSON.stringify(value));
  }
}
