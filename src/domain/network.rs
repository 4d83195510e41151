//! Connection slots per client network, so that one network cannot take every HTTP
//! connection or mail session. Networks are kept in memory only, as masked addresses, and
//! never logged.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};

/// The network a peer belongs to for connection caps: its IPv4 /24 or its IPv6 /64. An
/// IPv4-mapped IPv6 address counts as the IPv4 address it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network(IpAddr);

impl Network {
    pub fn of(peer: IpAddr) -> Network {
        match peer {
            IpAddr::V4(v4) => Network::v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Network::v4(v4),
                None => {
                    let [a, b, c, d, ..] = v6.segments();
                    Network(IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0)))
                }
            },
        }
    }

    fn v4(v4: Ipv4Addr) -> Network {
        let [a, b, c, _] = v4.octets();
        Network(IpAddr::V4(Ipv4Addr::new(a, b, c, 0)))
    }
}

/// Open sessions per network, up to a cap.
#[derive(Debug)]
pub struct NetworkSlots {
    per_network: usize,
    open: Mutex<HashMap<Network, usize>>,
}

/// One taken slot; dropping it frees the slot.
#[derive(Debug)]
pub struct NetworkSlot {
    slots: Arc<NetworkSlots>,
    network: Network,
}

impl NetworkSlots {
    pub fn new(per_network: usize) -> Arc<NetworkSlots> {
        Arc::new(NetworkSlots {
            per_network,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for `network`, or `None` when it already holds its share.
    pub fn try_take(self: &Arc<Self>, network: Network) -> Option<NetworkSlot> {
        let mut open = self.lock();
        let count = open.entry(network).or_insert(0);
        if *count >= self.per_network {
            return None;
        }
        *count += 1;
        Some(NetworkSlot {
            slots: self.clone(),
            network,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Network, usize>> {
        // The map holds plain counters, so it is consistent even after a panic elsewhere.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for NetworkSlot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        if let Some(count) = open.get_mut(&self.network) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.network);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        Network::of(text.parse().unwrap())
    }

    #[test]
    fn ipv4_is_keyed_by_slash_24_and_ipv6_by_slash_64() {
        assert_eq!(net("192.0.2.1"), net("192.0.2.254"));
        assert_ne!(net("192.0.2.1"), net("192.0.3.1"));
        assert_eq!(net("2001:db8:1:2::1"), net("2001:db8:1:2:ffff::9"));
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("::ffff:192.0.2.7"), net("192.0.2.200"));
        assert_ne!(net("127.0.0.1"), net("10.0.0.1"));
    }

    #[test]
    fn a_full_network_does_not_block_another_and_slots_come_back() {
        let slots = NetworkSlots::new(2);
        let a = net("198.51.100.1");
        let first = slots.try_take(a).unwrap();
        let _second = slots.try_take(a).unwrap();
        assert!(slots.try_take(net("198.51.100.99")).is_none());
        assert!(slots.try_take(net("203.0.113.5")).is_some());
        drop(first);
        assert!(slots.try_take(a).is_some());
    }
}
