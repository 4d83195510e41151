//! The shape of a migrated schema, read from SQLite's pragmas and PostgreSQL's catalogue
//! into one engine-neutral form, and the differences between two such shapes.
//!
//! Normalised on purpose (each is a translation rule of migrations/postgres/README.md):
//! - a column type becomes the class the store decodes it as: SQLite's `integer` affinity
//!   and PostgreSQL's `bigint` are both `Int64` (sqlx decodes `i64` from INT8 only, so a
//!   PostgreSQL `integer` or `boolean` is a difference, not an equivalent);
//! - a primary-key column counts as not null (PostgreSQL enforces it; SQLite only for an
//!   `integer primary key`, a legacy quirk the store never relies on);
//! - SQLite's `integer primary key` (a rowid alias) and a PostgreSQL identity column are both
//!   an id the database assigns (a rowid alias that is also a foreign key is not: its value
//!   always comes from the parent row);
//! - unique constraints and indexes are compared by their column lists, since the engines
//!   name the indexes behind constraints differently; the primary key is compared on its own.
//!
//! Check constraints are compared by what they mention (columns and literals), since the
//! engines rewrite their expressions too differently to compare them as text:
//! `kind in ('contact', 'pgp_key')` and `kind = ANY (ARRAY['contact'::text, 'pgp_key'::text])`
//! both mention `kind`, `'contact'` and `'pgp_key'`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Row};

/// Tables by name; sqlx's own `_sqlx_migrations` is left out (its layout differs by engine).
pub type Schema = BTreeMap<String, Table>;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// Unique constraints and indexes other than the primary key's.
    pub indexes: BTreeSet<Index>,
    /// The table's check constraints, sorted.
    pub checks: Vec<Check>,
}

/// What a check constraint mentions: the table's columns it reads and its literals.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Check {
    pub columns: BTreeSet<String>,
    pub literals: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub class: TypeClass,
    pub not_null: bool,
    /// The default as written, without PostgreSQL's `::type` casts.
    pub default: Option<String>,
    pub assigned_id: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeClass {
    Int64,
    Text,
    Bytes,
    Real,
    /// Anything else, by the engine's own name (never equal across engines by accident).
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
    /// `cascade`, `set null`, `no action`, `restrict` or `set default`.
    pub on_delete: String,
    pub on_update: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// Column names in index order; an expression appears as `<expression>`.
    pub columns: Vec<String>,
    pub unique: bool,
    pub partial: bool,
}

const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

pub async fn sqlite_schema(db: &mut SqliteConnection) -> Result<Schema> {
    let names: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_schema where type = 'table' \
         and name not like 'sqlite\\_%' escape '\\' and name <> $1 order by name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut *db)
    .await?;
    let mut schema = Schema::new();
    for name in names {
        let table = sqlite_table(db, &name)
            .await
            .with_context(|| format!("reading table {name} from SQLite"))?;
        schema.insert(name, table);
    }
    Ok(schema)
}

async fn sqlite_table(db: &mut SqliteConnection, name: &str) -> Result<Table> {
    let (columns, primary_key) = sqlite_columns(db, name).await?;
    let mut table = Table {
        columns,
        primary_key,
        foreign_keys: sqlite_foreign_keys(db, name).await?,
        indexes: sqlite_indexes(db, name).await?,
        checks: Vec::new(),
    };
    // A lone `integer primary key` column is the rowid: SQLite assigns it when an insert
    // leaves it out. One that is also a foreign key (`ticket_keys.ticket_id`) always gets
    // its parent's id, so nothing is assigned in practice.
    let declared: Option<String> = sqlx::query_scalar(
        "select type from pragma_table_info($1) where pk > 0 and (select count(*) \
         from pragma_table_info($1) where pk > 0) = 1",
    )
    .bind(name)
    .fetch_optional(&mut *db)
    .await?;
    if let (Some(declared), [column]) = (declared, table.primary_key.as_slice())
        && declared.eq_ignore_ascii_case("integer")
        && !table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.contains(column))
        && let Some(c) = table.columns.get_mut(column)
    {
        c.assigned_id = true;
    }
    let sql: String = sqlx::query_scalar("select sql from sqlite_schema where name = $1")
        .bind(name)
        .fetch_one(&mut *db)
        .await?;
    table.checks = sqlite_checks(&sql, &table.columns);
    Ok(table)
}

/// The columns, and the primary key in key order.
async fn sqlite_columns(
    db: &mut SqliteConnection,
    table: &str,
) -> Result<(BTreeMap<String, Column>, Vec<String>)> {
    let rows = sqlx::query(
        "select name, type, \"notnull\", dflt_value, pk from pragma_table_info($1) order by cid",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    let mut columns = BTreeMap::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    for row in &rows {
        let name: String = row.try_get("name")?;
        let pk: i64 = row.try_get("pk")?;
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        let column = Column {
            class: sqlite_class(&row.try_get::<String, _>("type")?),
            not_null: row.try_get::<i64, _>("notnull")? != 0 || pk > 0,
            default: row.try_get("dflt_value")?,
            assigned_id: false,
        };
        columns.insert(name, column);
    }
    key.sort();
    Ok((columns, key.into_iter().map(|(_, c)| c).collect()))
}

async fn sqlite_foreign_keys(
    db: &mut SqliteConnection,
    table: &str,
) -> Result<BTreeSet<ForeignKey>> {
    let rows = sqlx::query(
        "select id, \"table\", \"from\", \"to\", on_update, on_delete \
         from pragma_foreign_key_list($1) order by id, seq",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    // One row per column of each key, grouped by the key's id.
    let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    for row in &rows {
        let fk = by_id
            .entry(row.try_get("id")?)
            .or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                parent: String::new(),
                parent_columns: Vec::new(),
                on_delete: String::new(),
                on_update: String::new(),
            });
        fk.parent = row.try_get("table")?;
        fk.columns.push(row.try_get("from")?);
        // `references t` without columns means t's primary key; resolved below.
        if let Some(to) = row.try_get::<Option<String>, _>("to")? {
            fk.parent_columns.push(to);
        }
        fk.on_delete = row.try_get::<String, _>("on_delete")?.to_lowercase();
        fk.on_update = row.try_get::<String, _>("on_update")?.to_lowercase();
    }
    let mut keys = BTreeSet::new();
    for mut fk in by_id.into_values() {
        if fk.parent_columns.is_empty() {
            fk.parent_columns = sqlite_columns(db, &fk.parent).await?.1;
        }
        keys.insert(fk);
    }
    Ok(keys)
}

async fn sqlite_indexes(db: &mut SqliteConnection, table: &str) -> Result<BTreeSet<Index>> {
    let rows = sqlx::query(
        "select name, \"unique\", partial from pragma_index_list($1) where origin <> 'pk'",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    let mut indexes = BTreeSet::new();
    for row in &rows {
        let columns: Vec<Option<String>> =
            sqlx::query_scalar("select name from pragma_index_info($1) order by seqno")
                .bind(row.try_get::<String, _>("name")?)
                .fetch_all(&mut *db)
                .await?;
        indexes.insert(Index {
            columns: columns
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".into()))
                .collect(),
            unique: row.try_get::<i64, _>("unique")? != 0,
            partial: row.try_get::<i64, _>("partial")? != 0,
        });
    }
    Ok(indexes)
}

/// The check constraints in a `create table` statement as SQLite keeps it (it appends the
/// definitions of added columns to that text); `--` comments are skipped.
fn sqlite_checks(create_table: &str, columns: &BTreeMap<String, Column>) -> Vec<Check> {
    let code: String = create_table
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    // ASCII lowercasing keeps byte offsets, so positions found here index `code` too.
    let lower = code.to_ascii_lowercase();
    let mut checks: Vec<Check> = lower
        .match_indices("check")
        .filter_map(|(at, word)| {
            let before = lower[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let rest = code[at + word.len()..].trim_start();
            rest.starts_with('(')
                .then(|| check_of(parenthesised(rest), columns))
        })
        .collect();
    checks.sort();
    checks
}

/// The text inside the parentheses `text` starts with, quotes respected.
fn parenthesised(text: &str) -> &str {
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[1..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// The columns and literals an expression mentions, in either engine's spelling. Casts
/// (`::text`, PostgreSQL's addition) are dropped first: `text` is also a column name here.
fn check_of(expression: &str, columns: &BTreeMap<String, Column>) -> Check {
    let mut check = Check {
        columns: BTreeSet::new(),
        literals: BTreeSet::new(),
    };
    let mut rest = expression;
    let mut unquoted = String::new();
    while let Some(start) = rest.find('\'') {
        unquoted.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('\'').unwrap_or(after.len());
        check.literals.insert(format!("'{}'", &after[..end]));
        unquoted.push(' ');
        rest = after.get(end + 1..).unwrap_or("");
    }
    unquoted.push_str(rest);
    let words: Vec<&str> = unquoted
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .collect();
    for word in words {
        let word = word.split("::").next().unwrap_or("").to_ascii_lowercase();
        if columns.contains_key(&word) {
            check.columns.insert(word);
        } else if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
            check.literals.insert(word);
        }
    }
    check
}

/// SQLite's type-affinity rules (https://sqlite.org/datatype3.html, 3.1), as classes.
fn sqlite_class(declared: &str) -> TypeClass {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        TypeClass::Int64
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|s| t.contains(s)) {
        TypeClass::Text
    } else if t.contains("BLOB") || t.is_empty() {
        TypeClass::Bytes
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|s| t.contains(s)) {
        TypeClass::Real
    } else {
        TypeClass::Other(format!("sqlite {declared}"))
    }
}

pub async fn postgres_schema(db: &mut PgConnection) -> Result<Schema> {
    let names: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relname <> $1 \
         order by 1",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut *db)
    .await?;
    let mut schema = Schema::new();
    for name in names {
        let table = postgres_table(db, &name)
            .await
            .with_context(|| format!("reading table {name} from PostgreSQL"))?;
        schema.insert(name, table);
    }
    Ok(schema)
}

async fn postgres_table(db: &mut PgConnection, name: &str) -> Result<Table> {
    let columns = postgres_columns(db, name).await?;
    let (primary_key, foreign_keys) = postgres_keys(db, name).await?;
    let definitions: Vec<String> = sqlx::query_scalar(
        "select pg_get_constraintdef(oid) from pg_constraint \
         where conrelid = $1::regclass and contype = 'c'",
    )
    .bind(name)
    .fetch_all(&mut *db)
    .await?;
    let mut checks: Vec<Check> = definitions
        .iter()
        .map(|definition| check_of(definition, &columns))
        .collect();
    checks.sort();
    Ok(Table {
        columns,
        primary_key,
        foreign_keys,
        indexes: postgres_indexes(db, name).await?,
        checks,
    })
}

async fn postgres_columns(db: &mut PgConnection, table: &str) -> Result<BTreeMap<String, Column>> {
    let rows = sqlx::query(
        "select column_name::text as name, data_type::text as data_type, \
         is_nullable = 'NO' as not_null, column_default::text as dflt, \
         is_identity = 'YES' or coalesce(column_default like 'nextval(%', false) as assigned \
         from information_schema.columns \
         where table_schema = current_schema() and table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    let mut columns = BTreeMap::new();
    for row in &rows {
        let assigned_id: bool = row.try_get("assigned")?;
        // An identity's sequence is how PostgreSQL assigns ids, not a default to compare.
        let default = match assigned_id {
            true => None,
            false => row.try_get::<Option<String>, _>("dflt")?,
        };
        let column = Column {
            class: postgres_class(row.try_get("data_type")?),
            not_null: row.try_get("not_null")?,
            default: default.map(|d| without_casts(&d)),
            assigned_id,
        };
        columns.insert(row.try_get("name")?, column);
    }
    Ok(columns)
}

/// SQL for the column names of a constraint's or index's `keys` (attribute numbers of
/// relation `rel`), in key order; an expression's 0 becomes `<expression>`.
fn key_columns(keys: &str, rel: &str) -> String {
    format!(
        "array(select coalesce(a.attname::text, '<expression>') \
         from unnest({keys}) with ordinality k(attnum, ord) \
         left join pg_attribute a on a.attrelid = {rel} and a.attnum = k.attnum \
         order by k.ord)::text[]"
    )
}

/// The primary key and the foreign keys.
async fn postgres_keys(
    db: &mut PgConnection,
    table: &str,
) -> Result<(Vec<String>, BTreeSet<ForeignKey>)> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "select c.contype::text as kind, {own} as columns, \
         c.confrelid::regclass::text as parent, {parent} as parent_columns, \
         c.confdeltype::text as on_delete, c.confupdtype::text as on_update \
         from pg_constraint c where c.conrelid = $1::regclass and c.contype in ('p', 'f')",
        own = key_columns("c.conkey", "c.conrelid"),
        parent = key_columns("c.confkey", "c.confrelid"),
    )))
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    let mut primary_key = Vec::new();
    let mut foreign_keys = BTreeSet::new();
    for row in &rows {
        let columns: Vec<String> = row.try_get("columns")?;
        if row.try_get::<String, _>("kind")? == "p" {
            primary_key = columns;
            continue;
        }
        foreign_keys.insert(ForeignKey {
            columns,
            parent: row.try_get("parent")?,
            parent_columns: row.try_get("parent_columns")?,
            on_delete: postgres_action(&row.try_get::<String, _>("on_delete")?)?,
            on_update: postgres_action(&row.try_get::<String, _>("on_update")?)?,
        });
    }
    Ok((primary_key, foreign_keys))
}

async fn postgres_indexes(db: &mut PgConnection, table: &str) -> Result<BTreeSet<Index>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "select {columns} as columns, ix.indisunique as is_unique, \
         ix.indpred is not null as partial \
         from pg_index ix where ix.indrelid = $1::regclass and not ix.indisprimary",
        columns = key_columns("ix.indkey::int2[]", "ix.indrelid"),
    )))
    .bind(table)
    .fetch_all(&mut *db)
    .await?;
    let mut indexes = BTreeSet::new();
    for row in &rows {
        indexes.insert(Index {
            columns: row.try_get("columns")?,
            unique: row.try_get("is_unique")?,
            partial: row.try_get("partial")?,
        });
    }
    Ok(indexes)
}

fn postgres_class(data_type: String) -> TypeClass {
    match data_type.as_str() {
        "bigint" => TypeClass::Int64,
        "text" | "character varying" => TypeClass::Text,
        "bytea" => TypeClass::Bytes,
        "double precision" => TypeClass::Real,
        _ => TypeClass::Other(format!("postgres {data_type}")),
    }
}

/// `pg_constraint.confdeltype` / `confupdtype` codes, in SQLite's words.
fn postgres_action(code: &str) -> Result<String> {
    Ok(match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => return Err(anyhow::anyhow!("unknown referential action {other:?}")),
    }
    .to_string())
}

/// `'new'::text` → `'new'`: PostgreSQL records the type of a default, SQLite only its text.
fn without_casts(default: &str) -> String {
    let mut d = default.trim();
    while let Some(cast) = d.rfind("::") {
        let tail = &d[cast + 2..];
        if tail.chars().all(|c| c.is_ascii_lowercase() || c == ' ') {
            d = d[..cast].trim_end();
        } else {
            break;
        }
    }
    d.to_string()
}

/// Every difference between two schemas, one readable line each; empty when they match.
pub fn differences(left: (&str, &Schema), right: (&str, &Schema)) -> Vec<String> {
    let ((l, left), (r, right)) = (left, right);
    let mut out = Vec::new();
    for (name, table) in left {
        let Some(other) = right.get(name) else {
            out.push(format!("table {name}: only in {l}"));
            continue;
        };
        for (column, shape) in &table.columns {
            match other.columns.get(column) {
                None => out.push(format!("table {name}: column {column} only in {l}")),
                Some(o) if o != shape => out.push(format!(
                    "table {name}: column {column} is {shape:?} in {l} but {o:?} in {r}"
                )),
                Some(_) => {}
            }
        }
        for column in other.columns.keys() {
            if !table.columns.contains_key(column) {
                out.push(format!("table {name}: column {column} only in {r}"));
            }
        }
        if table.primary_key != other.primary_key {
            out.push(format!(
                "table {name}: primary key {:?} in {l} but {:?} in {r}",
                table.primary_key, other.primary_key
            ));
        }
        for fk in table.foreign_keys.difference(&other.foreign_keys) {
            out.push(format!("table {name}: foreign key {fk:?} only in {l}"));
        }
        for fk in other.foreign_keys.difference(&table.foreign_keys) {
            out.push(format!("table {name}: foreign key {fk:?} only in {r}"));
        }
        for index in table.indexes.difference(&other.indexes) {
            out.push(format!("table {name}: index {index:?} only in {l}"));
        }
        for index in other.indexes.difference(&table.indexes) {
            out.push(format!("table {name}: index {index:?} only in {r}"));
        }
        if table.checks != other.checks {
            out.push(format!(
                "table {name}: checks {:?} in {l} but {:?} in {r}",
                table.checks, other.checks
            ));
        }
    }
    for name in right.keys() {
        if !left.contains_key(name) {
            out.push(format!("table {name}: only in {r}"));
        }
    }
    out
}

/// Every row of every table, each value as text (`cast(… as text)` means the same on both
/// engines for integers and text), sorted here rather than by the engines' collations:
/// what the migrations themselves inserted.
pub async fn seeded_rows_sqlite(
    db: &mut SqliteConnection,
    schema: &Schema,
) -> Result<BTreeMap<String, Vec<Vec<Option<String>>>>> {
    let mut out = BTreeMap::new();
    for (table, sql) in row_queries(schema) {
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut *db)
            .await
            .with_context(|| format!("reading {table}"))?;
        out.insert(table, rows_as_text(&rows)?);
    }
    Ok(out)
}

pub async fn seeded_rows_postgres(
    db: &mut PgConnection,
    schema: &Schema,
) -> Result<BTreeMap<String, Vec<Vec<Option<String>>>>> {
    let mut out = BTreeMap::new();
    for (table, sql) in row_queries(schema) {
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut *db)
            .await
            .with_context(|| format!("reading {table}"))?;
        out.insert(table, rows_as_text(&rows)?);
    }
    Ok(out)
}

fn row_queries(schema: &Schema) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|(table, shape)| {
            let columns: Vec<String> = shape
                .columns
                .keys()
                .map(|c| format!("cast(\"{c}\" as text)"))
                .collect();
            let sql = format!("select {} from \"{table}\"", columns.join(", "));
            (table.clone(), sql)
        })
        .collect()
}

fn rows_as_text<R: Row>(rows: &[R]) -> Result<Vec<Vec<Option<String>>>>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut values = rows
        .iter()
        .map(|row| {
            (0..row.len())
                .map(|i| Ok(row.try_get::<Option<String>, _>(i)?))
                .collect()
        })
        .collect::<Result<Vec<Vec<_>>>>()?;
    values.sort();
    Ok(values)
}
