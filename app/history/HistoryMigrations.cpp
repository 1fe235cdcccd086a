// SPDX-License-Identifier: Apache-2.0
#include "HistoryMigrations.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

const std::vector<QStringList>& historyMigrations()
{
    static const std::vector<QStringList> steps = {
        {
            uR"(CREATE TABLE scans (
                id INTEGER PRIMARY KEY,
                started_utc TEXT, finished_utc TEXT,
                ad_source TEXT NOT NULL, exo_source TEXT NOT NULL, graph_source TEXT NOT NULL,
                ad_mailboxes INTEGER NOT NULL, cloud_mailboxes INTEGER NOT NULL,
                matched INTEGER NOT NULL, drift_items INTEGER NOT NULL,
                summary_json TEXT NOT NULL, drift_json TEXT NOT NULL,
                recorded_utc TEXT NOT NULL, os_user TEXT NOT NULL))"_s,
            uR"(CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER NOT NULL REFERENCES scans(id),
                dn TEXT NOT NULL, attribute TEXT NOT NULL,
                decision TEXT NOT NULL CHECK (decision IN ('approve', 'ignore')),
                reason TEXT NOT NULL,
                os_user TEXT NOT NULL, bind_identity TEXT NOT NULL, decided_utc TEXT NOT NULL))"_s,
            uR"(CREATE TABLE batches (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER REFERENCES scans(id),
                state TEXT NOT NULL CHECK (state IN
                    ('planned', 'approved', 'applying', 'applied', 'partial', 'cancelled')),
                created_utc TEXT NOT NULL, created_by TEXT NOT NULL,
                approved_utc TEXT, approved_by TEXT, approved_bind TEXT,
                object_count INTEGER NOT NULL, value_count INTEGER NOT NULL,
                second_confirmation INTEGER NOT NULL, warnings_json TEXT NOT NULL,
                undo_of INTEGER REFERENCES batches(id)))"_s,
            uR"(CREATE TABLE changes (
                id INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batches(id),
                object_seq INTEGER NOT NULL,
                dn TEXT NOT NULL, attribute TEXT NOT NULL,
                before_json TEXT NOT NULL, after_json TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN
                    ('planned', 'pending', 'applied', 'conflict', 'error', 'refused', 'unknown', 'not-sent')),
                ldap_code INTEGER NOT NULL DEFAULT 0, ldap_message TEXT NOT NULL DEFAULT '',
                sent_utc TEXT, settled_utc TEXT,
                UNIQUE (batch_id, object_seq, attribute)))"_s,
            u"CREATE INDEX changes_by_dn ON changes(dn)"_s,
            uR"(CREATE TRIGGER changes_values_fixed BEFORE UPDATE OF batch_id, object_seq, dn, attribute,
                before_json, after_json ON changes
                BEGIN SELECT RAISE(ABORT, 'the values of a recorded change are never edited'); END)"_s,
            uR"(CREATE TABLE checklist_steps (
                id INTEGER PRIMARY KEY,
                step TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                updated_utc TEXT, updated_by TEXT))"_s,
            uR"(CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                at_utc TEXT NOT NULL, os_user TEXT NOT NULL, bind_identity TEXT NOT NULL,
                kind TEXT NOT NULL, subject TEXT NOT NULL, detail_json TEXT NOT NULL,
                prev_hash TEXT NOT NULL, hash TEXT NOT NULL))"_s,
            uR"(CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)"_s,
            uR"(CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)"_s,
        },
        {
            // Whether the mailbox was cloud-managed, per change row: the LDAP layer's write guard (ApprovedModify)
            // refuses an object whose rows do not say so. Version 1 could only record changes that passed
            // WritebackBatch::build()'s cloud-managed check (or their undo), so its rows are marked 1.
            uR"(ALTER TABLE changes ADD COLUMN cloud_managed INTEGER NOT NULL DEFAULT 0
                CHECK (cloud_managed IN (0, 1)))"_s,
            u"UPDATE changes SET cloud_managed = 1"_s,
            // The fact is part of the recorded change: never edited afterwards, like the values.
            u"DROP TRIGGER changes_values_fixed"_s,
            uR"(CREATE TRIGGER changes_values_fixed BEFORE UPDATE OF batch_id, object_seq, dn, attribute,
                before_json, after_json, cloud_managed ON changes
                BEGIN SELECT RAISE(ABORT, 'the values of a recorded change are never edited'); END)"_s,
        },
        {
            // Every mailbox a scan saw (ScanMailboxList: "key<TAB>label" lines, zlib-compressed), so the next scan
            // can say which mailboxes were added and removed since (issue 15). NULL for scans recorded before.
            u"ALTER TABLE scans ADD COLUMN mailboxes_z BLOB"_s,
        },
        {
            // provisionOnDemand runs ("Ask Cloud Sync to write it back now", OnDemandStore.h): who asked, when,
            // which job, and per object Cloud Sync's answer and whether AD's re-read showed the drift gone.
            uR"(CREATE TABLE on_demand_runs (
                id INTEGER PRIMARY KEY,
                scan_id INTEGER REFERENCES scans(id),
                started_utc TEXT NOT NULL, finished_utc TEXT,
                os_user TEXT NOT NULL, bind_identity TEXT NOT NULL,
                service_principal TEXT NOT NULL, job_id TEXT NOT NULL, rule_id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'stopped')),
                message TEXT NOT NULL DEFAULT ''))"_s,
            uR"(CREATE TABLE on_demand_objects (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES on_demand_runs(id),
                seq INTEGER NOT NULL,
                dn TEXT NOT NULL, entra_id TEXT NOT NULL, label TEXT NOT NULL,
                drift_json TEXT NOT NULL,
                result TEXT CHECK (result IN ('success', 'skipped', 'failure')),
                skip_reason TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '',
                message TEXT NOT NULL DEFAULT '', modified_json TEXT NOT NULL DEFAULT '[]',
                verified TEXT CHECK (verified IN ('fixed', 'drift', 'unread')),
                verify_detail TEXT NOT NULL DEFAULT '',
                UNIQUE (run_id, seq)))"_s,
        },
        {
            // The break-glass reason given when a batch (a direct LDAP write, Cloud Sync's break-glass path) is
            // approved, and the Cloud Sync state it was given against (JSON array). NULL for batches approved before
            // this version ("no reason recorded") and for batches not approved yet. Never edited once given.
            u"ALTER TABLE batches ADD COLUMN break_glass_reason TEXT"_s,
            u"ALTER TABLE batches ADD COLUMN break_glass_cloud_sync TEXT"_s,
            uR"(CREATE TRIGGER batches_break_glass_fixed BEFORE UPDATE OF break_glass_reason, break_glass_cloud_sync
                ON batches WHEN OLD.break_glass_reason IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a recorded break-glass reason is never edited'); END)"_s,
        },
    };
    return steps;
}

HistoryResult<void> migrateHistory(HistoryDatabase& database, AuditLog& audit)
{
    QSqlDatabase db = QSqlDatabase::database(database.connectionName());
    const auto& steps = historyMigrations();
    const int latest = int(steps.size());
    if (database.schemaVersion() >= latest)
        return {};
    // Every step in one transaction, with one audit event: an upgrade is whole or not at all, and a new file's log
    // starts with a single "schema.upgraded" whatever the number of steps. IMMEDIATE: the write lock is taken
    // before the version is read, so two processes opening a new file at once upgrade it once (the second waits,
    // then finds it done).
    if (auto begun = database.beginWrite(); !begun)
        return begun;
    const int from = database.schemaVersion();
    if (from >= latest)
        return database.commitWrite();
    QSqlQuery q(db);
    for (int version = from; version < latest; ++version) {
        for (const QString& statement : steps[size_t(version)]) {
            if (!q.exec(statement)) {
                const HistoryError error = database.sqlError(u"upgrading to schema version %1"_s.arg(version + 1), q);
                db.rollback();
                return error;
            }
        }
    }
    const bool ok = q.exec(u"PRAGMA application_id=%1"_s.arg(HistoryDatabase::kApplicationId)) &&
                    q.exec(u"PRAGMA user_version=%1"_s.arg(latest));
    if (!ok) {
        const HistoryError error = database.sqlError(u"recording schema version %1"_s.arg(latest), q);
        db.rollback();
        return error;
    }
    if (auto logged = audit.appendInTransaction(
            u"schema.upgraded"_s, u"schema %1"_s.arg(latest),
            QJsonDocument(QJsonObject{{u"from"_s, from}, {u"to"_s, latest}}).toJson(QJsonDocument::Compact));
        !logged) {
        db.rollback();
        return logged;
    }
    return database.commitWrite();
}

} // namespace sunset
