//! Injectable time: the real tokio clock, or a virtual one for tests (sleeping advances it).

use futures::future::BoxFuture;
use std::sync::Mutex;
use std::time::Duration;

/// Monotonic time and sleeping, so retry and pacing logic can be tested without waiting.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Time since the clock started.
    fn now(&self) -> Duration;
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock.
#[derive(Debug)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A virtual clock: `sleep` returns at once and moves time forward; every sleep is recorded.
#[derive(Debug, Default)]
pub struct VirtualClock {
    inner: Mutex<(Duration, Vec<Duration>)>,
}

impl VirtualClock {
    /// The sleeps requested so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.inner.lock().map(|g| g.1.clone()).unwrap_or_default()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.inner.lock().map(|g| g.0).unwrap_or_default()
    }

    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        if let Ok(mut g) = self.inner.lock() {
            g.0 += d;
            g.1.push(d);
        }
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_clock_advances_on_sleep() {
        let c = VirtualClock::default();
        c.sleep(Duration::from_secs(2)).await;
        c.sleep(Duration::from_millis(500)).await;
        assert_eq!(c.now(), Duration::from_millis(2500));
        assert_eq!(c.sleeps().len(), 2);
    }
}
