//! Server groups: a web server component stands for one or more identical instances sharing its
//! queue (the load balancer's target group). An auto-scaling policy keeps the desired count
//! between a minimum and a maximum: when the group's CPU stays above a threshold for a while it
//! adds a step of instances, which boot for a while before taking work; when it stays below
//! another for longer it removes a step, draining them (they finish what they hold). A cooldown
//! follows each change. Failed instances (chaos) are noticed after a detection time and
//! replaced. Every instance launched is billed until it is gone.
//!
//! This file holds the group's book-keeping and decisions; the engine turns them into workers,
//! events and log lines.

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::metrics::Level;
use super::time::{SimDuration, SimTime};

/// Where an instance is in its life.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Launched, not yet serving.
    Booting,
    /// Serving.
    Running,
    /// Being removed: takes no new work, finishes what it holds.
    Draining,
    /// Failed; not yet noticed and replaced.
    Dead,
}

/// One instance of a group.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub(crate) struct Instance {
    /// Unique across the run, so stale events and requests from a past life are recognised.
    pub id: u32,
    pub state: State,
    /// Requests in service on it.
    pub busy: u32,
    /// Launched by a scale-out (not as a replacement): its coming into service changes the
    /// group's size.
    pub grows: bool,
}

/// An auto-scaling policy (the chapter's: +5 above 70 % for 5 min, −5 below 30 % for 10 min).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub(crate) struct Policy {
    pub out_pct: f64,
    pub out_for: SimDuration,
    pub out_step: u32,
    pub in_pct: f64,
    pub in_for: SimDuration,
    pub in_step: u32,
    pub cooldown: SimDuration,
}

/// What a policy decided at a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Nothing to do.
    Hold,
    /// Desired count raised to `to`.
    Out { to: u32 },
    /// Desired count lowered to `to`.
    In { to: u32 },
}

/// A group of identical instances.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct ServerGroup {
    pub instances: Vec<Instance>,
    /// The count the group keeps launched (booting or running).
    pub desired: u32,
    pub min: u32,
    pub max: u32,
    pub boot: SimDuration,
    /// Time to notice a failed instance and launch its replacement.
    pub replace_after: SimDuration,
    pub policy: Option<Policy>,
    /// The CPU judged in whole periods (datapoints), as CloudWatch does.
    cpu: Datapoints,
    /// A scale-out was decided: the next launches grow the group (others replace).
    growing: bool,
    cooled_at: SimTime,
    next_id: u32,
    /// Running instances over time (the engine keeps it in step; none while the component is
    /// down), for the report's mean and peak.
    pub running_level: Level,
}

impl ServerGroup {
    /// Reads a validated `web_server` component: `instances` running from the start (kept
    /// within min–max when it auto-scales).
    pub fn from_component(c: &Component) -> Self {
        let mut g = ServerGroup {
            instances: Vec::new(),
            desired: 0,
            min: 1,
            max: u32::MAX,
            boot: SimDuration::ZERO,
            replace_after: SimDuration::ZERO,
            policy: None,
            cpu: Datapoints::default(),
            growing: false,
            cooled_at: SimTime::ZERO,
            next_id: 1,
            running_level: Level::default(),
        };
        g.update(c);
        g.desired = crate::model::cost::initial_instances(c);
        g.start_desired();
        g.running_level.set(SimTime::ZERO, u64::from(g.running()));
        g
    }

    /// Takes `c`'s policy and limits (the instances launched stay; a new count or range is
    /// reached by the next reconciliation).
    pub fn update(&mut self, c: &Component) {
        let autoscale = c.choice("autoscale") == "cpu";
        let secs = |name: &str| SimDuration::from_secs_f64(c.number(name));
        self.boot = secs("boot_s");
        self.replace_after = secs("replace_after_s");
        if autoscale {
            self.min = c.number("min_instances") as u32;
            self.max = (c.number("max_instances") as u32).max(self.min);
            self.policy = Some(Policy {
                out_pct: c.number("scale_out_cpu_pct"),
                out_for: secs("scale_out_after_s"),
                out_step: c.number("scale_out_step") as u32,
                in_pct: c.number("scale_in_cpu_pct"),
                in_for: secs("scale_in_after_s"),
                in_step: c.number("scale_in_step") as u32,
                cooldown: secs("cooldown_s"),
            });
            self.desired = self.desired.clamp(self.min, self.max);
        } else {
            let n = c.number("instances") as u32;
            (self.min, self.max, self.policy) = (n, n, None);
            self.desired = n;
        }
    }

    fn new_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn count(&self, state: State) -> u32 {
        self.instances.iter().filter(|i| i.state == state).count() as u32
    }

    /// Instances serving.
    pub fn running(&self) -> u32 {
        self.count(State::Running)
    }

    /// Instances billed: launched and not yet gone (dead ones until they are replaced).
    pub fn billed(&self) -> u32 {
        self.instances.len() as u32
    }

    /// The instance with `id`, by position.
    pub fn find(&self, id: u32) -> Option<usize> {
        self.instances.iter().position(|i| i.id == id)
    }

    /// The running instance to give a new request: the least busy (the first on ties).
    pub fn pick(&mut self) -> Option<usize> {
        let i = self
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == State::Running)
            .min_by_key(|(_, i)| i.busy)
            .map(|(k, _)| k)?;
        self.instances[i].busy += 1;
        Some(i)
    }

    /// A request on instance `id` let go of its worker. True if that removed a drained
    /// instance.
    pub fn release(&mut self, id: u32) -> bool {
        let Some(k) = self.find(id) else {
            return false;
        };
        let i = &mut self.instances[k];
        i.busy = i.busy.saturating_sub(1);
        if i.state == State::Draining && i.busy == 0 {
            self.instances.remove(k);
            return true;
        }
        false
    }

    /// Whether instance `id` is alive (a request it took is still being served).
    pub fn alive(&self, id: u32) -> bool {
        self.find(id)
            .is_some_and(|k| matches!(self.instances[k].state, State::Running | State::Draining))
    }

    /// Takes this second's CPU (mean utilisation of the running instances, %), at `now`,
    /// and judges the policy at the end of each period: a rule holds when the averages of its
    /// last whole periods (as many as its time needs) all cross its threshold, counting only
    /// periods since the last change, and the cooldown is over.
    pub fn observe(&mut self, now: SimTime, cpu_pct: f64) -> Decision {
        let Some(p) = self.policy else {
            return Decision::Hold;
        };
        let period = period_s(&p);
        if !self.cpu.add(now, cpu_pct, period) || now < self.cooled_at {
            return Decision::Hold;
        }
        let periods = |d: SimDuration| (d.as_secs_f64() / period as f64).ceil().max(1.0) as usize;
        let decision = if self.cpu.all_last(periods(p.out_for), |c| c > p.out_pct) {
            let to = (self.desired + p.out_step).min(self.max);
            (to > self.desired).then_some(Decision::Out { to })
        } else if self.cpu.all_last(periods(p.in_for), |c| c < p.in_pct) {
            let to = self.desired.saturating_sub(p.in_step).max(self.min);
            (to < self.desired).then_some(Decision::In { to })
        } else {
            None
        };
        let Some(d) = decision else {
            return Decision::Hold;
        };
        if let Decision::Out { to } | Decision::In { to } = d {
            self.desired = to;
        }
        self.growing = matches!(d, Decision::Out { .. });
        self.cooled_at = now + p.cooldown;
        self.cpu.changed(now);
        d
    }

    /// Brings the launched count (booting, running, and failed but not yet noticed) to the
    /// desired count: launches
    /// instances (returned by id, to schedule their boot) or drains the newest. Returns the
    /// launched ids, and how many were drained.
    pub fn reconcile(&mut self) -> (Vec<u32>, u32) {
        // A failed instance holds its place until it is noticed.
        let launched = self.count(State::Booting) + self.running() + self.count(State::Dead);
        let mut new = Vec::new();
        for _ in launched..self.desired {
            let id = self.new_id();
            self.instances.push(Instance {
                id,
                state: State::Booting,
                busy: 0,
                grows: self.growing,
            });
            new.push(id);
        }
        self.growing = false;
        let mut drained = 0;
        let mut excess = launched.saturating_sub(self.desired);
        // Newest first: booting instances go before running ones.
        for k in (0..self.instances.len()).rev() {
            if excess == 0 {
                break;
            }
            if self.instances[k].state == State::Booting {
                self.instances.remove(k);
                excess -= 1;
                drained += 1;
            }
        }
        for k in (0..self.instances.len()).rev() {
            if excess == 0 {
                break;
            }
            if self.instances[k].state == State::Running {
                self.instances[k].state = State::Draining;
                if self.instances[k].busy == 0 {
                    self.instances.remove(k);
                }
                excess -= 1;
                drained += 1;
            }
        }
        (new, drained)
    }

    /// Instance `id` finished booting at `now`. False if it is gone (drained while booting).
    pub fn ready(&mut self, id: u32, now: SimTime) -> bool {
        match self.find(id) {
            Some(k) if self.instances[k].state == State::Booting => {
                self.instances[k].state = State::Running;
                // The CPU measured before the group grew says nothing about it now (a
                // replacement only restores it).
                if self.instances[k].grows {
                    self.cpu.changed(now);
                }
                true
            }
            _ => false,
        }
    }

    /// Instance number `k` fails: what it held is lost. Returns its id and the requests it
    /// was serving, or `None` if it was not serving.
    pub fn fail(&mut self, k: usize) -> Option<(u32, u32)> {
        let i = self.instances.get_mut(k)?;
        if !matches!(i.state, State::Running | State::Draining | State::Booting) {
            return None;
        }
        let busy = std::mem::take(&mut i.busy);
        i.state = State::Dead;
        Some((i.id, busy))
    }

    /// The failed instance `id` was noticed: it is gone (a replacement follows from
    /// [`ServerGroup::reconcile`]). False if it was not a failed instance.
    pub fn forget(&mut self, id: u32) -> bool {
        match self.find(id) {
            Some(k) if self.instances[k].state == State::Dead => {
                self.instances.remove(k);
                true
            }
            _ => false,
        }
    }

    /// The whole component went down: every instance with it.
    pub fn fail_all(&mut self) {
        self.instances.clear();
    }

    /// The component came back at `now`: the desired count, running at once. Returns how
    /// many instances that launched.
    pub fn restart(&mut self, now: SimTime) -> u32 {
        self.start_desired();
        self.cpu.changed(now);
        self.desired
    }

    /// Instances booting now.
    pub fn booting(&self) -> u32 {
        self.count(State::Booting)
    }

    /// Replaces every instance with the desired count, running (no boot: the run's start, or
    /// the component coming back).
    fn start_desired(&mut self) {
        self.instances.clear();
        for _ in 0..self.desired {
            let id = self.new_id();
            self.instances.push(Instance {
                id,
                state: State::Running,
                busy: 0,
                grows: false,
            });
        }
    }
}

/// How long one CPU datapoint averages, in whole seconds: a minute, or the shorter of the two
/// rules' times if one is shorter.
fn period_s(p: &Policy) -> u32 {
    let shortest = p.out_for.min(p.in_for).as_secs_f64().round() as u32;
    shortest.clamp(1, 60)
}

/// Per-second CPU figures folded into period averages, the recent ones kept. Periods that
/// began before the group last changed size are left out: they measured another group.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct Datapoints {
    sum: f64,
    seconds: u32,
    averages: std::collections::VecDeque<f64>,
    changed_at: SimTime,
}

/// Most datapoints kept: a day of minutes.
const MAX_DATAPOINTS: usize = 1_440;

impl Datapoints {
    /// Adds the figure of the second ending at `now`; true when that completed a period of
    /// `period` seconds.
    fn add(&mut self, now: SimTime, cpu: f64, period: u32) -> bool {
        self.sum += cpu;
        self.seconds += 1;
        if self.seconds < period {
            return false;
        }
        let began = now.saturating_since(SimTime::ZERO).as_secs_f64() - f64::from(period);
        let since_change = self
            .changed_at
            .saturating_since(SimTime::ZERO)
            .as_secs_f64();
        if began >= since_change - 1e-9 {
            if self.averages.len() == MAX_DATAPOINTS {
                self.averages.pop_front();
            }
            self.averages.push_back(self.sum / f64::from(self.seconds));
        }
        (self.sum, self.seconds) = (0.0, 0);
        true
    }

    /// Whether there are at least `n` averages and the last `n` all pass `test`.
    fn all_last(&self, n: usize, test: impl Fn(f64) -> bool) -> bool {
        self.averages.len() >= n && self.averages.iter().rev().take(n).all(|&c| test(c))
    }

    /// The group changed size at `now`: start judging afresh.
    fn changed(&mut self, now: SimTime) {
        self.averages.clear();
        self.changed_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn s(x: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(x)
    }

    /// The chapter's policy: 10–100 instances, +5 above 70 % for 5 min, −5 below 30 % for
    /// 10 min, with a 5 min cooldown.
    fn chapter() -> ServerGroup {
        ServerGroup::from_component(
            &Component::new("web", Kind::WebServer).with_choice("autoscale", "cpu"),
        )
    }

    #[test]
    fn the_chapter_policy_is_the_default() {
        let g = chapter();
        assert_eq!((g.min, g.max, g.desired, g.running()), (10, 100, 10, 10));
        let p = g.policy.unwrap();
        assert_eq!(
            (p.out_pct, p.out_step, p.in_pct, p.in_step),
            (70.0, 5, 30.0, 5)
        );
        assert_eq!(p.out_for, SimDuration::from_secs(300));
        assert_eq!(p.in_for, SimDuration::from_secs(600));
        let fixed = ServerGroup::from_component(
            &Component::new("web", Kind::WebServer).with("instances", 3.0),
        );
        assert_eq!((fixed.running(), fixed.policy), (3, None));
    }

    #[test]
    fn scales_out_after_five_hot_minutes_then_cools_down() {
        let mut g = chapter();
        // Hot from the first second: five one-minute averages above 70 % by 300 s.
        for t in 1..300 {
            assert_eq!(g.observe(s(t), 85.0), Decision::Hold, "{t}");
        }
        assert_eq!(g.observe(s(300), 85.0), Decision::Out { to: 15 });
        let (launched, drained) = g.reconcile();
        assert_eq!((launched.len(), drained), (5, 0));
        assert_eq!((g.running(), g.billed()), (10, 15));
        assert!(launched.iter().all(|&id| g.ready(id, s(300))));
        assert_eq!(g.running(), 15);
        // Still hot: five fresh minutes, and the cooldown (to 600 s), come first.
        for t in 301..600 {
            assert_eq!(g.observe(s(t), 85.0), Decision::Hold, "{t}");
        }
        assert_eq!(g.observe(s(600), 85.0), Decision::Out { to: 20 });
        // A cool minute breaks the run: (181–240 s averages 62 %).
        let mut g = chapter();
        for t in 1..=200 {
            g.observe(s(t), 85.0);
        }
        for t in 201..=240 {
            g.observe(s(t), 55.0);
        }
        for t in 241..540 {
            assert_eq!(g.observe(s(t), 85.0), Decision::Hold, "{t}");
        }
        assert_eq!(g.observe(s(540), 85.0), Decision::Out { to: 15 });
        // Noise within a minute averages out: alternating 60 % and 90 % seconds (75 %).
        let mut g = chapter();
        let out = (1..=300)
            .map(|t| g.observe(s(t), if t % 2 == 0 { 60.0 } else { 90.0 }))
            .position(|d| d != Decision::Hold);
        assert_eq!(out, Some(299));
    }

    #[test]
    fn scales_in_after_ten_cold_minutes_never_below_the_minimum() {
        let mut g = chapter();
        g.desired = 13;
        g.reconcile();
        assert_eq!(g.billed(), 13);
        for t in 1..600 {
            assert_eq!(g.observe(s(t), 10.0), Decision::Hold);
        }
        assert_eq!(g.observe(s(600), 10.0), Decision::In { to: 10 });
        // Three booting instances are the newest: they go first.
        let (launched, drained) = g.reconcile();
        assert_eq!((launched.len(), drained), (0, 3));
        assert_eq!((g.running(), g.billed()), (10, 10));
        for t in 601..3000 {
            assert_eq!(g.observe(s(t), 10.0), Decision::Hold, "at the minimum");
        }
    }

    #[test]
    fn draining_instances_finish_their_work_and_failed_ones_are_replaced() {
        let mut g = ServerGroup::from_component(
            &Component::new("web", Kind::WebServer).with("instances", 2.0),
        );
        let (a, b) = (g.pick().unwrap(), g.pick().unwrap());
        assert_ne!(a, b, "least busy first");
        let (ida, idb) = (g.instances[a].id, g.instances[b].id);
        g.desired = 1;
        assert_eq!(g.reconcile(), (vec![], 1));
        // The newest (b) drains: no new work, billed until its request is done.
        assert_eq!(g.running(), 1);
        assert_eq!(g.billed(), 2);
        assert!(g.alive(idb));
        assert!(g.release(idb), "drained and gone");
        assert_eq!(g.billed(), 1);
        // Instance a fails with its request: lost, and replaced once noticed.
        let k = g.find(ida).unwrap();
        assert_eq!(g.fail(k), Some((ida, 1)));
        assert!(!g.alive(ida));
        assert_eq!(g.running(), 0);
        assert_eq!(
            g.reconcile(),
            (vec![], 0),
            "not noticed yet: still counted as dead"
        );
        assert!(g.forget(ida));
        let (launched, _) = g.reconcile();
        assert_eq!(launched.len(), 1);
        assert!(g.ready(launched[0], s(1)));
        assert_eq!(g.running(), 1);
    }
}
