//! Large frames read in large reads, idle connections with small buffers.
//!
//! tungstenite reads at most its read buffer's size per call, and the relay
//! keeps that buffer at 1 KiB so that 10,000 idle connections stay small.
//! A 60 KB frame then took 60 `recv` calls (many with a TCP window update):
//! under a flood of large frames, most of the relay's time. `BurstRead`
//! notices a read that filled the caller's buffer (more is probably waiting)
//! and makes the next one a single large read into a buffer that lives only
//! until it is handed out.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The read that follows a full one asks for this much.
const BURST_BYTES: usize = 64 * 1024;

/// A stream whose reads grow while data keeps coming; see the module docs.
pub struct BurstRead<S> {
    inner: S,
    /// Bytes read ahead and not handed out yet (empty, unallocated, when idle).
    ahead: Vec<u8>,
    /// How many of `ahead` were handed out.
    taken: usize,
    /// The last read filled what it was given: the next one reads ahead.
    full: bool,
}

impl<S> BurstRead<S> {
    pub fn new(inner: S) -> Self {
        BurstRead {
            inner,
            ahead: Vec::new(),
            taken: 0,
            full: false,
        }
    }

    /// Copies what was read ahead into `buf`, freeing it once all is out.
    fn hand_out(&mut self, buf: &mut ReadBuf<'_>) {
        let n = buf.remaining().min(self.ahead.len() - self.taken);
        buf.put_slice(&self.ahead[self.taken..self.taken + n]);
        self.taken += n;
        if self.taken == self.ahead.len() {
            self.ahead = Vec::new();
            self.taken = 0;
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BurstRead<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.taken < this.ahead.len() {
            this.hand_out(buf);
            return Poll::Ready(Ok(()));
        }
        if !this.full || buf.remaining() >= BURST_BYTES {
            let before = buf.remaining();
            ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
            this.full = before > 0 && buf.remaining() == 0;
            return Poll::Ready(Ok(()));
        }
        let mut ahead = vec![0; BURST_BYTES];
        let mut read = ReadBuf::new(&mut ahead);
        if Pin::new(&mut this.inner)
            .poll_read(cx, &mut read)?
            .is_pending()
        {
            // Nothing was waiting after all: the burst is over, and the
            // next read is a small one again (no buffer per wake-up).
            this.full = false;
            return Poll::Pending;
        }
        let n = read.filled().len();
        this.full = n == BURST_BYTES;
        ahead.truncate(n);
        this.ahead = ahead;
        this.hand_out(buf);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BurstRead<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Counts the reads that reach the stream below.
    struct Counted<S> {
        inner: S,
        reads: usize,
    }

    impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            this.reads += 1;
            Pin::new(&mut this.inner).poll_read(cx, buf)
        }
    }

    #[tokio::test]
    async fn a_large_frame_is_read_in_a_few_reads_and_every_byte_arrives_in_order() {
        let (mut client, server) = tokio::io::duplex(256 * 1024);
        let sent: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
        client.write_all(&sent).await.unwrap();
        drop(client);
        let mut reader = BurstRead::new(Counted {
            inner: server,
            reads: 0,
        });
        let mut received = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            let n = reader.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            received.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(received, sent);
        // One small read, one large one, and the end: not 60 small ones.
        let reads = reader.inner.reads;
        assert!(reads <= 4, "{reads} reads for 60,000 bytes");
    }

    #[tokio::test]
    async fn an_idle_stream_holds_no_read_ahead_buffer() {
        let (mut client, server) = tokio::io::duplex(256 * 1024);
        let mut reader = BurstRead::new(server);
        client.write_all(&[7u8; 5000]).await.unwrap();
        let mut chunk = [0u8; 1024];
        let mut total = 0;
        while total < 5000 {
            total += reader.read(&mut chunk).await.unwrap();
        }
        assert_eq!(total, 5000);
        assert_eq!(reader.ahead.capacity(), 0);
    }

    #[tokio::test]
    async fn a_full_read_with_nothing_behind_it_waits_without_a_buffer() {
        let (mut client, server) = tokio::io::duplex(4096);
        let mut reader = BurstRead::new(server);
        client.write_all(&[1u8; 1024]).await.unwrap();
        let mut chunk = [0u8; 1024];
        assert_eq!(reader.read(&mut chunk).await.unwrap(), 1024);
        {
            let mut waiting = std::pin::pin!(reader.read(&mut chunk));
            let polled = std::future::poll_fn(|cx| Poll::Ready(waiting.as_mut().poll(cx))).await;
            assert!(polled.is_pending());
        }
        assert_eq!(reader.ahead.capacity(), 0);
        assert!(!reader.full, "the next read is a small one");
    }
}
