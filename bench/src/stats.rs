//! Latency percentiles from recorded samples.

pub struct Latencies {
    sorted_us: Vec<u64>,
}

impl Latencies {
    pub fn new(mut samples_us: Vec<u64>) -> Self {
        samples_us.sort_unstable();
        Self { sorted_us: samples_us }
    }

    /// The `p`th percentile (nearest rank), in milliseconds; 0 without samples.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.sorted_us.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.sorted_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.sorted_us.len()) - 1;
        self.sorted_us[index] as f64 / 1000.0
    }
}
