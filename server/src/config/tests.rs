use super::*;

fn parse(args: &[&str]) -> Result<Command, ArgsError> {
    Command::parse(args.iter().map(|s| s.to_string()))
}

#[test]
fn no_arguments_listen_on_port_8080_without_tls() {
    assert_eq!(parse(&[]), Ok(Command::Run(Box::default())));
}

#[test]
fn every_option_is_read_in_both_spellings() {
    let Ok(Command::Run(config)) = parse(&[
        "--listen=127.0.0.1:0",
        "--tls-cert",
        "c.pem",
        "--tls-key=k.pem",
        "--heartbeat-interval-ms",
        "200",
        "--heartbeat-timeout-ms=600",
        "--max-connections",
        "5",
        "--rate-burst=7",
        "--rate-per-second",
        "3",
    ]) else {
        panic!("valid command line refused");
    };
    assert_eq!(
        config.listen,
        "127.0.0.1:0".parse().expect("literal address")
    );
    let tls = config.tls.expect("tls configured");
    assert_eq!(
        (tls.cert.to_str(), tls.key.to_str()),
        (Some("c.pem"), Some("k.pem"))
    );
    assert_eq!(config.limits.heartbeat_interval, Duration::from_millis(200));
    assert_eq!(config.limits.heartbeat_timeout, Duration::from_millis(600));
    assert_eq!(config.limits.max_connections, 5);
    assert_eq!(
        (config.limits.rate_burst, config.limits.rate_per_second),
        (7, 3)
    );
}

#[test]
fn bad_command_lines_are_refused_with_a_reason() {
    assert_eq!(
        parse(&["--bogus", "1"]),
        Err(ArgsError::UnknownOption("--bogus".into()))
    );
    assert_eq!(
        parse(&["--listen"]),
        Err(ArgsError::MissingValue("--listen".into()))
    );
    assert!(matches!(
        parse(&["--listen", "nowhere"]),
        Err(ArgsError::InvalidValue { .. })
    ));
    assert_eq!(parse(&["--tls-cert", "c.pem"]), Err(ArgsError::HalfTls));
    assert_eq!(
        parse(&[
            "--heartbeat-interval-ms",
            "500",
            "--heartbeat-timeout-ms",
            "500"
        ]),
        Err(ArgsError::HeartbeatTimeoutTooShort)
    );
    assert!(matches!(
        parse(&["--max-connections", "0"]),
        Err(ArgsError::InvalidValue { .. })
    ));
    assert_eq!(parse(&["--help"]), Ok(Command::Help));
}

#[test]
fn the_resume_grace_is_read() {
    let Ok(Command::Run(config)) = parse(&["--resume-grace-ms", "750"]) else {
        panic!("valid command line refused");
    };
    assert_eq!(config.limits.resume_grace, Duration::from_millis(750));
    assert!(matches!(
        parse(&["--resume-grace-ms", "0"]),
        Err(ArgsError::InvalidValue { .. })
    ));
}

#[test]
fn turn_urls_secret_and_ttl_make_one_turn_deployment() {
    let Ok(Command::Run(config)) = parse(&[
        "--turn-url",
        "turn:turn.example.org:3478",
        "--turn-url=turns:turn.example.org:5349?transport=tcp",
        "--turn-secret=s3=cret",
        "--turn-ttl-s",
        "600",
    ]) else {
        panic!("valid command line refused");
    };
    let turn = config.turn.expect("TURN configured");
    assert_eq!(
        turn.urls,
        [
            "turn:turn.example.org:3478",
            "turns:turn.example.org:5349?transport=tcp"
        ]
    );
    assert_eq!(turn.secret, TurnSecret::new("s3=cret".into()));
    assert_eq!(turn.ttl, Duration::from_secs(600));
}

#[test]
fn the_turn_secret_is_read_from_a_file_without_its_newline() {
    let path = std::env::temp_dir().join(format!("turn-secret-{}", std::process::id()));
    std::fs::write(&path, "from-a-file\n").expect("temp file written");
    let path_arg = path.to_str().expect("temp path is UTF-8");
    let parsed = parse(&["--turn-url", "turn:h:3478", "--turn-secret-file", path_arg]);
    std::fs::remove_file(&path).expect("temp file removed");
    let Ok(Command::Run(config)) = parsed else {
        panic!("valid command line refused: {parsed:?}");
    };
    let turn = config.turn.expect("TURN configured");
    assert_eq!(turn.secret, TurnSecret::new("from-a-file".into()));
    assert_eq!(turn.ttl, Duration::from_secs(86_400), "a day by default");
}

#[test]
fn incomplete_or_contradictory_turn_options_are_refused() {
    let url = ["--turn-url", "turn:h:3478"];
    assert_eq!(parse(&url), Err(ArgsError::TurnUrlWithoutSecret));
    assert_eq!(
        parse(&["--turn-secret", "s"]),
        Err(ArgsError::TurnWithoutUrl)
    );
    assert_eq!(
        parse(&["--turn-ttl-s", "60"]),
        Err(ArgsError::TurnWithoutUrl)
    );
    assert_eq!(
        parse(&[
            url[0],
            url[1],
            "--turn-secret",
            "s",
            "--turn-secret-file",
            "f"
        ]),
        Err(ArgsError::TwoTurnSecrets)
    );
    assert_eq!(
        parse(&[url[0], url[1], "--turn-secret", ""]),
        Err(ArgsError::EmptyTurnSecret)
    );
    assert_eq!(
        parse(&["--turn-url", "http://h", "--turn-secret", "s"]),
        Err(ArgsError::BadTurnUrl("http://h".into()))
    );
    assert_eq!(
        parse(&["--turn-url", "turn:", "--turn-secret", "s"]),
        Err(ArgsError::BadTurnUrl("turn:".into()))
    );
    let missing = parse(&[url[0], url[1], "--turn-secret-file", "/nonexistent/secret"]);
    assert!(
        matches!(&missing, Err(ArgsError::UnreadableFile { option, path, .. })
            if option == "--turn-secret-file" && path == "/nonexistent/secret"),
        "{missing:?}"
    );
}

#[test]
fn a_refused_command_line_never_prints_the_secret() {
    for args in [
        &["--turn-secret", "hunter2"][..],
        &["--turn-url", "ftp:x", "--turn-secret", "hunter2"],
        &[
            "--turn-url",
            "turn:h",
            "--turn-secret",
            "hunter2",
            "--turn-secret",
            "hunter2",
        ],
    ] {
        let error = parse(args).expect_err("refused");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    let Ok(Command::Run(config)) = parse(&["--turn-url", "turn:h", "--turn-secret", "hunter2"])
    else {
        panic!("valid command line refused");
    };
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[test]
fn the_limits_for_the_open_internet_are_read() {
    let Ok(Command::Run(config)) = parse(&[
        "--queue-bytes=100000",
        "--max-connections-per-address",
        "8",
        "--join-burst=4",
        "--joins-per-second",
        "2",
        "--max-rooms=30",
        "--bar-after-abuses=0",
        "--accept-burst=7",
        "--accepts-per-second",
        "0",
        "--allowed-origin",
        "https://app.example",
    ]) else {
        panic!("valid command line refused");
    };
    let limits = &config.limits;
    assert_eq!(limits.queue_bytes, 100_000);
    assert_eq!(limits.max_connections_per_address, 8);
    assert_eq!((limits.join_burst, limits.joins_per_second), (4, 2));
    assert_eq!(limits.max_rooms, 30);
    assert_eq!(limits.bar_after_abuses, 0);
    assert_eq!(Limits::default().bar_after_abuses, 3);
    assert_eq!((limits.accept_burst, limits.accepts_per_second), (7, 0));
    assert!(
        config
            .origins
            .allows(Some("https://app.example"), Some("relay.example"))
    );
    assert_eq!(
        parse(&["--allowed-origin", "app.example"]),
        Err(ArgsError::BadOrigin(BadOrigin("app.example".into())))
    );
    assert!(matches!(
        parse(&["--max-rooms", "0"]),
        Err(ArgsError::InvalidValue { .. })
    ));
}

#[test]
fn the_help_text_names_every_option() {
    for option in [
        "--listen",
        "--queue-bytes",
        "--max-connections-per-address",
        "--join-burst",
        "--joins-per-second",
        "--max-rooms",
        "--allowed-origin",
        "--redis",
        "--redis-ca",
        "--redis-url-file",
        "--bar-after-abuses",
        "--accept-burst",
        "--accepts-per-second",
        "--turn-ttl-s",
    ] {
        assert!(is_known(option), "{option}");
        assert!(
            USAGE.contains(&format!("  {option} ")),
            "{option} in --help"
        );
    }
}

#[test]
fn redis_is_a_redis_url_and_off_by_default() {
    let Ok(Command::Run(config)) = parse(&["--redis", "redis://127.0.0.1:6379"]) else {
        panic!("valid command line refused");
    };
    let redis = config.redis.map(|redis| redis.to_string());
    assert_eq!(redis.as_deref(), Some("redis://127.0.0.1:6379"));
    assert_eq!(Config::default().redis, None);
    assert_eq!(
        parse(&["--redis", "http://redis:6379"]),
        Err(ArgsError::BadRedis(BadRedisTarget::Url(
            "http://redis:6379".into()
        )))
    );
}

#[test]
fn a_private_redis_ca_is_read_from_its_file_and_needs_a_tls_redis() {
    let path = std::env::temp_dir().join(format!("redis-ca-{}", std::process::id()));
    std::fs::write(&path, "-----BEGIN CERTIFICATE-----\n").expect("temp file written");
    let ca = path.to_str().expect("temp path is UTF-8");
    let tls = parse(&["--redis-ca", ca, "--redis", "rediss://10.0.0.5:6380"]);
    let plain = parse(&["--redis", "redis://10.0.0.5:6379", "--redis-ca", ca]);
    let alone = parse(&["--redis-ca", ca]);
    std::fs::remove_file(&path).expect("temp file removed");
    let Ok(Command::Run(config)) = tls else {
        panic!("valid command line refused: {tls:?}");
    };
    assert!(format!("{:?}", config.redis).contains("private_ca: true"));
    assert_eq!(
        plain,
        Err(ArgsError::BadRedis(BadRedisTarget::CaWithoutTls))
    );
    assert_eq!(alone, Err(ArgsError::RedisCaWithoutRedis));
    let missing = parse(&[
        "--redis",
        "rediss://h:6380",
        "--redis-ca",
        "/nonexistent/ca.pem",
    ]);
    assert!(
        matches!(&missing, Err(ArgsError::UnreadableFile { option, path, .. })
            if option == "--redis-ca" && path == "/nonexistent/ca.pem"),
        "{missing:?}"
    );
}

#[test]
fn the_redis_password_is_never_printed() {
    let url = "rediss://:hunter2@redis.example:6380";
    let Ok(Command::Run(config)) = parse(&["--redis", url]) else {
        panic!("valid command line refused");
    };
    assert!(!format!("{config:?}").contains("hunter2"));
    let refused = parse(&["--redis", "http://:hunter2@redis.example"]).expect_err("refused");
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
}

#[test]
fn the_redis_url_may_come_from_a_file_once() {
    let path = std::env::temp_dir().join(format!("redis-url-{}", std::process::id()));
    std::fs::write(&path, "rediss://:hunter2@redis.example:6380\n").expect("temp file written");
    let file = path.to_str().expect("temp path is UTF-8");
    let parsed = parse(&["--redis-url-file", file]);
    let twice = parse(&["--redis", "redis://h:6379", "--redis-url-file", file]);
    std::fs::remove_file(&path).expect("temp file removed");
    let Ok(Command::Run(config)) = parsed else {
        panic!("valid command line refused: {parsed:?}");
    };
    let redis = config.redis.map(|redis| redis.to_string());
    assert_eq!(redis.as_deref(), Some("rediss://***@redis.example:6380"));
    assert_eq!(twice, Err(ArgsError::TwoRedisUrls));
}
