// SPDX-License-Identifier: Apache-2.0
// HistoryStore: the file is created owner-only, WAL and FULL sync, foreign keys; an empty SQLite file is upgraded;
// a newer schema, a foreign SQLite database and a file that is not SQLite are refused untouched; batches and
// their changes round-trip exactly; the audit log refuses edits and verify() finds a row edited behind its back.
#include "support/BreakGlassForTests.h"
#include "support/TemporaryHistory.h"
#include "HistoryStore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

#include <sys/stat.h>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// A plain connection behind the store's back (the "someone edits the file" side of the tests).
class RawDb final {
public:
    explicit RawDb(const QString& path)
    {
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"raw"_s);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawDb()
    {
        m_db.close();
        m_db = {};
        QSqlDatabase::removeDatabase(u"raw"_s);
    }
    bool exec(const QString& sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql);
    }
    QVariant value(const QString& sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }

private:
    QSqlDatabase m_db;
};

// Version 5's break-glass columns and trigger dropped: a batches table as versions 1 to 4 had it.
bool dropBreakGlassColumns(RawDb& raw)
{
    return raw.exec(u"DROP TRIGGER batches_break_glass_fixed"_s) &&
           raw.exec(u"ALTER TABLE batches DROP COLUMN break_glass_reason"_s) &&
           raw.exec(u"ALTER TABLE batches DROP COLUMN break_glass_cloud_sync"_s);
}

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

WritebackBatch sampleBatch()
{
    WritebackSelection a{u"CN=Müller\\, Jürgen,OU=Sales,DC=x"_s, u"jm@x.test"_s, u"true"_s, {}, {}};
    a.item.attribute = AttributeId::ProxyAddresses;
    a.item.writable = true;
    a.item.ad = {u"SMTP:jm@x.test"_s, u"smtp:jürgen@x.test"_s};
    a.item.adTarget = {u"SMTP:jm@x.test"_s, u"smtp:j@x.test"_s};
    WritebackSelection b = a;
    b.item.attribute = AttributeId::ExtensionAttribute1;
    b.item.ad = {};
    b.item.adTarget = {u"  spaced  "_s};
    WritebackSelection c{u"CN=Other,DC=x"_s, u"o@x.test"_s, u"true"_s, {}, {}};
    c.item.attribute = AttributeId::Mail;
    c.item.writable = true;
    c.item.ad = {u"o@old.test"_s};
    c.item.adTarget = {u"o@x.test"_s};
    return WritebackBatch::build(std::vector{a, b, c});
}

} // namespace

class TestHistoryStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createdOwnerOnlyWithWalAndFullSync();
    void reopenKeepsDataAndVersion();
    void emptySqliteFileIsUpgraded();
    void versionOneChangesUpgradeCloudManaged();
    void scanMailboxesRoundTripAndOlderScansHaveNone();
    void versionFourBatchesSayNoReasonRecorded();
    void approvalNeedsBreakGlassReasonAndKeepsIt();
    void newerSchemaRefusedUntouched();
    void foreignSqliteRefusedUntouched();
    void notSqliteRefusedUntouched();
    void batchRoundTripsExactly();
    void approvalNeedsPlannedAndSecondConfirmation();
    void journalStatesAndOutcomes();
    void auditLogIsAppendOnly();
    void verifyFindsEditedRow();
    void verifyFindsDeletedRow();
    void noSecretColumns();
    void journalOnlyForApprovedBatch();
    void concurrentWritersKeepOneChain();

private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }
};

void TestHistoryStore::createdOwnerOnlyWithWalAndFullSync()
{
    const QString file = path(u"sub/dir/new.sqlite"_s);
    auto store = HistoryStore::open(file, {u"alice"_s, u"svc-sunset@x.test"_s});
    QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().message));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(::stat(QFile::encodeName(path(u"sub/dir"_s)).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
    store.value().reset();
    RawDb raw(file);
    QCOMPARE(raw.value(u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(raw.value(u"PRAGMA application_id"_s).toInt(), HistoryStore::kApplicationId);
    QCOMPARE(raw.value(u"SELECT kind FROM events WHERE id = 1"_s).toString(), u"schema.upgraded"_s);
    QCOMPARE(raw.value(u"SELECT os_user FROM events WHERE id = 1"_s).toString(), u"alice"_s);
}

void TestHistoryStore::reopenKeepsDataAndVersion()
{
    const QString file = path(u"reopen.sqlite"_s);
    {
        auto store = HistoryStore::open(file, {u"alice"_s, {}});
        QVERIFY(store);
        ScanRecord scan;
        scan.adSource = u"ad.ldif"_s;
        scan.exoSource = u"exo.json"_s;
        scan.driftItems = 7;
        QCOMPARE(store.value()->recordScan(scan).value(), 1);
    }
    auto store = HistoryStore::open(file, {u"bob"_s, {}});
    QVERIFY(store);
    QCOMPARE(store.value()->verify().events, 2);
    QVERIFY(store.value()->verify().intact());
}

void TestHistoryStore::emptySqliteFileIsUpgraded()
{
    const QString file = path(u"version0.sqlite"_s);
    {
        RawDb raw(file);
        QVERIFY(raw.exec(u"PRAGMA user_version = 0"_s));
        QVERIFY(raw.exec(u"VACUUM"_s)); // writes a header: a real, empty version-0 database
    }
    QVERIFY(QFileInfo(file).size() > 0);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().message));
    QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
}

void TestHistoryStore::versionOneChangesUpgradeCloudManaged()
{
    const QString file = path(u"version1.sqlite"_s);
    qint64 batchId = 0;
    {
        auto store = HistoryStore::open(file, {u"alice"_s, {}});
        QVERIFY(store);
        batchId = store.value()->createBatch(sampleBatch()).value();
        QVERIFY(store.value()->changes(batchId)->front().cloudManaged); // build() keeps cloud-managed mailboxes only
    }
    {
        // Back to exactly version 1's changes table: no cloud_managed column, the first trigger.
        RawDb raw(file);
        QVERIFY(raw.exec(u"DROP TRIGGER changes_values_fixed"_s));
        QVERIFY(raw.exec(u"ALTER TABLE changes DROP COLUMN cloud_managed"_s));
        QVERIFY(raw.exec(uR"(CREATE TRIGGER changes_values_fixed BEFORE UPDATE OF batch_id, object_seq, dn, attribute,
                before_json, after_json ON changes
                BEGIN SELECT RAISE(ABORT, 'the values of a recorded change are never edited'); END)"_s));
        QVERIFY(raw.exec(u"ALTER TABLE scans DROP COLUMN mailboxes_z"_s)); // a later version's
        // And without the tables of later versions (on-demand provisioning runs).
        QVERIFY(raw.exec(u"DROP TABLE on_demand_objects"_s));
        QVERIFY(raw.exec(u"DROP TABLE on_demand_runs"_s));
        QVERIFY(dropBreakGlassColumns(raw));
        QVERIFY(raw.exec(u"PRAGMA user_version = 1"_s));
    }
    {
        auto store = HistoryStore::open(file, {u"bob"_s, {}});
        QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().message));
        QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
        const auto changes = store.value()->changes(batchId);
        QVERIFY(changes);
        QCOMPARE(changes->size(), size_t(3));
        for (const StoredChange& c : changes.value())
            QVERIFY(c.cloudManaged); // version 1 recorded only changes that passed the cloud-managed check
        QVERIFY(store.value()->verify().intact());
        const auto events = store.value()->events();
        QVERIFY(events);
        QCOMPARE(events->back().kind, u"schema.upgraded"_s);
        QVERIFY(events->back().detailJson.contains("\"from\":1"));
        QVERIFY(events->back().detailJson.contains(QByteArray("\"to\":" + QByteArray::number(HistoryStore::kSchemaVersion))));
    }
    RawDb raw(file);
    QVERIFY(!raw.exec(u"UPDATE changes SET cloud_managed = 0"_s)); // recorded facts are never edited
    QCOMPARE(raw.value(u"SELECT MIN(cloud_managed) FROM changes"_s).toInt(), 1);
}

void TestHistoryStore::scanMailboxesRoundTripAndOlderScansHaveNone()
{
    const QString file = path(u"mailboxes.sqlite"_s);
    ScanRecord scan;
    scan.adSource = u"ad.ldif"_s;
    scan.exoSource = u"exo.json"_s;
    scan.mailboxes = QByteArray("eid:a\ta@contoso.com\neid:b\tb@contoso.com\n").repeated(1000);
    {
        auto store = HistoryStore::open(file, {u"alice"_s, {}});
        QVERIFY(store);
        QCOMPARE(store.value()->recordScan(scan).value(), 1);
        const auto read = store.value()->scan(1);
        QVERIFY(read);
        QCOMPARE(read->record.mailboxes, scan.mailboxes); // stored compressed, read back whole
        QVERIFY(!store.value()->scans()->front().record.mailboxes); // the list leaves it out
        RawDb raw(file);
        QVERIFY(raw.value(u"SELECT length(mailboxes_z) FROM scans"_s).toInt() < scan.mailboxes->size() / 10);
    }
    {
        // Retention: only the newest scans keep their lists; the older ones keep everything else.
        const QString retained = path(u"retained.sqlite"_s);
        auto store = HistoryStore::open(retained, {u"alice"_s, {}});
        QVERIFY(store);
        const qint64 scans = HistoryStore::kScansKeepingMailboxes + 2;
        for (qint64 i = 1; i <= scans; ++i)
            QCOMPARE(store.value()->recordScan(scan).value(), i);
        for (qint64 i = 1; i <= scans; ++i) {
            const auto read = store.value()->scan(i);
            QVERIFY(read);
            QCOMPARE(read->record.adSource, scan.adSource);
            if (i > scans - HistoryStore::kScansKeepingMailboxes)
                QCOMPARE(read->record.mailboxes, scan.mailboxes);
            else
                QVERIFY2(!read->record.mailboxes, qPrintable(u"scan %1 kept its list"_s.arg(i)));
        }
        QVERIFY(store.value()->verify().intact());
    }
    {
        // Back to version 2: no mailbox list (and no later version's tables).
        RawDb raw(file);
        QVERIFY(raw.exec(u"ALTER TABLE scans DROP COLUMN mailboxes_z"_s));
        QVERIFY(raw.exec(u"DROP TABLE on_demand_objects"_s));
        QVERIFY(raw.exec(u"DROP TABLE on_demand_runs"_s));
        QVERIFY(dropBreakGlassColumns(raw));
        QVERIFY(raw.exec(u"PRAGMA user_version = 2"_s));
    }
    auto store = HistoryStore::open(file, {u"bob"_s, {}});
    QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().message));
    QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
    const auto old = store.value()->scan(1);
    QVERIFY(old);
    QVERIFY(!old->record.mailboxes); // recorded before the history kept them: unknown, not empty
    QVERIFY(store.value()->verify().intact());
    QCOMPARE(store.value()->events()->back().kind, u"schema.upgraded"_s);
    QVERIFY(store.value()->events()->back().detailJson.contains("\"from\":2"));
}

void TestHistoryStore::versionFourBatchesSayNoReasonRecorded()
{
    const QString file = path(u"version4.sqlite"_s);
    qint64 approved = 0;
    qint64 planned = 0;
    {
        auto store = HistoryStore::open(file, {u"alice"_s, {}});
        QVERIFY(store);
        approved = store.value()->createBatch(sampleBatch()).value();
        planned = store.value()->createBatch(sampleBatch()).value();
    }
    {
        // Version 4: no break-glass columns; batch 1 approved as version 4 did it (no reason asked).
        RawDb raw(file);
        QVERIFY(dropBreakGlassColumns(raw));
        QVERIFY(raw.exec(u"UPDATE batches SET state = 'approved', approved_utc = '2026-11-30T10:00:00.000Z', "
                         u"approved_by = 'alice', approved_bind = '' WHERE id = %1"_s.arg(approved)));
        QVERIFY(raw.exec(u"PRAGMA user_version = 4"_s));
    }
    auto store = HistoryStore::open(file, {u"bob"_s, {}});
    QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().message));
    QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
    const auto old = store.value()->batch(approved);
    QVERIFY(old);
    QVERIFY(!old->breakGlassReason);
    QCOMPARE(breakGlassReasonText(old.value()), u"no reason recorded (before break-glass reasons)"_s);
    QCOMPARE(breakGlassReasonText(store.value()->batch(planned).value()), u"not approved yet"_s);
    QVERIFY(store.value()->verify().intact());
    QCOMPARE(store.value()->events()->back().kind, u"schema.upgraded"_s);
    QVERIFY(store.value()->events()->back().detailJson.contains("\"from\":4"));
    // A batch planned under version 4 is approved under version 5 with its reason.
    QVERIFY(store.value()->approveBatch(planned, {u"  Job quarantined, CHG-1  "_s, "[]"}));
    QCOMPARE(store.value()->batch(planned)->breakGlassReason, std::optional<QString>(u"Job quarantined, CHG-1"_s));
}

void TestHistoryStore::approvalNeedsBreakGlassReasonAndKeepsIt()
{
    test::TemporaryHistory history(HistoryActor{u"alice"_s, u"CN=alice"_s});
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const qint64 id = history->createBatch(sampleBatch()).value();
    const qint64 eventsBefore = qint64(history->events()->size());
    for (const QString& bad : {QString(), u"   "_s, u" too short "_s.left(6)}) {
        const auto approved = history->approveBatch(id, {bad, "[]"});
        QVERIFY(!approved);
        QVERIFY2(approved.error().message.contains(u"break-glass reason"_s), qPrintable(approved.error().message));
    }
    QCOMPARE(history->batch(id)->state, BatchState::Planned); // nothing recorded
    QCOMPARE(qint64(history->events()->size()), eventsBefore);

    const QByteArray cloudSync = R"([{"domain":"x","cloudSync":"cannot","job":"J","why":"quarantined","label":"L"}])";
    QVERIFY(history->approveBatch(id, {u"Writeback job quarantined, CHG-7"_s, cloudSync}));
    const auto batch = history->batch(id);
    QCOMPARE(batch->breakGlassReason, std::optional<QString>(u"Writeback job quarantined, CHG-7"_s));
    QVERIFY(batch->breakGlassCloudSync.contains("\"quarantined\""));
    const StoredEvent approvedEvent = history->events()->back();
    QCOMPARE(approvedEvent.kind, u"batch.approved"_s);
    QVERIFY(approvedEvent.detailJson.contains("\"breakGlassReason\":\"Writeback job quarantined, CHG-7\""));
    QVERIFY(approvedEvent.detailJson.contains("\"why\":\"quarantined\""));
    QVERIFY(history->verify().intact());
    RawDb raw(history.path());
    QVERIFY(!raw.exec(u"UPDATE batches SET break_glass_reason = 'other' WHERE id = %1"_s.arg(id))); // never edited
}

void TestHistoryStore::newerSchemaRefusedUntouched()
{
    const QString file = path(u"newer.sqlite"_s);
    HistoryStore::open(file, {u"alice"_s, {}}).value().reset();
    {
        RawDb raw(file);
        QVERIFY(raw.exec(u"PRAGMA user_version = 99"_s));
        QVERIFY(raw.exec(u"PRAGMA journal_mode = DELETE"_s)); // one file, so the hash covers everything
    }
    const QByteArray before = fileHash(file);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(!store);
    QVERIFY2(store.error().message.contains(u"newer Sunset (schema version 99"_s), qPrintable(store.error().message));
    QVERIFY(store.error().message.contains(u"nothing was changed"_s));
    QCOMPARE(fileHash(file), before);
    QVERIFY(!QFile::exists(file + u"-wal"_s));
}

void TestHistoryStore::foreignSqliteRefusedUntouched()
{
    const QString file = path(u"foreign.sqlite"_s);
    {
        RawDb raw(file);
        QVERIFY(raw.exec(u"CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)"_s));
        QVERIFY(raw.exec(u"INSERT INTO photos (name) VALUES ('cat.jpg')"_s));
    }
    const QByteArray before = fileHash(file);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(!store);
    QVERIFY2(store.error().message.contains(u"not a Sunset history"_s), qPrintable(store.error().message));
    QCOMPARE(fileHash(file), before);
    QVERIFY(!QFile::exists(file + u"-wal"_s));
}

void TestHistoryStore::notSqliteRefusedUntouched()
{
    const QString file = path(u"notes.txt"_s);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are my notes, not a database\n");
    }
    const QByteArray before = fileHash(file);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(!store);
    QVERIFY2(store.error().message.contains(u"not an SQLite database"_s), qPrintable(store.error().message));
    QCOMPARE(fileHash(file), before);
}

void TestHistoryStore::batchRoundTripsExactly()
{
    test::TemporaryHistory history(HistoryActor{u"alice"_s, u"svc@x.test"_s});
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const WritebackBatch batch = sampleBatch();
    const auto id = history->createBatch(batch);
    QVERIFY2(id, qPrintable(id.ok() ? QString() : id.error().message));
    const auto stored = history->batch(id.value());
    QVERIFY(stored);
    QCOMPARE(stored->state, BatchState::Planned);
    QCOMPARE(stored->objectCount, 2);
    QCOMPARE(stored->valueCount, batch.valuesDeleted() + batch.valuesAdded());
    QCOMPARE(stored->createdBy, u"alice"_s);
    const auto changes = history->changes(id.value());
    QVERIFY(changes);
    QCOMPARE(changes->size(), size_t(3));
    size_t i = 0;
    for (size_t o = 0; o < batch.objects().size(); ++o)
        for (const BatchAttributeChange& c : batch.objects()[o].changes) {
            const StoredChange& s = changes.value()[i++];
            QCOMPARE(s.objectSeq, qint64(o));
            QCOMPARE(s.dn, batch.objects()[o].dn);
            QCOMPARE(s.attribute, c.attribute);
            QCOMPARE(s.before, c.before);
            QCOMPARE(s.after, c.after);
            QCOMPARE(s.state, ChangeState::Planned);
        }
    QCOMPARE(changes.value()[0].after, QStringList{u"  spaced  "_s});
    QVERIFY(!history->batch(999));
    QVERIFY(history->batch(999).error().message.contains(u"no batch 999"_s));
}

void TestHistoryStore::approvalNeedsPlannedAndSecondConfirmation()
{
    test::TemporaryHistory history(HistoryActor{u"alice"_s, u"svc@x.test"_s});
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    std::vector<WritebackSelection> many;
    for (int i = 0; i < 3; ++i) {
        WritebackSelection s{u"CN=M%1,DC=x"_s.arg(i), {}, u"true"_s, {}, {}};
        s.item.writable = true;
        s.item.adTarget = {u"v"_s};
        many.push_back(s);
    }
    const qint64 id = history->createBatch(WritebackBatch::build(many, {2})).value();
    const auto unconfirmed = history->approveBatch(id, sunset::test::breakGlass());
    QVERIFY(!unconfirmed);
    QVERIFY2(unconfirmed.error().message.contains(u"second confirmation"_s), qPrintable(unconfirmed.error().message));
    QVERIFY(history->approveBatch(id, sunset::test::breakGlass(), true));
    const auto approved = history->batch(id);
    QCOMPARE(approved->state, BatchState::Approved);
    QCOMPARE(approved->approvedBy, u"alice"_s);
    QCOMPARE(approved->approvedBind, u"svc@x.test"_s);
    QVERIFY(approved->approvedAt.isValid());
    const auto twice = history->approveBatch(id, sunset::test::breakGlass(), true);
    QVERIFY(!twice);
    QVERIFY(twice.error().message.contains(u"only a planned batch"_s));
}

void TestHistoryStore::journalStatesAndOutcomes()
{
    test::TemporaryHistory history(HistoryActor{u"alice"_s, {}});
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const qint64 id = history->createBatch(sampleBatch()).value();
    QVERIFY(history->approveBatch(id, sunset::test::breakGlass()));
    QVERIFY(history->markPending(id, {0, 1}));
    QCOMPARE(history->batch(id)->state, BatchState::Applying);
    auto changes = history->changes(id).value();
    for (const StoredChange& c : changes) {
        QCOMPARE(c.state, ChangeState::Pending);
        QVERIFY(c.sentAt.isValid());
    }
    QVERIFY(
        history->settle(id, {{0, ChangeState::Applied, 0, {}}, {1, ChangeState::Conflict, 16, u"noSuchAttribute"_s}}));
    changes = history->changes(id).value();
    QCOMPARE(changes[0].state, ChangeState::Applied);
    QCOMPARE(changes[1].state, ChangeState::Applied); // same object, same modify
    QCOMPARE(changes[2].state, ChangeState::Conflict);
    QCOMPARE(changes[2].ldapCode, 16);
    QCOMPARE(changes[2].ldapMessage, u"noSuchAttribute"_s);
    QVERIFY(changes[2].settledAt.isValid());
    QVERIFY(history->setBatchState(id, BatchState::Partial));

    // Undo reverses only what AD took: object 0's two attributes, not object 1's conflict.
    const auto undo = history->createUndoBatch(id);
    QVERIFY2(undo, qPrintable(undo.ok() ? QString() : undo.error().message));
    QCOMPARE(history->batch(undo.value())->undoOf, id);
    const auto reversed = history->changes(undo.value()).value();
    QCOMPARE(reversed.size(), size_t(2));
    for (size_t i = 0; i < reversed.size(); ++i) {
        QCOMPARE(reversed[i].dn, changes[i].dn);
        QCOMPARE(reversed[i].before, changes[i].after);
        QCOMPARE(reversed[i].after, changes[i].before);
        QCOMPARE(reversed[i].state, ChangeState::Planned);
    }
    const auto notYet = history->createUndoBatch(undo.value());
    QVERIFY(!notYet);
    QVERIFY(notYet.error().message.contains(u"only an applied"_s));
    QVERIFY(history->verify().intact());
}

void TestHistoryStore::auditLogIsAppendOnly()
{
    const QString file = path(u"appendonly.sqlite"_s);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(store);
    QVERIFY(store.value()->appendEvent(u"test.event"_s, u"x"_s));
    QVERIFY(store.value()->createBatch(sampleBatch()));
    RawDb raw(file);
    QVERIFY(!raw.exec(u"UPDATE events SET subject = 'y' WHERE id = 2"_s));
    QVERIFY(!raw.exec(u"DELETE FROM events WHERE id = 2"_s));
    QVERIFY(!raw.exec(u"UPDATE changes SET after_json = '[]'"_s)); // recorded values are never edited
    QVERIFY(raw.exec(u"UPDATE changes SET state = 'pending'"_s));  // states move on
    QVERIFY(store.value()->verify().intact());
}

void TestHistoryStore::verifyFindsEditedRow()
{
    const QString file = path(u"tamper.sqlite"_s);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(store);
    const qint64 batchId = store.value()->createBatch(sampleBatch()).value();
    QVERIFY(store.value()->approveBatch(batchId, sunset::test::breakGlass()));
    QVERIFY(store.value()->appendEvent(u"test.after"_s, u"later"_s));
    QVERIFY(store.value()->verify().intact());
    QCOMPARE(store.value()->verify().events, 4);
    {
        // Someone with the sqlite3 tool: drops the guard and edits who approved the batch.
        RawDb raw(file);
        QVERIFY(raw.exec(u"DROP TRIGGER events_no_update"_s));
        QVERIFY(raw.exec(u"UPDATE events SET os_user = 'mallory' WHERE kind = 'batch.approved'"_s));
    }
    const HistoryVerification result = store.value()->verify();
    QVERIFY(!result.intact());
    QCOMPARE(result.firstBrokenId, std::optional<qint64>(3));
    QVERIFY2(result.message.contains(u"event 3 (batch.approved"_s), qPrintable(result.message));
    QVERIFY(result.message.contains(u"changed after it was written"_s));
}

void TestHistoryStore::verifyFindsDeletedRow()
{
    const QString file = path(u"deleted.sqlite"_s);
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(store);
    for (int i = 0; i < 4; ++i)
        QVERIFY(store.value()->appendEvent(u"test.event"_s, QString::number(i)));
    {
        RawDb raw(file);
        QVERIFY(raw.exec(u"DROP TRIGGER events_no_delete"_s));
        QVERIFY(raw.exec(u"DELETE FROM events WHERE id = 3"_s));
    }
    const HistoryVerification result = store.value()->verify();
    QCOMPARE(result.firstBrokenId, std::optional<qint64>(4));
    QVERIFY2(result.message.contains(u"event 3 is missing"_s), qPrintable(result.message));
}

void TestHistoryStore::noSecretColumns()
{
    const QString file = path(u"secrets.sqlite"_s);
    HistoryStore::open(file, {u"alice"_s, {}}).value().reset();
    RawDb raw(file);
    QSqlQuery q(QSqlDatabase::database(u"raw"_s));
    QVERIFY(q.exec(u"SELECT sql FROM sqlite_master"_s));
    while (q.next()) {
        const QString sql = q.value(0).toString().toLower();
        QVERIFY2(!sql.contains(u"password"_s) && !sql.contains(u"secret"_s) && !sql.contains(u"token"_s),
                 qPrintable(sql));
    }
}

QTEST_GUILESS_MAIN(TestHistoryStore)
// The journal is the last gate before AD: only an approved (or partial, being resumed) batch goes to applying, and
// a second apply of the same batch (another process that read "approved" a moment earlier) is refused instead of
// sending again and overwriting the first one's outcomes.
void TestHistoryStore::journalOnlyForApprovedBatch()
{
    test::TemporaryHistory history(HistoryActor{u"alice"_s, {}});
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const qint64 id = history->createBatch(sampleBatch()).value();
    const auto planned = history->markPending(id, {0, 1});
    QVERIFY(!planned);
    QVERIFY2(planned.error().message.contains(u"planned"_s) && planned.error().message.contains(u"approve"_s),
             qPrintable(planned.error().message));
    QCOMPARE(history->batch(id)->state, BatchState::Planned);
    const auto untouched = history->changes(id).value();
    for (const StoredChange& c : untouched)
        QCOMPARE(c.state, ChangeState::Planned);

    QVERIFY(history->approveBatch(id, sunset::test::breakGlass()));
    QVERIFY(history->markPending(id, {0}));
    QVERIFY(history->settle(id, {{0, ChangeState::Applied, 0, {}}}));
    const auto second = history->markPending(id, {0, 1});
    QVERIFY(!second);
    QVERIFY2(second.error().message.contains(u"applying"_s), qPrintable(second.error().message));
    const auto changes = history->changes(id).value();
    QCOMPARE(changes[0].state, ChangeState::Applied); // not reset to pending by the refused second apply
    QCOMPARE(changes[2].state, ChangeState::Planned);

    // A partial batch resumes: only rows never sent become pending.
    QVERIFY(history->setBatchState(id, BatchState::Partial));
    QVERIFY(history->markPending(id, {1}));
    QCOMPARE(history->changes(id).value()[0].state, ChangeState::Applied);
    QCOMPARE(history->changes(id).value()[2].state, ChangeState::Pending);
    QVERIFY(history->verify().intact());
}

// sunset and sunset-cli (or several scripted runs) write one history at once: every write waits for the other's
// and lands, and the audit log stays one chain.
void TestHistoryStore::concurrentWritersKeepOneChain()
{
    const QString file = path(u"concurrent.sqlite"_s);
    QVERIFY(HistoryStore::open(file, {u"alice"_s, {}}));
    constexpr int kThreads = 4;
    constexpr int kEvents = 40;
    std::vector<QString> failures(kThreads);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&failures, file, t] {
            auto store = HistoryStore::open(file, {u"writer%1"_s.arg(t), {}});
            if (!store) {
                failures[size_t(t)] = store.error().message;
                return;
            }
            for (int i = 0; i < kEvents; ++i) {
                const auto id = store.value()->appendEvent(u"test.concurrent"_s, u"writer %1"_s.arg(t));
                if (!id) {
                    failures[size_t(t)] = id.error().message;
                    return;
                }
            }
        }));
        threads.back()->start();
    }
    for (auto& thread : threads)
        QVERIFY(thread->wait(120000));
    for (const QString& failure : failures)
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    auto store = HistoryStore::open(file, {u"alice"_s, {}});
    QVERIFY(store);
    const HistoryVerification v = store.value()->verify();
    QVERIFY2(v.intact(), qPrintable(v.message));
    QCOMPARE(v.events, qint64(1 + kThreads * kEvents)); // schema.upgraded + every append
}

#include "TestHistoryStore.moc"
