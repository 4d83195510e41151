//! How a page of the agents' list is found, and how its matches are counted: the plain list
//! walks its order's index; a search first asks the term index how common each word is and
//! then gathers the rarest word's tickets, or notes them and walks the order, or walks the
//! order testing each ticket (`SearchCosts`), as a cost-based planner would. Every statement
//! carries the agent's scope in its SQL.

use crate::domain::search::{Sample, SearchCosts, SearchPlan, SearchQuery, TermRange};
use crate::domain::{Name, Priority, Tier};
use crate::store::engine::{Row, Sql, query, query_scalar};
use crate::store::paging::{COUNT_LIMIT, ListCursor, ListOrder, priority_key, urgency_key};
use crate::store::scope::{AgentScope, in_scope};
use crate::store::terms::{desk_size, range_rows};
use crate::store::{StoreError, Tx};

use super::{AssigneeFilter, ListFilter};

/// Per engine: the JSON list `$4` as rows `r` (`*_ranges`), the test that the ticket holds a
/// term in one of them (`*_holds`), and what the statement starts with (`*_with`). On
/// PostgreSQL the list is expanded once (`with r`) rather than per ticket, and `offset 0` keeps
/// the test a seek on (ticket_id, term) per range: pulled up into a join, it read every term
/// of each ticket walked past (4× slower per ticket).
macro_rules! sqlite_with {
    () => {
        ""
    };
}
macro_rules! sqlite_ranges {
    () => {
        "json_each($4) r"
    };
}
macro_rules! sqlite_holds {
    () => {
        "x.term >= (r.value ->> 0) and x.term < (r.value ->> 1)"
    };
}
macro_rules! postgres_with {
    () => {
        "with r as materialized (select value ->> 0 as lo, value ->> 1 as hi \
         from jsonb_array_elements($4::jsonb)) "
    };
}
macro_rules! postgres_ranges {
    () => {
        "r"
    };
}
macro_rules! postgres_holds {
    () => {
        "x.term >= r.lo and x.term < r.hi offset 0"
    };
}

/// What a list shows of a ticket, and its order key.
macro_rules! columns {
    ($key:expr) => {
        concat!(
            "select t.id, t.reference, q.name as queue, t.tier, t.status, t.priority, t.subject, \
             t.created_at, t.updated_at, t.first_response_at, t.first_response_due, \
             t.resolution_due, t.sla_breaches, ag.name as assignee, t.queue_id, q.restricted, \
             (select is_owner from queue_members o where o.queue_id = t.queue_id and o.agent_id = $1) as owner, ",
            // Cast: PostgreSQL types a `case` of small literals as int4.
            "cast(",
            $key,
            " as bigint) as order_key"
        )
    };
}

/// Tickets, from the order's index (walked).
macro_rules! from_tickets {
    () => {
        " from tickets t join queues q on q.id = t.queue_id left join agents ag on ag.id = t.assignee_id"
    };
}

/// One agent's tickets (`$14` names the agent), from the index of tickets by assignee: a
/// short list to sort, where walking each queue's order would step past every ticket of
/// everyone else. `cross join` makes SQLite keep that order; PostgreSQL chooses by its
/// statistics.
macro_rules! from_assigned {
    ($join:literal) => {
        concat!(
            " from (select x.id from agents x where x.name = $14) me ",
            $join,
            " tickets t on t.assignee_id = me.id join queues q on q.id = t.queue_id \
             left join agents ag on ag.id = t.assignee_id"
        )
    };
}

/// Tickets, from the index rows of the rarest range (gathered). `cross join` makes SQLite
/// keep that order; PostgreSQL chooses by its statistics.
macro_rules! from_terms {
    ($join:literal) => {
        concat!(
            " from ticket_terms tt ",
            $join,
            " tickets t on t.id = tt.ticket_id join queues q on q.id = t.queue_id \
             left join agents ag on ag.id = t.assignee_id"
        )
    };
}

/// The filters of every list: scope (`$1`, the agent), queue (`$2`, or null), status
/// (`$3`), the searched ranges (`$4`, or null for no search): the ticket must hold a term
/// in each, a seek on (ticket_id, term) per range; then (`bind_filters!`) priority (`$11`),
/// tier (`$12`), assignee (`$13` any, nobody or agent `$14`) and the SLA-at-risk deadline
/// (`$15`: breached or due by then). These narrow a walk of the order's index without
/// changing it, so the page still stops after its rows. The deadline and the priority are
/// also plain upper bounds on the SLA and priority keys, so in those orders the walk ends at
/// them (and a priority filter starts at its priority: `ListFilter::start`).
macro_rules! filters {
    ($ranges:expr, $holds:expr) => {
        filters!("", $ranges, $holds)
    };
    ($first:expr, $ranges:expr, $holds:expr) => {
        concat!(
            " where ",
            $first,
            in_scope!(),
            " and ($2 is null or q.name = $2) \
             and ($3 in ('all', 'spam') \
                  or ($3 = 'active' and t.status not in ('resolved', 'closed')) \
                  or ($3 not in ('all', 'active', 'spam') and t.status = $3)) \
             and (t.spam = 1) = ($3 = 'spam') \
             and ($11 is null or t.priority = $11) \
             and ",
            priority_key!(),
            " <= coalesce(case $11 when 'P1' then 1 when 'P2' then 2 when 'P3' then 3 end, 4) \
             and (cast($12 as bigint) is null or t.tier = $12) \
             and ($13 = 'any' or ($13 = 'nobody' and t.assignee_id is null) \
                  or ($13 = 'agent' and ag.name = $14)) \
             and ",
            urgency_key!(),
            " <= coalesce(cast($15 as bigint), 9223372036854775807) \
             and ($4 is null or not exists (select 1 from ",
            $ranges,
            " where not exists (select 1 from ticket_terms x where x.ticket_id = t.id and ",
            $holds,
            ")))"
        )
    };
}

/// The rarest range's rows (`$from` ≤ term < `$before`), once per ticket: a ticket with
/// several terms in a prefix's range counts at its first.
macro_rules! rarest_rows {
    ($from:literal, $before:literal) => {
        concat!(
            " and tt.term >= ",
            $from,
            " and tt.term < ",
            $before,
            " and not exists (select 1 from ticket_terms d where d.ticket_id = tt.ticket_id \
             and d.term >= ",
            $from,
            " and d.term < tt.term)"
        )
    };
}

/// From the cursor (`$5` key, `$6` id), in the order, `$7` rows: `(key, id) > (…)` for
/// ascending orders, `<` for descending ones, spelled as `key >= $5 and (key > $5 or id > $6)`
/// because SQLite seeks an index on an expression for that form but not for a row value.
macro_rules! page_end {
    ($key:expr, $cmp:literal, $dir:literal) => {
        concat!(
            " and ",
            $key,
            " ",
            $cmp,
            "= $5 and (",
            $key,
            " ",
            $cmp,
            " $5 or t.id ",
            $cmp,
            " $6) order by ",
            $key,
            " ",
            $dir,
            ", t.id ",
            $dir,
            " limit $7"
        )
    };
}

/// Binds a list statement's filters `$11`…`$15` (see `filters!`), after nulls for the
/// numbers below them that this statement leaves unused (`$bound` is how many it bound).
macro_rules! bind_filters {
    ($statement:expr, $filter:expr, $bound:expr) => {{
        let mut statement = $statement;
        for _ in $bound..10 {
            statement = statement.bind(None::<i64>);
        }
        let filter: &ListFilter = $filter;
        statement
            .bind(filter.priority.map(Priority::id))
            .bind(filter.tier.map(Tier::get))
            .bind(filter.assignee.sql_mode())
            .bind(filter.assignee.sql_name())
            .bind(filter.due_by)
    }};
}

/// How one page of a list is found.
pub(super) enum Plan {
    /// The plain list: the order's index, walked from the cursor.
    List,
    /// Nothing can match: a search without a word, or with a word no ticket holds.
    Nothing,
    Search(ProbedSearch),
}

/// A search, with what probing the term index taught about its words.
pub(super) struct ProbedSearch {
    /// The range with the fewest index rows.
    rarest: TermRange,
    /// The other ranges, as the JSON list the statements expand (`[[from, before], …]`);
    /// `None` when there are none, which spares each gathered ticket a test.
    others: Option<String>,
    /// Every range, rarest first, so that a ticket failing a rare word is let go soonest.
    every: String,
    plan: SearchPlan,
    /// How many tickets match, when the sample tested every one of the rarest word's.
    exact: Option<i64>,
}

/// How many of the rarest word's tickets are tested against everything else before a plan is
/// chosen: a millisecond or so, and a search with no more rows than this is counted exactly.
const SAMPLE: i64 = 200;

/// Probes each word's range in the term index, counting no further than the point where the
/// plan stops changing (nor past the rarest word found so far), then tests a sample of the
/// rarest word's tickets against the scope, the filters and the other words.
pub(super) async fn plan_search(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    filter: &ListFilter,
    search: &SearchQuery,
    page: i64,
) -> Result<Plan, StoreError> {
    let costs = SearchCosts::new(desk_size(read).await?, page);
    let mut probed: Vec<(i64, &TermRange)> = Vec::new();
    let mut bound = costs.enough_rows();
    for range in search.ranges() {
        let rows = range_rows(read, range, bound).await?;
        if rows == 0 {
            return Ok(Plan::Nothing);
        }
        bound = bound.min(rows);
        probed.push((rows, range));
    }
    // Stable: a range counted only up to the bound ties with the one that set it, and stays
    // behind it.
    probed.sort_by_key(|(rows, _)| *rows);
    let Some(((rarest_rows, rarest), others)) = probed.split_first() else {
        return Ok(Plan::Nothing);
    };
    let others = (!others.is_empty()).then(|| ranges_json(others.iter().map(|(_, range)| *range)));
    let (plan, exact) = if *rarest_rows >= costs.enough_rows() {
        // Walked whatever a sample says; the count stops at the cap anyway.
        (SearchPlan::Walk, None)
    } else {
        let matched = sample_matches(read, scope, filter, rarest, others.as_deref()).await?;
        let sample = Sample {
            tested: (*rarest_rows).min(SAMPLE),
            matched,
        };
        let exact = (*rarest_rows <= SAMPLE).then_some(matched);
        (costs.plan(*rarest_rows, sample), exact)
    };
    Ok(Plan::Search(ProbedSearch {
        rarest: (*rarest).clone(),
        others,
        every: ranges_json(probed.iter().map(|(_, range)| *range)),
        plan,
        exact,
    }))
}

/// How many of the first `SAMPLE` tickets of `rarest` match the scope, the filters and the
/// `others` ranges.
async fn sample_matches(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    filter: &ListFilter,
    rarest: &TermRange,
    others: Option<&str>,
) -> Result<i64, StoreError> {
    macro_rules! sampled {
        ($join:literal) => {
            concat!(
                " from (select distinct n.ticket_id as id from ticket_terms n \
                 where n.term >= $5 and n.term < $6 limit $7) s ",
                $join,
                " tickets t on t.id = s.id join queues q on q.id = t.queue_id \
                 left join agents ag on ag.id = t.assignee_id"
            )
        };
    }
    let statement = query_scalar(Sql::dialects(
        concat!(
            sqlite_with!(),
            "select count(*)",
            sampled!("cross join"),
            filters!(sqlite_ranges!(), sqlite_holds!())
        ),
        concat!(
            postgres_with!(),
            "select count(*)",
            sampled!("join"),
            filters!(postgres_ranges!(), postgres_holds!())
        ),
    ))
    .bind(scope.agent_id)
    .bind(filter.queue.as_ref().map(Name::as_str))
    .bind(filter.status.sql_value())
    .bind(others)
    .bind(rarest.from.as_str())
    .bind(rarest.before.as_str())
    .bind(SAMPLE);
    Ok(bind_filters!(statement, filter, 7)
        .fetch_one(&mut **read)
        .await?)
}

/// Term ranges as the JSON list the statements expand.
fn ranges_json<'r>(ranges: impl Iterator<Item = &'r TermRange>) -> String {
    let pairs: Vec<[&str; 2]> = ranges
        .map(|r| [r.from.as_str(), r.before.as_str()])
        .collect();
    // A list of strings always serialises; the fallback only keeps `expect` out.
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

/// Walking the order within one queue (`$8`): the plain list, and a search for common words.
macro_rules! walk_sql {
    ($key:expr, $cmp:literal, $dir:literal) => {
        Sql::dialects(
            concat!(
                sqlite_with!(),
                columns!($key),
                from_tickets!(),
                filters!("t.queue_id = $8 and ", sqlite_ranges!(), sqlite_holds!()),
                page_end!($key, $cmp, $dir)
            ),
            concat!(
                postgres_with!(),
                columns!($key),
                from_tickets!(),
                filters!(
                    "t.queue_id = $8 and ",
                    postgres_ranges!(),
                    postgres_holds!()
                ),
                page_end!($key, $cmp, $dir)
            ),
        )
    };
}

/// Noting the rarest range's tickets (`$9`, `$10`: one read of the index, kept by the engine
/// for the statement), then walking the order within one queue (`$8`) and testing fully only
/// the noted ones. The `+`
/// keeps SQLite from reading the tickets through the notes instead of the order's index, and
/// the note is tested first, before the scope and the other words.
macro_rules! mark_sql {
    ($key:expr, $cmp:literal, $dir:literal) => {
        Sql::dialects(
            concat!(
                sqlite_with!(),
                columns!($key),
                from_tickets!(),
                filters!(
                    "t.queue_id = $8 and +t.id in (select n.ticket_id from ticket_terms n where n.term >= $9 and n.term < $10) and ",
                    sqlite_ranges!(),
                    sqlite_holds!()
                ),
                page_end!($key, $cmp, $dir)
            ),
            concat!(
                postgres_with!(),
                columns!($key),
                from_tickets!(),
                filters!(
                    "t.queue_id = $8 and t.id in (select n.ticket_id from ticket_terms n where n.term >= $9 and n.term < $10) and ",
                    postgres_ranges!(),
                    postgres_holds!()
                ),
                page_end!($key, $cmp, $dir)
            ),
        )
    };
}

/// Gathering the rarest range's tickets (`$9`, `$10`), then sorting them; `$8` is unused
/// (always null) so the numbering matches the walks'.
macro_rules! gather_sql {
    ($key:expr, $cmp:literal, $dir:literal) => {
        Sql::dialects(
            concat!(
                sqlite_with!(),
                columns!($key),
                from_terms!("cross join"),
                filters!(
                    "cast($8 as bigint) is null and ",
                    sqlite_ranges!(),
                    sqlite_holds!()
                ),
                rarest_rows!("$9", "$10"),
                page_end!($key, $cmp, $dir)
            ),
            concat!(
                postgres_with!(),
                columns!($key),
                from_terms!("join"),
                filters!(
                    "cast($8 as bigint) is null and ",
                    postgres_ranges!(),
                    postgres_holds!()
                ),
                rarest_rows!("$9", "$10"),
                page_end!($key, $cmp, $dir)
            ),
        )
    };
}

/// One agent's tickets (`from_assigned!`), filtered and sorted; `$8` is unused (always
/// null) so the numbering matches the walks'.
macro_rules! assigned_sql {
    ($key:expr, $cmp:literal, $dir:literal) => {
        Sql::dialects(
            concat!(
                sqlite_with!(),
                columns!($key),
                from_assigned!("cross join"),
                filters!(
                    "cast($8 as bigint) is null and ",
                    sqlite_ranges!(),
                    sqlite_holds!()
                ),
                page_end!($key, $cmp, $dir)
            ),
            concat!(
                postgres_with!(),
                columns!($key),
                from_assigned!("join"),
                filters!(
                    "cast($8 as bigint) is null and ",
                    postgres_ranges!(),
                    postgres_holds!()
                ),
                page_end!($key, $cmp, $dir)
            ),
        )
    };
}

fn assigned_statement(order: ListOrder) -> Sql {
    match order {
        ListOrder::Urgency => assigned_sql!(urgency_key!(), ">", "asc"),
        ListOrder::Priority => assigned_sql!(priority_key!(), ">", "asc"),
        ListOrder::Updated => assigned_sql!("t.updated_at", "<", "desc"),
        ListOrder::Created => assigned_sql!("t.created_at", "<", "desc"),
    }
}

/// The plain list of one agent's tickets ("mine", or a colleague's) reads them by assignee.
fn by_assignee(filter: &ListFilter, plan: &Plan) -> bool {
    matches!(plan, Plan::List) && matches!(filter.assignee, AssigneeFilter::Agent(_))
}

fn walk_statement(order: ListOrder) -> Sql {
    match order {
        ListOrder::Urgency => walk_sql!(urgency_key!(), ">", "asc"),
        ListOrder::Priority => walk_sql!(priority_key!(), ">", "asc"),
        ListOrder::Updated => walk_sql!("t.updated_at", "<", "desc"),
        ListOrder::Created => walk_sql!("t.created_at", "<", "desc"),
    }
}

fn mark_statement(order: ListOrder) -> Sql {
    match order {
        ListOrder::Urgency => mark_sql!(urgency_key!(), ">", "asc"),
        ListOrder::Priority => mark_sql!(priority_key!(), ">", "asc"),
        ListOrder::Updated => mark_sql!("t.updated_at", "<", "desc"),
        ListOrder::Created => mark_sql!("t.created_at", "<", "desc"),
    }
}

fn gather_statement(order: ListOrder) -> Sql {
    match order {
        ListOrder::Urgency => gather_sql!(urgency_key!(), ">", "asc"),
        ListOrder::Priority => gather_sql!(priority_key!(), ">", "asc"),
        ListOrder::Updated => gather_sql!("t.updated_at", "<", "desc"),
        ListOrder::Created => gather_sql!("t.created_at", "<", "desc"),
    }
}

/// Up to `rows` tickets from the cursor `from`, in the filter's order. A walk runs once in
/// each of the agent's queues (the filter's queue only, when it names one), each a seek on
/// that queue's index for the order, and the pages are merged: walking one index for all
/// queues would step past every ticket of the queues the agent is not in, which in SLA order
/// can be most of the desk.
pub(super) async fn page_rows(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    filter: &ListFilter,
    plan: &Plan,
    from: ListCursor,
    rows: i64,
) -> Result<Vec<Row>, StoreError> {
    let (sql, ranges, rarest, per_queue) = match plan {
        Plan::Nothing => return Ok(Vec::new()),
        Plan::List if by_assignee(filter, plan) => {
            (assigned_statement(filter.order), None, None, false)
        }
        Plan::List => (walk_statement(filter.order), None, None, true),
        Plan::Search(search) => match search.plan {
            SearchPlan::Walk => (
                walk_statement(filter.order),
                Some(search.every.as_str()),
                None,
                true,
            ),
            SearchPlan::MarkAndWalk => (
                mark_statement(filter.order),
                search.others.as_deref(),
                Some(&search.rarest),
                true,
            ),
            SearchPlan::Gather => (
                gather_statement(filter.order),
                search.others.as_deref(),
                Some(&search.rarest),
                false,
            ),
        },
    };
    let queues = match per_queue {
        true => member_queues(read, scope, filter)
            .await?
            .into_iter()
            .map(Some)
            .collect(),
        false => vec![None],
    };
    let mut found = Vec::new();
    for queue in queues {
        let mut statement = query(sql)
            .bind(scope.agent_id)
            .bind(filter.queue.as_ref().map(Name::as_str))
            .bind(filter.status.sql_value())
            .bind(ranges)
            .bind(from.key)
            .bind(from.id)
            .bind(rows)
            .bind(queue);
        if let Some(rarest) = rarest {
            statement = statement
                .bind(rarest.from.as_str())
                .bind(rarest.before.as_str());
        }
        let bound = if rarest.is_some() { 10 } else { 8 };
        found.extend(
            bind_filters!(statement, filter, bound)
                .fetch_all(&mut **read)
                .await?,
        );
    }
    if found.len() > 1 {
        let mut keyed = found
            .into_iter()
            .map(|row| {
                let key: i64 = row.try_get("order_key")?;
                let id: i64 = row.try_get("id")?;
                Ok(((key, id), row))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        keyed.sort_by_key(|(key, _)| *key);
        if filter.order.descending() {
            keyed.reverse();
        }
        found = keyed.into_iter().map(|(_, row)| row).collect();
    }
    found.truncate(usize::try_from(rows).unwrap_or(usize::MAX));
    Ok(found)
}

/// The queues a walk visits: the agent's memberships (the filter's queue only, when it names
/// one). Scope is still tested in every walk's SQL; this only chooses where to walk.
async fn member_queues(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    filter: &ListFilter,
) -> Result<Vec<i64>, StoreError> {
    Ok(query_scalar::<i64>(
        "select m.queue_id from queue_members m join queues q on q.id = m.queue_id \
         where m.agent_id = $1 and ($2 is null or q.name = $2) order by m.queue_id",
    )
    .bind(scope.agent_id)
    .bind(filter.queue.as_ref().map(Name::as_str))
    .fetch_all(&mut **read)
    .await?)
}

/// How many tickets match, counted no further than one past `COUNT_LIMIT`. A search counts
/// from its rarest range whichever plan found the page, so a common word costs about
/// `COUNT_LIMIT` steps and a rare one its few matches; nothing gathers every match.
pub(super) async fn count_matches(
    read: &mut Tx<'_>,
    scope: &AgentScope,
    filter: &ListFilter,
    plan: &Plan,
) -> Result<i64, StoreError> {
    let base = |sql: Sql, ranges: Option<&str>| {
        query_scalar::<i64>(sql)
            .bind(scope.agent_id)
            .bind(filter.queue.as_ref().map(Name::as_str))
            .bind(filter.status.sql_value())
            .bind(ranges.map(str::to_owned))
            .bind(COUNT_LIMIT + 1)
    };
    let counted = match plan {
        Plan::Nothing => 0,
        Plan::List if by_assignee(filter, plan) => {
            let statement = base(
                Sql::dialects(
                    concat!(
                        sqlite_with!(),
                        "select count(*) from (select 1",
                        from_assigned!("cross join"),
                        filters!(sqlite_ranges!(), sqlite_holds!()),
                        " limit $5) c"
                    ),
                    concat!(
                        postgres_with!(),
                        "select count(*) from (select 1",
                        from_assigned!("join"),
                        filters!(postgres_ranges!(), postgres_holds!()),
                        " limit $5) c"
                    ),
                ),
                None,
            );
            bind_filters!(statement, filter, 5)
                .fetch_one(&mut **read)
                .await?
        }
        Plan::List => {
            // Queue by queue, like the page: each count a seek on that queue's index.
            let mut counted = 0;
            for queue in member_queues(read, scope, filter).await? {
                let statement = base(
                    Sql::dialects(
                        concat!(
                            sqlite_with!(),
                            "select count(*) from (select 1",
                            from_tickets!(),
                            filters!("t.queue_id = $6 and ", sqlite_ranges!(), sqlite_holds!()),
                            " limit $5) c"
                        ),
                        concat!(
                            postgres_with!(),
                            "select count(*) from (select 1",
                            from_tickets!(),
                            filters!(
                                "t.queue_id = $6 and ",
                                postgres_ranges!(),
                                postgres_holds!()
                            ),
                            " limit $5) c"
                        ),
                    ),
                    None,
                )
                .bind(queue);
                counted += bind_filters!(statement, filter, 6)
                    .fetch_one(&mut **read)
                    .await?;
                if counted > COUNT_LIMIT {
                    break;
                }
            }
            counted
        }
        Plan::Search(ProbedSearch {
            exact: Some(matched),
            ..
        }) => *matched,
        Plan::Search(search) => {
            let statement = base(
                Sql::dialects(
                    concat!(
                        sqlite_with!(),
                        "select count(*) from (select 1",
                        from_terms!("cross join"),
                        filters!(sqlite_ranges!(), sqlite_holds!()),
                        rarest_rows!("$6", "$7"),
                        " limit $5) c"
                    ),
                    concat!(
                        postgres_with!(),
                        "select count(*) from (select 1",
                        from_terms!("join"),
                        filters!(postgres_ranges!(), postgres_holds!()),
                        rarest_rows!("$6", "$7"),
                        " limit $5) c"
                    ),
                ),
                search.others.as_deref(),
            )
            .bind(search.rarest.from.as_str())
            .bind(search.rarest.before.as_str());
            bind_filters!(statement, filter, 7)
                .fetch_one(&mut **read)
                .await?
        }
    };
    Ok(counted)
}
