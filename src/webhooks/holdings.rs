//! What a dispatcher holds between cycles: its leases, until when each runs, and the
//! sends under each, so that it knows when an event's first attempts are all done and
//! which leases to renew.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::store::deliveries::{self, Due, Held};

/// What a dispatcher holds: its leases, and the sends under each.
#[derive(Default)]
pub struct Holdings {
    until: HashMap<Held, NaiveDateTime>,
    sends: HashMap<Held, usize>,
    /// Sends held in all.
    pub total: usize,
}

impl Holdings {
    pub fn take(&mut self, due: &Due, until: NaiveDateTime) {
        let held = due.held();
        self.until.insert(held, until);
        *self.sends.entry(held).or_default() += 1;
        self.total += 1;
    }

    /// Notes a finished send; returns its event when that was the last of the event's
    /// first attempts.
    pub fn finish(&mut self, due: &Due) -> Option<i64> {
        let held = due.held();
        let left = self.sends.get_mut(&held)?;
        *left -= 1;
        self.total -= 1;
        if *left > 0 {
            return None;
        }
        self.sends.remove(&held);
        self.until.remove(&held);
        match held {
            Held::Event(id) => Some(id),
            Held::Delivery(_) => None,
        }
    }

    /// The leases that run out within half a lease of `now`.
    pub fn expiring(&self, now: NaiveDateTime) -> Vec<Held> {
        self.until.iter().filter(|(_, until)| **until - now < deliveries::LEASE / 2).map(|(held, _)| *held).collect()
    }

    pub fn renewed(&mut self, held: &[Held], until: NaiveDateTime) {
        for lease in held {
            if let Some(at) = self.until.get_mut(lease) {
                *at = until;
            }
        }
    }
}
