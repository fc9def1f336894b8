//! Tests for `temporal`: table-driven parsing, round trips, DST policies, epochs.

use super::*;
use chrono_tz::{America::New_York, Europe::Berlin};

/// Wall micros for a proleptic Gregorian date-time (astronomical year).
fn wall(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, us: i64) -> i64 {
    days_from_civil(y, mo, d) * DAY_MICROS + ((h * 60 + mi) * 60 + s) * 1_000_000 + us
}

#[test]
fn civil_arithmetic_agrees_with_chrono_and_postgres_bounds() {
    for days in (-800_000..800_000).step_by(997) {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
        let c = chrono::NaiveDate::from_ymd_opt(y as i32, m, d).unwrap();
        assert_eq!(
            (c - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days(),
            days
        );
    }
    assert_eq!(days_from_civil(-4713, 11, 24), PG_MIN_DATE as i64);
    assert_eq!(days_from_civil(5_874_897, 12, 31), PG_MAX_DATE as i64);
}

#[test]
fn parse_timestamp_accepts_what_apps_write() {
    let t = wall(2025, 3, 30, 12, 34, 56, 0);
    let cases: &[(&str, i64, Option<i32>)] = &[
        ("2025-03-30", wall(2025, 3, 30, 0, 0, 0, 0), None),
        ("2025-03-30 12:34", wall(2025, 3, 30, 12, 34, 0, 0), None),
        ("2025-03-30 12:34:56", t, None),
        ("2025-03-30T12:34:56", t, None),
        ("2025-03-30t12:34:56", t, None),
        ("  2025-03-30 12:34:56 ", t, None),
        ("2025-03-30 12:34:56.5", t + 500_000, None),
        ("2025-03-30 12:34:56.123456", t + 123_456, None),
        ("2025-03-30 12:34:56.123456000", t + 123_456, None),
        ("2025-03-30 12:34:56.000001", t + 1, None),
        ("2025-03-30T12:34:56Z", t, Some(0)),
        ("2025-03-30T12:34:56z", t, Some(0)),
        ("2025-03-30T12:34:56.25Z", t + 250_000, Some(0)),
        ("2025-03-30 12:34:56+01:00", t, Some(3600)),
        ("2025-03-30 12:34:56+0100", t, Some(3600)),
        ("2025-03-30 12:34:56+01", t, Some(3600)),
        ("2025-03-30 12:34:56-05:30", t, Some(-19_800)),
        ("2025-03-30 12:34:56+00:53:28", t, Some(3208)),
        ("2025-03-30 12:34:56 UTC", t, Some(0)),
        ("2025-03-30 12:34:56 +00:00", t, Some(0)),
        ("2025-03-30 12:34:56 Z", t, Some(0)),
        ("2025-01-01 24:00:00", wall(2025, 1, 2, 0, 0, 0, 0), None),
        ("2024-02-29 00:00:00", wall(2024, 2, 29, 0, 0, 0, 0), None),
        (
            "0044-03-15 12:00:00 BC",
            wall(-43, 3, 15, 12, 0, 0, 0),
            None,
        ),
        (
            "0044-03-15 12:00:00+00 BC",
            wall(-43, 3, 15, 12, 0, 0, 0),
            Some(0),
        ),
        ("0001-01-01 00:00:00 bc", wall(0, 1, 1, 0, 0, 0, 0), None),
        (
            "12345-06-07 08:09:10",
            wall(12_345, 6, 7, 8, 9, 10, 0),
            None,
        ),
        ("infinity", TS_INFINITY, None),
        ("-infinity", TS_NEG_INFINITY, None),
        ("Infinity", TS_INFINITY, None),
    ];
    for &(text, micros, offset) in cases {
        let p = parse_timestamp(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"));
        assert_eq!(
            p,
            ParsedTimestamp {
                wall_micros: micros,
                offset_seconds: offset
            },
            "{text:?}"
        );
    }
}

#[test]
fn parse_timestamp_refuses_with_a_reason() {
    let cases: &[(&str, &str)] = &[
        ("2025-13-01", "month 13"),
        ("2025-00-10", "month 0"),
        ("2025-02-30", "day 30"),
        ("2023-02-29", "day 29"),
        ("2025-01-01 25:00", "hour 25"),
        ("2025-01-01 24:00:01", "hour 24"),
        ("2025-01-01 12:60", "minute 60"),
        ("2025-01-01 12:00:60", "second 60"),
        ("2025-01-01 12:00:00 garbage", "unexpected"),
        ("2025-01-01x", "unexpected"),
        ("2025-01-01 12", "':'"),
        ("2025-01-01 12:00:00.", "digits after"),
        ("2025-1-01", "two digits"),
        ("25-01-01", "four digits"),
        ("0000-01-01", "no year 0"),
        ("01/02/2025", "four digits"),
        ("", "expected a date"),
        ("now", "expected a date"),
        ("2025-01-01 12:00:00+16:00", "offset"),
        ("2025-01-01 12:00:00+01:00 UTC", "unexpected"),
    ];
    for &(text, why) in cases {
        match parse_timestamp(text) {
            Err(TemporalError::Invalid(msg)) => assert!(
                msg.contains(why),
                "{text:?}: {msg:?} should mention {why:?}"
            ),
            other => panic!("{text:?} should be refused as invalid, got {other:?}"),
        }
    }
}

#[test]
fn sub_microsecond_digits_are_precision_loss_never_rounded() {
    for text in [
        "2025-01-01 00:00:00.1234567",
        "2025-01-01 00:00:00.000000001",
    ] {
        assert!(
            matches!(parse_timestamp(text), Err(TemporalError::PrecisionLoss(_))),
            "{text}"
        );
    }
    assert!(matches!(
        parse_time("10:00:00.9999999"),
        Err(TemporalError::PrecisionLoss(_))
    ));
}

#[test]
fn parse_date_and_time() {
    assert_eq!(parse_date("1970-01-02"), Ok(1));
    assert_eq!(parse_date("1969-12-31"), Ok(-1));
    assert_eq!(
        parse_date("2025-06-01 00:00:00"),
        Ok(days_from_civil(2025, 6, 1) as i32)
    );
    assert_eq!(parse_date("-infinity"), Ok(DATE_NEG_INFINITY));
    assert_eq!(parse_date("5874897-12-31"), Ok(PG_MAX_DATE));
    assert!(matches!(
        parse_date("2025-06-01 10:00:00"),
        Err(TemporalError::Invalid(_))
    ));
    assert!(matches!(
        parse_date("2025-06-01T00:00:00Z"),
        Err(TemporalError::Invalid(_))
    ));
    assert!(matches!(
        parse_date("9999999-01-01"),
        Err(TemporalError::OutOfRange(_))
    ));
    let times: &[(&str, i64)] = &[
        ("00:00", 0),
        ("12:34", (12 * 60 + 34) * 60_000_000),
        ("23:59:59.999999", DAY_MICROS - 1),
        ("24:00:00", DAY_MICROS),
        ("01:02:03.4", 3_723_400_000),
    ];
    for &(text, micros) in times {
        assert_eq!(parse_time(text), Ok(micros), "{text}");
    }
    for bad in ["24:00:01", "1:00", "12:00:00+01:00", "12:00:00 PM", "12"] {
        assert!(
            matches!(parse_time(bad), Err(TemporalError::Invalid(_))),
            "{bad} should be refused"
        );
    }
}

#[test]
fn format_then_parse_is_the_identity() {
    let cases: &[(i64, &str)] = &[
        (-1, "1969-12-31 23:59:59.999999"),
        (0, "1970-01-01 00:00:00"),
        (wall(1900, 1, 1, 0, 0, 0, 0), "1900-01-01 00:00:00"),
        (wall(-43, 3, 15, 0, 0, 0, 0), "0044-03-15 00:00:00 BC"),
        (
            wall(-43, 3, 15, 23, 59, 59, 120_000),
            "0044-03-15 23:59:59.12 BC",
        ),
        (wall(2038, 1, 19, 3, 14, 8, 0), "2038-01-19 03:14:08"),
        (
            wall(9999, 12, 31, 23, 59, 59, 999_999),
            "9999-12-31 23:59:59.999999",
        ),
        (wall(10_000, 1, 1, 0, 0, 0, 0), "10000-01-01 00:00:00"),
        (PG_MIN_TIMESTAMP, "4714-11-24 00:00:00 BC"),
        (TS_INFINITY - 1, "294247-01-10 04:00:54.775806"),
        (TS_NEG_INFINITY + 1, "290309-12-21 19:59:05.224193 BC"),
        (TS_INFINITY, "infinity"),
        (TS_NEG_INFINITY, "-infinity"),
    ];
    for &(micros, text) in cases {
        assert_eq!(format_timestamp(micros), text);
        assert_eq!(
            parse_timestamp(text).map(|p| p.wall_micros),
            Ok(micros),
            "{text}"
        );
        let tz = format_timestamptz(micros);
        let p = parse_timestamp(&tz).unwrap_or_else(|e| panic!("{tz}: {e}"));
        assert_eq!(p.instant(p.offset_seconds.unwrap_or(0)), Ok(micros), "{tz}");
        if !is_infinite(micros) {
            assert_eq!(p.offset_seconds, Some(0), "{tz}");
        }
    }
    assert_eq!(format_timestamptz(0), "1970-01-01 00:00:00+00:00");
    assert_eq!(
        format_timestamptz(wall(-43, 3, 15, 0, 0, 0, 0)),
        "0044-03-15 00:00:00+00:00 BC"
    );

    let dates: &[(i32, &str)] = &[
        (0, "1970-01-01"),
        (-1, "1969-12-31"),
        (days_from_civil(1900, 1, 1) as i32, "1900-01-01"),
        (days_from_civil(-43, 3, 15) as i32, "0044-03-15 BC"),
        (days_from_civil(9999, 12, 31) as i32, "9999-12-31"),
        (days_from_civil(294_276, 12, 31) as i32, "294276-12-31"),
        (PG_MIN_DATE, "4714-11-24 BC"),
        (PG_MAX_DATE, "5874897-12-31"),
        (DATE_INFINITY, "infinity"),
        (DATE_NEG_INFINITY, "-infinity"),
    ];
    for &(days, text) in dates {
        assert_eq!(format_date(days), text);
        assert_eq!(parse_date(text), Ok(days), "{text}");
    }
    for micros in [0, 1, 10, 500_000, 3_723_400_000, DAY_MICROS - 1, DAY_MICROS] {
        assert_eq!(parse_time(&format_time(micros)), Ok(micros));
    }
    assert_eq!(format_time(3_723_400_000), "01:02:03.4");
    assert_eq!(format_time(DAY_MICROS), "24:00:00");
    assert_eq!(format_value(&Value::Time(-1)), None);
}

#[test]
fn sampled_round_trips_over_the_whole_range() {
    // A deterministic spread of values across the value model, including odd microseconds.
    let mut x: i64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if is_infinite(x) {
            continue;
        }
        assert_eq!(
            parse_timestamp(&format_timestamp(x)).map(|p| p.wall_micros),
            Ok(x),
            "{x}"
        );
        let d = (x >> 32) as i32;
        if d != DATE_INFINITY && d != DATE_NEG_INFINITY {
            assert_eq!(parse_date(&format_date(d)), Ok(d), "{d}");
        }
    }
}

/// The text forms as `format!` writes them: what the digit-by-digit writers must match.
fn reference_timestamp(micros: i64, zone: &str) -> String {
    let (y, m, d) = civil_from_days(micros.div_euclid(DAY_MICROS));
    let (year, bc) = if y <= 0 { (1 - y, " BC") } else { (y, "") };
    let t = micros.rem_euclid(DAY_MICROS);
    let (secs, frac) = (t / 1_000_000, t % 1_000_000);
    let mut time = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if frac != 0 {
        time.push('.');
        time.push_str(format!("{frac:06}").trim_end_matches('0'));
    }
    format!("{year:04}-{m:02}-{d:02} {time}{zone}{bc}")
}

#[test]
fn written_forms_match_the_reference_formatting_over_the_whole_range() {
    let mut x: i64 = 0x1234_5678_9ABC_DEF1;
    let edges = [0, 1, -1, 999_999, DAY_MICROS - 1, DAY_MICROS, -DAY_MICROS];
    for i in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Wide values, then values near the epoch, then exact edges.
        let v = match i % 3 {
            0 => x,
            1 => x % (400 * 366 * DAY_MICROS),
            _ => edges[(x.unsigned_abs() % edges.len() as u64) as usize],
        };
        if is_infinite(v) {
            continue;
        }
        assert_eq!(format_timestamp(v), reference_timestamp(v, ""), "{v}");
        assert_eq!(
            format_timestamptz(v),
            reference_timestamp(v, "+00:00"),
            "{v}"
        );
        let t = v.rem_euclid(DAY_MICROS);
        let reference = reference_timestamp(t, "");
        assert_eq!(format_time(t), reference.split_once(' ').unwrap().1, "{t}");
    }
}

#[test]
fn dst_gap_and_fold_follow_the_policy() {
    let reject = DstPolicy::default();
    let shift = DstPolicy {
        gap: GapPolicy::ShiftForward,
        fold: FoldPolicy::Reject,
    };
    let earlier = DstPolicy {
        gap: GapPolicy::Reject,
        fold: FoldPolicy::Earlier,
    };
    let later = DstPolicy {
        gap: GapPolicy::Reject,
        fold: FoldPolicy::Later,
    };
    let utc = |y, mo, d, h, mi| wall(y, mo, d, h, mi, 0, 0);

    // Berlin: 2025-03-30 02:00 → 03:00 (gap); 2025-10-26 03:00 → 02:00 (fold).
    let gap = utc(2025, 3, 30, 2, 30);
    assert!(
        matches!(resolve_local(gap, Berlin, reject), Err(TemporalError::NonexistentLocalTime(m)) if m.contains("Europe/Berlin") && m.contains("01:00"))
    );
    assert_eq!(
        resolve_local(gap, Berlin, shift),
        Ok(utc(2025, 3, 30, 1, 30))
    ); // 03:30 CEST
    assert!(matches!(
        resolve_local(gap, Berlin, earlier),
        Err(TemporalError::NonexistentLocalTime(_))
    ));
    let fold = utc(2025, 10, 26, 2, 30);
    assert!(
        matches!(resolve_local(fold, Berlin, reject), Err(TemporalError::AmbiguousLocalTime(m)) if m.contains("+02:00") && m.contains("+01:00"))
    );
    assert!(matches!(
        resolve_local(fold, Berlin, shift),
        Err(TemporalError::AmbiguousLocalTime(_))
    ));
    assert_eq!(
        resolve_local(fold, Berlin, earlier),
        Ok(utc(2025, 10, 26, 0, 30))
    );
    assert_eq!(
        resolve_local(fold, Berlin, later),
        Ok(utc(2025, 10, 26, 1, 30))
    );

    // New York: 2025-03-09 02:00 → 03:00 (gap); 2025-11-02 02:00 → 01:00 (fold).
    let gap = utc(2025, 3, 9, 2, 30);
    assert!(matches!(
        resolve_local(gap, New_York, reject),
        Err(TemporalError::NonexistentLocalTime(_))
    ));
    assert_eq!(
        resolve_local(gap, New_York, shift),
        Ok(utc(2025, 3, 9, 7, 30))
    ); // 03:30 EDT
    let fold = utc(2025, 11, 2, 1, 30);
    assert!(matches!(
        resolve_local(fold, New_York, reject),
        Err(TemporalError::AmbiguousLocalTime(_))
    ));
    assert_eq!(
        resolve_local(fold, New_York, earlier),
        Ok(utc(2025, 11, 2, 5, 30))
    ); // EDT
    assert_eq!(
        resolve_local(fold, New_York, later),
        Ok(utc(2025, 11, 2, 6, 30))
    ); // EST

    // Ordinary times and the infinities are unaffected by the policy.
    assert_eq!(
        resolve_local(utc(2025, 7, 1, 12, 0), Berlin, reject),
        Ok(utc(2025, 7, 1, 10, 0))
    );
    assert_eq!(
        resolve_local(utc(2025, 1, 1, 12, 0), New_York, reject),
        Ok(utc(2025, 1, 1, 17, 0))
    );
    assert_eq!(resolve_local(TS_INFINITY, Berlin, reject), Ok(TS_INFINITY));
}

#[test]
fn epoch_numbers_convert_exactly_or_not_at_all() {
    use EpochUnit::*;
    assert_eq!(
        from_epoch(1_700_000_000_i64, Seconds),
        Ok(1_700_000_000_000_000)
    );
    assert_eq!(
        from_epoch(1_700_000_000_123_i64, Milliseconds),
        Ok(1_700_000_000_123_000)
    );
    assert_eq!(from_epoch(-1_i64, Seconds), Ok(-1_000_000));
    assert_eq!(
        from_epoch(1_700_000_000.123456_f64, Seconds),
        Ok(1_700_000_000_123_456)
    );
    assert_eq!(
        from_epoch(1_700_000_000_123.5_f64, Milliseconds),
        Ok(1_700_000_000_123_500)
    );
    assert_eq!(from_epoch(-0.5_f64, Seconds), Ok(-500_000));
    assert_eq!(
        from_epoch(1e15_f64, Milliseconds),
        Ok(1_000_000_000_000_000_000)
    );
    assert!(matches!(
        from_epoch(0.1234567_f64, Seconds),
        Err(TemporalError::PrecisionLoss(_))
    ));
    assert!(matches!(
        from_epoch(1.0001_f64, Milliseconds),
        Err(TemporalError::PrecisionLoss(_))
    ));
    assert!(matches!(
        from_epoch(f64::NAN, Seconds),
        Err(TemporalError::Invalid(_))
    ));
    assert!(matches!(
        from_epoch(i64::MAX, Seconds),
        Err(TemporalError::OutOfRange(_))
    ));
    assert!(matches!(
        from_epoch(1e300_f64, Seconds),
        Err(TemporalError::OutOfRange(_))
    ));
}

#[test]
fn postgres_reads_our_text_and_we_read_its_text() {
    // PostgreSQL parses what Ferry writes into SQLite, and its own output parses back to the
    // same value (run against the real server; the testkit fails loudly without one).
    let db = ferry_testkit::TestDb::new();
    let mut client = db.client();
    client
        .batch_execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'")
        .unwrap();
    let stamps = [
        -1,
        0,
        wall(1900, 1, 1, 0, 0, 0, 0),
        wall(-43, 3, 15, 23, 59, 59, 120_000),
        wall(2038, 1, 19, 3, 14, 8, 0),
        wall(9999, 12, 31, 23, 59, 59, 999_999),
        wall(12_345, 6, 7, 8, 9, 10, 1),
        PG_MIN_TIMESTAMP,
        TS_INFINITY - 1,
        TS_INFINITY,
        TS_NEG_INFINITY,
    ];
    for micros in stamps {
        for (text, cast) in [
            (format_timestamp(micros), "timestamp"),
            (format_timestamptz(micros), "timestamptz"),
        ] {
            let row = client
                .query_one(&format!("SELECT $1::text::{cast}::text"), &[&text])
                .unwrap();
            let back: String = row.get(0);
            let p = parse_timestamp(&back).unwrap_or_else(|e| panic!("{back}: {e}"));
            let instant = p.instant(p.offset_seconds.unwrap_or(0));
            assert_eq!(
                instant,
                Ok(micros),
                "{text} as {cast} came back from PostgreSQL as {back}"
            );
        }
    }
    let dates = [
        0,
        -1,
        days_from_civil(-43, 3, 15) as i32,
        PG_MIN_DATE,
        PG_MAX_DATE,
        DATE_INFINITY,
        DATE_NEG_INFINITY,
    ];
    for days in dates {
        let text = format_date(days);
        let back: String = client
            .query_one("SELECT $1::text::date::text", &[&text])
            .unwrap()
            .get(0);
        assert_eq!(parse_date(&back), Ok(days), "{text} came back as {back}");
    }
    for micros in [0, 1, 3_723_400_000, DAY_MICROS - 1, DAY_MICROS] {
        let text = format_time(micros);
        let back: String = client
            .query_one("SELECT $1::text::time::text", &[&text])
            .unwrap()
            .get(0);
        assert_eq!(parse_time(&back), Ok(micros), "{text} came back as {back}");
    }
}

#[test]
fn non_ascii_text_after_the_time_is_refused_not_a_panic() {
    // Found by the fuzzer (crates/engine/tests/fuzz_parsers.rs): the offset parser sliced
    // the text at byte 3 whatever character was there.
    for text in [
        "2025-11-18T15:30:45.123+\u{fffd}1:0:0",
        "2025-11-18 15:30:45 é",
        "2025-11-18 15:30:45 ut€",
        "2025-11-18 15:30:45€",
    ] {
        assert!(parse_timestamp(text).is_err(), "{text}");
    }
}
