//! The shared test helpers themselves: a check that cannot fail proves nothing.

mod common;

use common::{Client, PATIENCE, Relay};

#[tokio::test]
#[should_panic(expected = "the connection ended")]
async fn expect_silence_fails_on_a_closed_connection() {
    let relay = Relay::start(&[]);
    let mut client = Client::connect(&relay).await;
    // Killing the relay closes the socket: that is not silence.
    drop(relay);
    client.expect_silence(PATIENCE).await;
}
