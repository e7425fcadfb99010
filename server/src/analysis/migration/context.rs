//! One pass over a migration's operations computing what each one runs under.

use super::{ConstraintKind, LockMode, Locked, Migration, Name, Op, OpAt, OpKind};

/// The state of the session when a statement starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Inside an explicit `BEGIN` or a transaction the runner opens.
    pub in_transaction: bool,
    /// Which transaction, numbered from 0 in file order (the runner's, if it
    /// opens one, is 0); `None` outside any.
    pub transaction: Option<u32>,
    /// A non-zero `lock_timeout` is in force.
    pub lock_timeout: bool,
    /// A non-zero `statement_timeout` is in force.
    pub statement_timeout: bool,
    /// The session's `TimeZone` is UTC, so `timestamp` → `timestamptz` needs
    /// no rewrite (PostgreSQL 12+).
    pub timezone_utc: bool,
    /// The first ACCESS EXCLUSIVE lock this transaction took on a relation
    /// other sessions use (held until commit), as a position in
    /// [`Migration::blocking_locks`].
    pub access_exclusive: Option<u32>,
    /// The same for any lock that blocks writes (SHARE ROW EXCLUSIVE or
    /// stronger).
    pub write_lock: Option<u32>,
}

/// A setting's state: set for the session, or for the current transaction only.
#[derive(Default, Clone, Copy)]
struct Timeout {
    session: bool,
    local: Option<bool>,
}

impl Timeout {
    fn in_force(self) -> bool {
        self.local.unwrap_or(self.session)
    }
}

/// The settings the rules care about.
#[derive(Default, Clone, Copy)]
struct SessionSettings {
    lock_timeout: Timeout,
    statement_timeout: Timeout,
    timezone_utc: Timeout,
}

impl SessionSettings {
    fn set(&mut self, name: &str, value: Option<&str>, local: bool, has_transaction: bool) {
        let (timeout, enabled) = match name {
            "lock_timeout" => (
                &mut self.lock_timeout,
                value.is_some_and(is_nonzero_duration),
            ),
            "statement_timeout" => (
                &mut self.statement_timeout,
                value.is_some_and(is_nonzero_duration),
            ),
            // `SET TIME ZONE 'UTC'` (the lowering reads `time` as the name).
            "timezone" | "time" => (&mut self.timezone_utc, value.is_some_and(is_utc)),
            _ => return,
        };
        match (local, has_transaction) {
            (true, true) => timeout.local = Some(enabled),
            (true, false) => {}
            (false, _) => {
                timeout.session = enabled;
                timeout.local = None;
            }
        }
    }
}

#[derive(Default)]
struct Session {
    transaction: Option<u32>,
    transactions_seen: u32,
    /// The `BEGIN` that opened the current transaction, if one did.
    begin_at: Option<usize>,
    access_exclusive: Option<u32>,
    write_lock: Option<u32>,
    settings: SessionSettings,
    /// The settings when the current transaction began: a `ROLLBACK` undoes
    /// even the plain `SET`s made inside it.
    settings_at_begin: SessionSettings,
}

impl Session {
    fn begin(&mut self, at: Option<usize>) {
        if self.transaction.is_none() {
            self.transaction = Some(self.transactions_seen);
            self.transactions_seen += 1;
            self.begin_at = at;
            self.settings_at_begin = self.settings;
        }
    }

    fn commit(&mut self) {
        self.transaction = None;
        self.begin_at = None;
        self.access_exclusive = None;
        self.write_lock = None;
        self.settings.lock_timeout.local = None;
        self.settings.statement_timeout.local = None;
        self.settings.timezone_utc.local = None;
    }

    fn rollback(&mut self) {
        if self.transaction.is_some() {
            self.settings = self.settings_at_begin;
        }
        self.commit();
    }

    /// Remembers the transaction's first write-blocking and ACCESS EXCLUSIVE
    /// locks among `locks[new..]` (held until it ends).
    fn hold(&mut self, locks: &[Locked<'_>], new: usize) {
        if self.transaction.is_none() {
            return;
        }
        for (position, locked) in locks.iter().enumerate().skip(new) {
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            if locked.lock >= LockMode::ShareRowExclusive {
                self.write_lock.get_or_insert(position);
            }
            if locked.lock == LockMode::AccessExclusive {
                self.access_exclusive.get_or_insert(position);
            }
        }
    }

    /// Follows transaction control and the settings the rules care about.
    fn apply(&mut self, kind: &OpKind, index: usize, runner_transaction: Option<bool>) {
        match kind {
            OpKind::Begin => self.begin(Some(index)),
            OpKind::Commit => self.commit(),
            OpKind::Rollback => self.rollback(),
            OpKind::RunnerTransaction { open: false } => self.commit(),
            OpKind::RunnerTransaction { open: true } => self.begin(None),
            OpKind::Set {
                name, value: None, ..
            } if name == "all" => self.settings = SessionSettings::default(),
            OpKind::Set { name, value, local } => {
                // SET LOCAL outside any transaction is a no-op; when the runner's
                // behaviour is unknown, trust that it opens one.
                let has_transaction = self.transaction.is_some() || runner_transaction.is_none();
                self.settings
                    .set(name, value.as_deref(), *local, has_transaction);
            }
            _ => {}
        }
    }

    fn context(&self) -> Context {
        let settings = &self.settings;
        Context {
            in_transaction: self.transaction.is_some(),
            transaction: self.transaction,
            lock_timeout: settings.lock_timeout.in_force(),
            statement_timeout: settings.statement_timeout.in_force(),
            timezone_utc: settings.timezone_utc.in_force(),
            access_exclusive: self.access_exclusive,
            write_lock: self.write_lock,
        }
    }
}

pub(super) fn analyze<'a>(m: &mut Migration<'a>) {
    let runner_transaction = m.settings.in_transaction;
    let mut session = Session::default();
    if runner_transaction == Some(true) {
        session.begin(None);
    }
    let mut blocking = Vec::new();
    let total = m.statements.iter().map(|s| s.ops.len()).sum::<usize>();
    m.ops.reserve(total);
    let mut tags = Vec::with_capacity(total);
    for (index, statement) in m.statements.iter().enumerate() {
        let context = session.context();
        m.contexts.push(context);
        for op in statement.ops.iter() {
            // One pass: the operation is flattened and indexed here, while its
            // statement is in cache (the walk is bound by memory, not by work).
            let new_relation = m.works_on_new_relation(index, op);
            let position = u32::try_from(m.ops.len()).unwrap_or(u32::MAX);
            tags.push(op.kind.tag());
            let at = OpAt {
                index,
                statement,
                op,
                context,
                new_relation,
            };
            m.ops.push(at);
            let first_lock = blocking.len();
            push_blocking_locks(m, position, at, &mut blocking);
            session.hold(&blocking, first_lock);
            session.apply(&op.kind, index, runner_transaction);
            record_created(m, op, index);
        }
    }
    m.unclosed_begin = session.begin_at;
    m.blocking = blocking;
    m.by_tag = super::TagIndex::build(&tags);
}

/// Records the relations and schemas `op` creates, for the operations after it.
fn record_created<'a>(m: &mut Migration<'a>, op: &'a Op, index: usize) {
    match &op.kind {
        // A view or sequence created here is as new as a table: nobody uses
        // it yet.
        OpKind::CreateTable { .. }
        | OpKind::CreateSequence { .. }
        | OpKind::CreateView {
            or_replace: false, ..
        } => {
            if let Some(table) = &op.table {
                m.created_tables.record(table, index);
            }
        }
        OpKind::CreateSchema { name, .. } => {
            m.created_schemas.entry(name).or_insert(index);
        }
        // Dropping an index later locks its table: harmless only when the
        // table itself is new.
        OpKind::CreateIndex {
            name: Some(name), ..
        } if op.table.as_ref().is_some_and(|t| m.is_new_table(t, index)) => {
            m.created_indexes.entry(name).or_insert(index);
        }
        _ => {}
    }
}

/// The locks `at` takes that block reads or writes on relations other
/// sessions use.
fn push_blocking_locks<'a>(
    m: &Migration<'a>,
    position: u32,
    at: OpAt<'a>,
    out: &mut Vec<Locked<'a>>,
) {
    let op: &'a Op = at.op;
    if let Some(lock) = op.lock()
        && lock.is_dangerous()
        && !at.new_relation
    {
        out.push(Locked {
            position,
            lock,
            table: op.table.as_ref(),
        });
    }
    let existing = |table: &Name| !m.is_new_table(table, at.index);
    match &op.kind {
        // The referenced table is locked even when the referencing one is new;
        // on an existing one the statement already counts once.
        OpKind::CreateTable { references, .. } => {
            if let Some(parent) = references.iter().find(|parent| existing(parent)) {
                out.push(Locked {
                    position,
                    lock: LockMode::ShareRowExclusive,
                    table: Some(parent),
                });
            }
        }
        OpKind::AddConstraint {
            kind: ConstraintKind::ForeignKey { references },
            ..
        } if at.new_relation && existing(references) => out.push(Locked {
            position,
            lock: LockMode::ShareRowExclusive,
            table: Some(references),
        }),
        // The partition is scanned for its bound under ACCESS EXCLUSIVE.
        OpKind::AttachPartition { partition } if existing(partition) => out.push(Locked {
            position,
            lock: LockMode::AccessExclusive,
            table: Some(partition),
        }),
        _ => {}
    }
}

/// `'UTC'`, `'Etc/UTC'` (any case): no offset, so timestamps convert as-is.
fn is_utc(value: &str) -> bool {
    let value = value.trim().trim_matches(|c| c == '\'' || c == '"').trim();
    value.eq_ignore_ascii_case("utc") || value.eq_ignore_ascii_case("etc/utc")
}

/// `'2s'`, `2000`, `'1min'` are timeouts; `0`, `'0ms'` disable them.
fn is_nonzero_duration(value: &str) -> bool {
    let value = value.trim().trim_matches(|c| c == '\'' || c == '"').trim();
    let digits: String = value
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    match digits.parse::<f64>() {
        Ok(n) => n > 0.0,
        // A value we cannot read is most likely a real timeout in a unit we do
        // not parse; do not nag about it.
        Err(_) => !value.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_nonzero_duration;

    #[test]
    fn zero_disables_a_timeout() {
        for on in ["'2s'", "2000", "'1min'", "'0.5s'"] {
            assert!(is_nonzero_duration(on), "{on}");
        }
        for off in ["0", "'0'", "'0ms'", "''"] {
            assert!(!is_nonzero_duration(off), "{off}");
        }
    }
}
