//! Round trips against JSON fixtures as a browser sends them: the tutorial's
//! exact shapes, `RTCSessionDescription.toJSON()`, `RTCIceCandidate.toJSON()`,
//! relay events, unknown types (ignored), malformed known types (rejected).

use serde_json::{Value, json};
use videochat_protocol::{
    ClientFrame, ClientRequest, ErrorCode, Grant, IceCandidate, Incoming, MAX_MESSAGE_BYTES,
    MediaState, PeerMessage, ProtocolError, RelayEvent, RoomId,
};

const HOST: &str = "candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Xp3a network-cost 999";

fn peer(text: &str) -> PeerMessage {
    match Incoming::parse(text) {
        Ok(Incoming::Peer(message)) => message,
        other => panic!("{text} should be a peer message, got {other:?}"),
    }
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).expect("fixtures and our output are JSON")
}

/// A Chromium-like offer: a few KB of SDP with CRLF line ends.
fn browser_sdp() -> String {
    let mut sdp =
        String::from("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    sdp.push_str("a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n");
    for (mid, media) in [
        (0, "audio 9 UDP/TLS/RTP/SAVPF 111"),
        (1, "video 9 UDP/TLS/RTP/SAVPF 102 103"),
    ] {
        sdp.push_str(&format!(
            "m={media}\r\nc=IN IP4 0.0.0.0\r\na=mid:{mid}\r\na=ice-ufrag:Xp3a\r\n"
        ));
        sdp.push_str("a=ice-pwd:Zq0bJ4KkUj9YxV3o2pX1rT8w\r\na=ice-options:trickle\r\n");
        sdp.push_str("a=fingerprint:sha-256 6B:8B:5A:43:1C:2E:99:EF:0F:71:3D:4A:C5:81:9E:DF:DE:7C:21:52:46:99:4A:29:19:AF:60:84:44:E4:1D:22\r\n");
        sdp.push_str("a=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\n");
    }
    sdp.push_str("a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n");
    sdp
}

#[test]
fn the_tutorials_exact_candidate_shape_round_trips() {
    let fixture =
        json!({"type": "candidate", "label": 0, "id": "0", "candidate": HOST}).to_string();
    let message = peer(&fixture);
    let expected = IceCandidate {
        candidate: HOST.to_owned(),
        sdp_mline_index: Some(0),
        sdp_mid: Some("0".to_owned()),
        username_fragment: None,
    };
    assert_eq!(message, PeerMessage::Candidate(expected));
    // The tutorial's receiver reads `message.label` and `message.candidate`: we
    // write exactly the tutorial's keys back.
    assert_eq!(json_of(&message.to_json()), json_of(&fixture));
    assert_eq!(peer(&message.to_json()), message);
}

#[test]
fn the_tutorials_candidate_with_a_named_mid_and_second_line_round_trips() {
    let fixture =
        json!({"type": "candidate", "label": 1, "id": "video", "candidate": HOST}).to_string();
    let PeerMessage::Candidate(candidate) = peer(&fixture) else {
        panic!("a candidate")
    };
    assert_eq!(
        (candidate.sdp_mline_index, candidate.sdp_mid.as_deref()),
        (Some(1), Some("video"))
    );
    assert_eq!(
        json_of(&PeerMessage::Candidate(candidate).to_json()),
        json_of(&fixture)
    );
}

#[test]
fn a_browsers_ice_candidate_to_json_with_a_type_is_understood() {
    // `{type: 'candidate', ...event.candidate.toJSON()}`
    let fixture = r#"{"type":"candidate","candidate":"candidate:1 1 udp 2122260223 192.168.1.20 56143 typ host generation 0 ufrag Xp3a network-id 1","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Xp3a"}"#;
    let PeerMessage::Candidate(candidate) = peer(fixture) else {
        panic!("a candidate")
    };
    assert_eq!(candidate.sdp_mline_index, Some(0));
    assert_eq!(candidate.sdp_mid.as_deref(), Some("0"));
    assert_eq!(candidate.username_fragment.as_deref(), Some("Xp3a"));
    assert!(!candidate.is_end_of_candidates());
    // Written back in the tutorial's shape, keeping the ufrag.
    let written = json_of(&PeerMessage::Candidate(candidate.clone()).to_json());
    assert_eq!(written["label"], 0);
    assert_eq!(written["id"], "0");
    assert_eq!(written["usernameFragment"], "Xp3a");
    assert_eq!(
        peer(&written.to_string()),
        PeerMessage::Candidate(candidate)
    );
}

#[test]
fn null_mid_and_line_index_and_the_end_of_candidates_marker_are_understood() {
    let nulls = r#"{"type":"candidate","candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","sdpMid":null,"sdpMLineIndex":null}"#;
    let PeerMessage::Candidate(candidate) = peer(nulls) else {
        panic!("a candidate")
    };
    assert_eq!((candidate.sdp_mline_index, candidate.sdp_mid), (None, None));

    let end = r#"{"type":"candidate","candidate":"","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Xp3a"}"#;
    let PeerMessage::Candidate(candidate) = peer(end) else {
        panic!("a candidate")
    };
    assert!(candidate.is_end_of_candidates());
}

#[test]
fn session_description_to_json_offers_and_answers_round_trip() {
    let sdp = browser_sdp();
    for (kind, make) in [
        (
            "offer",
            (|sdp| PeerMessage::Offer { sdp }) as fn(String) -> PeerMessage,
        ),
        ("answer", |sdp| PeerMessage::Answer { sdp }),
    ] {
        // What `peerConnection.localDescription` serializes to.
        let fixture = json!({"type": kind, "sdp": sdp}).to_string();
        let message = peer(&fixture);
        assert_eq!(message, make(sdp.clone()));
        assert_eq!(message.kind(), kind);
        assert_eq!(json_of(&message.to_json()), json_of(&fixture));
        assert!(
            message.to_json().len() < MAX_MESSAGE_BYTES,
            "a real offer fits in a frame"
        );
    }
}

#[test]
fn ready_and_bye_round_trip() {
    assert_eq!(peer("\"ready\""), PeerMessage::Ready);
    assert_eq!(peer(" \"ready\"\n"), PeerMessage::Ready);
    assert_eq!(PeerMessage::Ready.to_json(), "\"ready\"");
    assert_eq!(peer(r#"{"type":"bye"}"#), PeerMessage::Bye);
    assert_eq!(json_of(&PeerMessage::Bye.to_json()), json!({"type": "bye"}));
}

#[test]
fn every_relay_event_round_trips() {
    let room = || "kitchen-42".to_owned();
    let events = [
        (
            RelayEvent::Created {
                room: room(),
                grant: Grant::default(),
            },
            json!({"type": "created", "room": "kitchen-42"}),
        ),
        (
            RelayEvent::Joined {
                room: room(),
                grant: Grant::default(),
            },
            json!({"type": "joined", "room": "kitchen-42"}),
        ),
        (
            RelayEvent::PeerJoined { room: room() },
            json!({"type": "peer-joined", "room": "kitchen-42"}),
        ),
        (
            RelayEvent::PeerLeft { room: room() },
            json!({"type": "peer-left", "room": "kitchen-42"}),
        ),
        (
            RelayEvent::Full { room: room() },
            json!({"type": "full", "room": "kitchen-42"}),
        ),
    ];
    for (event, fixture) in events {
        assert_eq!(json_of(&event.to_json()), fixture);
        assert_eq!(
            Incoming::parse(&fixture.to_string()),
            Ok(Incoming::Relay(event))
        );
    }
    let codes = [
        (ErrorCode::BadJson, "bad_json"),
        (ErrorCode::TooLarge, "too_large"),
        (ErrorCode::BadRoom, "bad_room"),
        (ErrorCode::NotJoined, "not_joined"),
        (ErrorCode::AlreadyJoined, "already_joined"),
        (ErrorCode::RateLimited, "rate_limited"),
        (ErrorCode::RelayBusy, "relay_busy"),
    ];
    for (code, name) in codes {
        let fixture = json!({"type": "error", "code": name, "message": "refused"});
        let event = RelayEvent::Error {
            code,
            message: "refused".to_owned(),
        };
        assert_eq!(json_of(&event.to_json()), fixture);
        assert_eq!(
            Incoming::parse(&fixture.to_string()),
            Ok(Incoming::Relay(event))
        );
    }
}

#[test]
fn unknown_types_and_shapes_are_ignored_not_rejected() {
    let unknown = [
        r#"{"type":"mute","audio":true}"#,
        r#"{"type":"pranswer","sdp":"v=0"}"#,
        r#"{"type":"rollback","sdp":""}"#,
        r#"{"kind":"offer"}"#,
        r#"{"type":7}"#,
        r#""hello""#,
        "42",
        "null",
        "[\"ready\"]",
    ];
    for text in unknown {
        assert_eq!(Incoming::parse(text), Ok(Incoming::Unknown), "{text}");
    }
    // Extra fields on known types are room for extensions too.
    let extended = r#"{"type":"offer","sdp":"v=0\r\n","restart":true}"#;
    assert_eq!(
        peer(extended),
        PeerMessage::Offer {
            sdp: "v=0\r\n".to_owned()
        }
    );
}

#[test]
fn malformed_known_types_are_rejected_with_their_kind() {
    let malformed = [
        (r#"{"type":"offer"}"#, "offer"),
        (r#"{"type":"offer","sdp":42}"#, "offer"),
        (r#"{"type":"answer","sdp":null}"#, "answer"),
        (r#"{"type":"candidate","label":0,"id":"0"}"#, "candidate"),
        (
            r#"{"type":"candidate","label":"zero","id":"0","candidate":"c"}"#,
            "candidate",
        ),
        (
            r#"{"type":"candidate","label":-1,"id":"0","candidate":"c"}"#,
            "candidate",
        ),
        (r#"{"type":"created"}"#, "created"),
        (r#"{"type":"peer-left","room":5}"#, "peer-left"),
        (r#"{"type":"error","code":"nope","message":"x"}"#, "error"),
    ];
    for (text, kind) in malformed {
        assert_eq!(
            Incoming::parse(text),
            Err(ProtocolError::Malformed { kind }),
            "{text}"
        );
    }
    for text in ["{", "", "ready", "{\"type\":\"offer\",}"] {
        assert_eq!(
            Incoming::parse(text),
            Err(ProtocolError::NotJson),
            "{text:?}"
        );
    }
}

#[test]
fn client_frames_are_classified_for_the_relay() {
    let join = r#"{"type":"join","room":"kitchen-42"}"#;
    assert_eq!(
        ClientFrame::parse(join),
        Ok(ClientFrame::Join {
            room: "kitchen-42".to_owned(),
            resume: false,
            session: None,
        })
    );
    assert_eq!(
        ClientFrame::parse(r#"{"type":"bye"}"#),
        Ok(ClientFrame::Bye)
    );
    for relayed in [
        "\"ready\"",
        r#"{"type":"offer","sdp":"v=0"}"#,
        r#"{"type":"mute"}"#,
    ] {
        assert_eq!(
            ClientFrame::parse(relayed),
            Ok(ClientFrame::Relay),
            "{relayed}"
        );
    }
    assert_eq!(
        ClientFrame::parse(r#"{"type":"join"}"#),
        Err(ProtocolError::Malformed { kind: "join" })
    );
    assert!(ClientFrame::is_reserved_type(
        r#"{"type":"peer-left","room":"x"}"#
    ));
    assert!(!ClientFrame::is_reserved_type(
        r#"{"type":"offer","sdp":"v=0"}"#
    ));
}

#[test]
fn room_names_are_one_to_64_safe_characters() {
    for good in ["a", "Room_1-x", "0123456789", &"z".repeat(64)] {
        assert_eq!(
            RoomId::parse(good).map(|room| room.to_string()),
            Ok(good.to_owned())
        );
    }
    for bad in [
        "",
        &"z".repeat(65),
        "has space",
        "ünï",
        "a/b",
        "a.b",
        "../x",
        "a\u{0}",
    ] {
        assert!(RoomId::parse(bad).is_err(), "{bad:?} should be refused");
    }
    let (one, two) = (RoomId::random(), RoomId::random());
    assert_eq!(one.as_str().len(), 32);
    assert!(one.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(RoomId::parse(one.as_str()), Ok(one.clone()));
    assert_ne!(one, two, "128 random bits do not repeat");
}

#[test]
fn join_carries_resume_and_session_when_present() {
    let plain = ClientFrame::parse(r#"{"type":"join","room":"r1"}"#);
    assert_eq!(
        plain,
        Ok(ClientFrame::Join {
            room: "r1".into(),
            resume: false,
            session: None
        })
    );
    let resume = ClientFrame::parse(r#"{"type":"join","room":"r1","resume":true}"#);
    assert!(matches!(resume, Ok(ClientFrame::Join { resume: true, .. })));
    let token = ClientFrame::parse(r#"{"type":"join","room":"r1","session":"ab12"}"#);
    assert!(matches!(token, Ok(ClientFrame::Join { session: Some(s), .. }) if s == "ab12"));
    for bad in [
        r#"{"type":"join","room":"r1","resume":"yes"}"#,
        r#"{"type":"join","room":"r1","session":7}"#,
    ] {
        assert_eq!(
            ClientFrame::parse(bad),
            Err(ProtocolError::Malformed { kind: "join" }),
            "{bad}"
        );
    }
    let request = ClientRequest::Join {
        room: "r1".into(),
        resume: false,
        session: None,
    };
    assert_eq!(
        json_of(&serde_json::to_string(&request).expect("serializes")),
        json!({"type":"join","room":"r1"}),
        "a plain join is the tutorial's shape"
    );
}

#[test]
fn grants_round_trip_and_are_absent_by_default() {
    let plain = RelayEvent::Created {
        room: "r1".into(),
        grant: Grant::default(),
    };
    assert_eq!(
        json_of(&plain.to_json()),
        json!({"type":"created","room":"r1"})
    );
    let text = r#"{"type":"joined","room":"r1","session":"00ff","iceServers":[{"urls":["turn:192.0.2.1:3478"],"username":"1700000000:r1","credential":"c2VjcmV0"}]}"#;
    let Ok(Incoming::Relay(event)) = Incoming::parse(text) else {
        panic!("joined with a grant parses");
    };
    let RelayEvent::Joined { grant, .. } = &event else {
        panic!("{event:?} should be joined");
    };
    assert_eq!(grant.session.as_deref(), Some("00ff"));
    assert_eq!(grant.ice_servers[0].urls, ["turn:192.0.2.1:3478"]);
    assert_eq!(json_of(&event.to_json()), json_of(text));
    assert!(
        !format!("{event:?}").contains("c2VjcmV0"),
        "the TURN credential never reaches a log"
    );
}

#[test]
fn resume_events_and_call_id_parse() {
    for kind in ["resumed", "peer-away", "peer-back"] {
        let text = format!(r#"{{"type":"{kind}","room":"r1"}}"#);
        assert!(
            matches!(Incoming::parse(&text), Ok(Incoming::Relay(_))),
            "{kind}"
        );
        assert!(
            ClientFrame::is_reserved_type(&text),
            "{kind} is the relay's"
        );
    }
    let call = PeerMessage::CallId { id: "0a1b".into() };
    assert_eq!(
        json_of(&call.to_json()),
        json!({"type":"call-id","id":"0a1b"})
    );
    assert_eq!(peer(&call.to_json()), call);
    assert_eq!(
        Incoming::parse(r#"{"type":"call-id"}"#),
        Err(ProtocolError::Malformed { kind: "call-id" })
    );
}

#[test]
fn media_state_round_trips_and_needs_both_flags() {
    let muted = PeerMessage::Media(MediaState {
        audio: false,
        video: true,
    });
    assert_eq!(
        json_of(&muted.to_json()),
        json!({"type":"media","audio":false,"video":true})
    );
    assert_eq!(peer(&muted.to_json()), muted);
    // A later version may add fields: they are ignored, not an error.
    assert_eq!(
        peer(r#"{"type":"media","audio":true,"video":false,"screen":true}"#),
        PeerMessage::Media(MediaState {
            audio: true,
            video: false
        })
    );
    for bad in [
        r#"{"type":"media","audio":false}"#,
        r#"{"type":"media","audio":"no","video":true}"#,
    ] {
        assert_eq!(
            Incoming::parse(bad),
            Err(ProtocolError::Malformed { kind: "media" }),
            "{bad}"
        );
    }
    assert!(!ClientFrame::is_reserved_type(&muted.to_json()));
    assert_eq!(
        MediaState::default(),
        MediaState {
            audio: true,
            video: true
        }
    );
}
