//! The revoke-window rule: WeChat recalls a message only for about two minutes after sending.

use super::{Code, Error};

/// When the window closes, in ms since the epoch; `None` when no check applies (createTime 0, or disabled).
pub fn closes_at_ms(create_time: u64, window_sec: Option<u64>) -> Option<f64> {
    match window_sec {
        Some(window) if create_time != 0 => Some((create_time.saturating_add(window)) as f64 * 1000.0),
        _ => None,
    }
}

/// Refuses with `REVOKE_WINDOW_EXPIRED` when the message is older than the window by the local clock.
pub fn check(create_time: u64, window_sec: Option<u64>, now_ms: f64) -> Result<(), Error> {
    let Some(window) = window_sec.filter(|_| create_time != 0) else {
        return Ok(());
    };
    let now_sec = (now_ms / 1000.0) as u64; // floors; saturates for absurd clocks
    let age = now_sec.saturating_sub(create_time);
    if age > window {
        Err(Error::new(
            Code::RevokeWindowExpired,
            format!(
                "The message was sent {age} s ago, past the {window} s revoke window, so WeChat will not recall \
                 it; pass revokeWindowSec: null to send anyway."
            ),
        )
        .at("createTime"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_704_163_145_999.0;

    #[test]
    fn boundary_is_inclusive() {
        assert_eq!(check(1_704_163_145 - 120, Some(120), NOW), Ok(()));
        let e = check(1_704_163_145 - 121, Some(120), NOW).unwrap_err();
        assert_eq!((e.code, e.field), (Code::RevokeWindowExpired, Some("createTime")));
        assert!(
            e.message.contains("sent 121 s ago, past the 120 s revoke window"),
            "{}",
            e.message
        );
    }

    #[test]
    fn zero_time_disabled_window_and_future_times_pass() {
        assert_eq!(check(0, Some(120), NOW), Ok(()));
        assert_eq!(check(1, None, NOW), Ok(()));
        assert_eq!(check(1_704_163_145 + 3600, Some(120), NOW), Ok(()));
        assert_eq!(check(u64::MAX, Some(u64::MAX), NOW), Ok(()));
        assert_eq!(check(1_704_163_145, Some(0), NOW), Ok(()));
        assert!(check(1_704_163_144, Some(0), NOW).is_err());
    }

    #[test]
    fn closing_time() {
        assert_eq!(closes_at_ms(100, Some(120)), Some(220_000.0));
        assert_eq!(closes_at_ms(0, Some(120)), None);
        assert_eq!(closes_at_ms(100, None), None);
    }
}
