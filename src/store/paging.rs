//! How agent lists are ordered and paged. Every order is an integer key and the ticket id,
//! so a page is found by seeking an index from where the previous page ended (keyset
//! pagination) instead of counting past the rows before it: the hundredth page costs what
//! the first does. Each key below has an index of the same expression
//! (`migrations/*/0018_list_orders.sql`); change them together.

/// The orders an agent can list tickets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Breached first (most overdue first), then by time left; resolved and closed last.
    #[default]
    Urgency,
    /// P1 first; oldest first within a priority.
    Priority,
    /// Most recently updated first.
    Updated,
    /// Newest first.
    Created,
}

impl ListOrder {
    pub const ALL: [ListOrder; 4] = [
        ListOrder::Urgency,
        ListOrder::Priority,
        ListOrder::Updated,
        ListOrder::Created,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ListOrder::Urgency => "urgency",
            ListOrder::Priority => "priority",
            ListOrder::Updated => "updated",
            ListOrder::Created => "created",
        }
    }

    /// Newest first: the orders by a time, which run from the highest key down.
    pub(super) fn descending(self) -> bool {
        matches!(self, ListOrder::Updated | ListOrder::Created)
    }

    /// Ascending orders start below every key, descending ones above.
    pub(super) fn start(self) -> ListCursor {
        let edge = if self.descending() {
            i64::MAX
        } else {
            i64::MIN
        };
        ListCursor {
            order: self,
            key: edge,
            id: edge,
        }
    }
}

impl std::str::FromStr for ListOrder {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        ListOrder::ALL
            .into_iter()
            .find(|order| order.id() == text)
            .ok_or(())
    }
}

/// Where a page ended: its order, its last row's order key and id. Not a secret (it names
/// no content, and scope is applied again on every page); written as `order.key.id` in
/// links, so that a cursor of one order is refused for another rather than read as a
/// position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    pub(super) order: ListOrder,
    pub(super) key: i64,
    pub(super) id: i64,
}

impl ListCursor {
    /// Before every row whose key is `key` in an ascending order.
    pub(super) fn just_before(order: ListOrder, key: i64) -> ListCursor {
        ListCursor {
            order,
            key: key - 1,
            id: i64::MAX,
        }
    }

    /// The order this cursor is a position in.
    pub fn order(&self) -> ListOrder {
        self.order
    }
}

impl std::fmt::Display for ListCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.order.id(), self.key, self.id)
    }
}

impl std::str::FromStr for ListCursor {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (order, position) = text.split_once('.').ok_or(())?;
        let (key, id) = position.split_once('.').ok_or(())?;
        Ok(ListCursor {
            order: order.parse()?,
            key: key.parse().map_err(|_| ())?,
            id: id.parse().map_err(|_| ())?,
        })
    }
}

/// How many tickets match a list's filters. Counting stops after `COUNT_LIMIT`, so a count
/// costs at most that many index steps however large the desk grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListTotal {
    Exactly(i64),
    MoreThan(i64),
}

pub(super) const COUNT_LIMIT: i64 = 1000;

impl ListTotal {
    pub(super) fn from_count(counted: i64) -> ListTotal {
        if counted > COUNT_LIMIT {
            ListTotal::MoreThan(COUNT_LIMIT)
        } else {
            ListTotal::Exactly(counted)
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct TicketPage {
    pub tickets: Vec<super::TicketSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<ListCursor>,
    pub total: ListTotal,
}

/// The SQL of an order: its key expression (the same text as its index), and the direction.
/// Kept as macros so that each statement stays one `&'static str`.
macro_rules! urgency_key {
    () => {
        "(case when t.status in ('resolved', 'closed') then 9223372036854775807 \
          when t.first_response_at is null and t.first_response_due is not null then t.first_response_due \
          else coalesce(t.resolution_due, 9223372036854775807) end)"
    };
}
macro_rules! priority_key {
    () => {
        "(case t.priority when 'P1' then 1 when 'P2' then 2 when 'P3' then 3 else 4 end)"
    };
}
pub(super) use {priority_key, urgency_key};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_anything_else() {
        let cursor = ListCursor {
            order: ListOrder::Priority,
            key: -5,
            id: 42,
        };
        assert_eq!(cursor.to_string(), "priority.-5.42");
        assert_eq!(cursor.to_string().parse::<ListCursor>(), Ok(cursor));
        for bad in [
            "",
            "1",
            "a.b",
            "1.2",
            "1.2.3",
            "urgency.1",
            "urgency.1.",
            "urgency..2",
            "urgency.1.2.3",
        ] {
            assert!(bad.parse::<ListCursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_order_reads_back_from_its_id() {
        for order in ListOrder::ALL {
            assert_eq!(order.id().parse::<ListOrder>(), Ok(order));
        }
        assert!("random".parse::<ListOrder>().is_err());
    }

    #[test]
    fn counts_stop_at_the_limit() {
        assert_eq!(ListTotal::from_count(3), ListTotal::Exactly(3));
        assert_eq!(
            ListTotal::from_count(COUNT_LIMIT),
            ListTotal::Exactly(COUNT_LIMIT)
        );
        assert_eq!(
            ListTotal::from_count(COUNT_LIMIT + 1),
            ListTotal::MoreThan(COUNT_LIMIT)
        );
    }
}
