// SPDX-License-Identifier: Apache-2.0
// The scripted change window on the demo tenant, in-process: `diff` records its scan, decisions, `batch plan`
// from the recorded scan (no source files), and `history verify` with an external head anchor.
#include "support/CliRun.h"
#include "CliCommands.h"
#include "HistoryStore.h"
#include "ScanRecording.h"
#include "SnapshotFiles.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <functional>
#include <optional>
#include <utility>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

using test::cli;
using test::CliRun;

QStringList demoDiff(const QString& db)
{
    return {u"diff"_s,  u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s, u"--graph"_s,
            kDemo + u"demo-graph.json"_s, u"--db"_s, db};
}

// Runs SQL on the file behind Sunset's back (as someone with the sqlite3 tool could).
bool rawSql(const QString& file, const QStringList& statements)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"raw"_s);
        db.setDatabaseName(file);
        ok = db.open();
        QSqlQuery q(db);
        for (const QString& s : statements)
            ok = ok && q.exec(s);
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"raw"_s);
    return ok;
}

// Runs `between` on the next SQLite connection opened, once, just before that connection starts its second
// statement: another process's work put deterministically between two reads of one open. SQLite's own hooks do it
// (an auto-extension sees every new connection; a statement trace sees each statement start), reaching the
// connection QSQLITE opens inside HistoryStore::open because the plugin and this test share the system libsqlite3.
class BetweenFirstAndSecondStatement final {
public:
    explicit BetweenFirstAndSecondStatement(std::function<void()> between)
    {
        s_between = std::move(between);
        s_statements.clear();
        s_armed = true;
        sqlite3_auto_extension(reinterpret_cast<void (*)()>(&onConnection));
    }
    ~BetweenFirstAndSecondStatement()
    {
        sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(&onConnection));
        s_armed = false;
        s_between = {};
    }
    Q_DISABLE_COPY_MOVE(BetweenFirstAndSecondStatement)

    // The statements the hooked connection started, in order (for failure messages).
    static QStringList statements() { return s_statements; }

private:
    static int onConnection(sqlite3* db, const char**, const sqlite3_api_routines*)
    {
        if (std::exchange(s_armed, false)) // the connection under test; the other process's are its own
            sqlite3_trace_v2(db, SQLITE_TRACE_STMT, &onStatement, nullptr);
        return SQLITE_OK;
    }
    static int onStatement(unsigned, void*, void*, void* sql)
    {
        // "-- …": a statement SQLite runs inside the current one (a table-valued pragma, a trigger), while that
        // one still holds its read: not a point between statements.
        const QString text = QString::fromUtf8(static_cast<const char*>(sql));
        if (text.startsWith(u"--"_s))
            return 0;
        s_statements << text;
        if (s_statements.size() == 2 && s_between)
            std::exchange(s_between, {})();
        return 0;
    }

    static inline std::function<void()> s_between;
    static inline QStringList s_statements;
    static inline bool s_armed = false;
};

} // namespace

class TestHistoryWorkflow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void diffRecordsItsScan();
    void noHistoryRecordsNothing();
    void planRebuildsTheSelectionsOfTheScan();
    void planFilters();
    void ignoredItemsAreLeftOutUntilApproved();
    void decisionsNeedAnItemOfTheScanAndAReason();
    void planWithoutScanIsAClearError();
    void verifyPrintsTheHeadAndCatchesDeletedNewestEvents();
    void anchorParsing();
    void processesOpeningANewHistoryAtOnceUpgradeItOnce();
    void anotherProcessCreatingTheHistoryMidIdentification();
    void secondConnectionKeepsTheFirstOnesLocks();

private:
    QString freshDb(const QString& name) { return m_dir.filePath(name + u".sqlite"_s); }
    QTemporaryDir m_dir;
};

void TestHistoryWorkflow::diffRecordsItsScan()
{
    const QString db = freshDb(u"diff"_s);
    CliRun run = cli(demoDiff(db));
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"Recorded as scan 1 in "_s), qPrintable(run.out));
    QCOMPARE(cli(demoDiff(db)).code, 0);

    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QVERIFY(store);
    const auto scans = store.value()->scans();
    QVERIFY(scans);
    QCOMPARE(scans->size(), size_t(2));
    QCOMPARE(scans->at(0).id, 2); // newest first
    QCOMPARE(scans->at(1).id, 1);
    const ScanRecord& listed = scans->at(0).record;
    QVERIFY(listed.driftJson.isEmpty()); // the list leaves the big JSON out
    QVERIFY(listed.summaryJson.isEmpty());
    QCOMPARE(listed.adSource, kDemo + u"demo-ad.ldif"_s);
    QCOMPARE(listed.exoSource, kDemo + u"demo-exo.json"_s);
    QCOMPARE(listed.graphSource, kDemo + u"demo-graph.json"_s);
    QCOMPARE(listed.driftItems, 16); // the planted drift
    QCOMPARE(listed.adMailboxes, 3002);
    QVERIFY(listed.started.isValid() && listed.finished >= listed.started);

    const auto full = store.value()->scan(1);
    QVERIFY(full);
    const auto drift = recordedDrift(full->record.driftJson);
    QVERIFY2(drift, qPrintable(drift ? QString() : drift.error().message));
    QCOMPARE(drift->size(), size_t(16));
    QVERIFY(full->record.summaryJson.contains("\"driftItems\":16"));
    const auto fischer = std::find_if(drift->begin(), drift->end(), [](const RecordedDrift& d) {
        return d.selection.dn == u"CN=Dmitri Fischer,OU=Sales,OU=Staff,DC=contoso,DC=com"_s;
    });
    QVERIFY(fischer != drift->end());
    QCOMPARE(fischer->selection.item.attribute, AttributeId::ExtensionAttribute2);
    QCOMPARE(fischer->selection.item.ad, QStringList{u"Finance "_s}); // exact bytes, trailing space kept
    QCOMPARE(fischer->selection.item.adTarget, QStringList{u"Finance"_s});
    QCOMPARE(fischer->selection.cloudManaged, u"true"_s);
    QVERIFY(!fischer->upn.isEmpty());

    QVERIFY(!store.value()->scan(99));
    QVERIFY(store.value()->scan(99).error().message.contains(u"no scan 99"_s));
}

void TestHistoryWorkflow::noHistoryRecordsNothing()
{
    const QString db = freshDb(u"none"_s);
    const CliRun run = cli(demoDiff(db) << u"--no-history"_s);
    QCOMPARE(run.code, 0);
    QVERIFY(!run.out.contains(u"Recorded"_s));
    QVERIFY(!QFile::exists(db));
}

void TestHistoryWorkflow::planRebuildsTheSelectionsOfTheScan()
{
    const QString db = freshDb(u"plan"_s);
    QCOMPARE(cli(demoDiff(db)).code, 0);
    const CliRun run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(u"Batch 1 planned from scan 1.\n"_s), qPrintable(run.out));

    // The same batch as one built from the snapshots themselves: the scan record holds all planning needs.
    auto ad = loadAdSnapshotFile(kDemo + u"demo-ad.ldif"_s, {});
    QVERIFY(ad);
    GraphDirectory users = loadGraphUsersFile(kDemo + u"demo-graph.json"_s, {}).value();
    auto cloud = loadCloudSnapshotFile(kDemo + u"demo-exo.json"_s, &users, {});
    QVERIFY(cloud);
    const DriftReport report =
        computeDrift(ad.value(), cloud.value(), matchMailboxes(ad->records, cloud->records), {});
    const WritebackBatch direct = WritebackBatch::build(writebackSelections(report, ad.value(), cloud.value()));
    QVERIFY(!direct.isEmpty());
    QVERIFY2(run.out.contains(direct.describe()), qPrintable(run.out + u"\n---\n"_s + direct.describe()));
    QVERIFY(run.out.contains(u"refused: extensionAttribute5: anna.schmidt@contoso.com is not cloud-managed"_s));

    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    const auto batch = store.value()->batch(1);
    QVERIFY(batch);
    QCOMPARE(batch->scanId, 1);
    QCOMPARE(batch->objectCount, direct.objectCount());
    QCOMPARE(batch->state, BatchState::Planned);
}

void TestHistoryWorkflow::planFilters()
{
    const QString db = freshDb(u"filters"_s);
    QCOMPARE(cli(demoDiff(db)).code, 0);
    CliRun run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--attribute"_s, u"extensionattribute2"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"CN=Dmitri Fischer,OU=Sales,OU=Staff,DC=contoso,DC=com\n"
                              u"  - extensionAttribute2: \"Finance \"\n  + extensionAttribute2: \"Finance\"\n"
                              u"1 objects, 1 attributes, 1 values deleted, 1 values added\n"_s),
             qPrintable(run.out));

    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--mailbox"_s,
               u"CN=Chloé Tanaka,OU=Support,OU=Staff,DC=contoso,DC=com"_s, u"--mailbox"_s,
               u"CN=Dmitri Fischer,OU=Sales,OU=Staff,DC=contoso,DC=com"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"2 objects, 2 attributes"_s), qPrintable(run.out));

    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--mailbox"_s, u"nobody@contoso.com"_s});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"scan 1 has no writable drift for nobody@contoso.com. Nothing was planned."_s),
             qPrintable(run.err));
    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--attribute"_s, u"givenName"_s});
    QCOMPARE(run.code, 2);
    QVERIFY2(run.err.contains(u"'givenName' is not a catalog attribute. Sunset writes: "_s), qPrintable(run.err));
    QCOMPARE(cli({u"batch"_s, u"show"_s, u"1"_s, u"--db"_s, db, u"--attribute"_s, u"mail"_s}).code, 2);

    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QCOMPARE(store.value()->batches()->size(), size_t(2)); // the refused plans recorded nothing
}

void TestHistoryWorkflow::ignoredItemsAreLeftOutUntilApproved()
{
    const QString db = freshDb(u"ignore"_s);
    QCOMPARE(cli(demoDiff(db)).code, 0);
    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    const auto drift = recordedDrift(store.value()->scan(1)->record.driftJson).value();
    const auto fischer = std::find_if(drift.begin(), drift.end(), [](const RecordedDrift& d) {
        return d.selection.item.attribute == AttributeId::ExtensionAttribute2;
    });
    QVERIFY(fischer != drift.end());
    const QString upn = fischer->upn;

    CliRun run = cli({u"drift"_s, u"ignore"_s, u"--db"_s, db, u"--mailbox"_s, upn.toUpper(), u"--attribute"_s,
                      u"extensionAttribute2"_s, u"--reason"_s, u"HR keeps the trailing space"_s, u"--bind"_s,
                      u"CONTOSO\\admin"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(u"Decision 1 recorded: ignore extensionAttribute2 of "_s), qPrintable(run.out));
    QVERIFY(run.out.contains(u"(bound as CONTOSO\\admin)"_s));

    const auto decisions = store.value()->decisions(1);
    QVERIFY(decisions);
    QCOMPARE(decisions->size(), size_t(1));
    const StoredDecision& d = decisions->front();
    QCOMPARE(d.record.dn, fischer->selection.dn); // stored by DN, whatever name was given
    QCOMPARE(d.record.decision, DecisionKind::Ignore);
    QCOMPARE(d.record.reason, u"HR keeps the trailing space"_s);
    QCOMPARE(d.bindIdentity, u"CONTOSO\\admin"_s);
    QVERIFY(!d.osUser.isEmpty());
    QVERIFY(d.decidedAt.isValid());
    QCOMPARE(store.value()->decisions(2)->size(), size_t(0));

    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--attribute"_s, u"extensionAttribute2"_s});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"nothing to write from scan 1 (1 items ignored by decision)"_s), qPrintable(run.err));
    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.contains(u"1 writable items left out: ignored by decision"_s));
    QVERIFY(!run.out.contains(fischer->selection.dn));

    // The ignore stands on a later scan too, until an approve takes it back.
    QCOMPARE(cli(demoDiff(db)).code, 0);
    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--attribute"_s, u"extensionAttribute2"_s});
    QCOMPARE(run.code, 1);
    run = cli({u"drift"_s, u"approve"_s, u"--db"_s, db, u"--mailbox"_s, fischer->selection.dn, u"--attribute"_s,
               u"extensionAttribute2"_s});
    QCOMPARE(run.code, 0);
    QCOMPARE(store.value()->decisions(2)->front().record.decision, DecisionKind::Approve);
    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db, u"--attribute"_s, u"extensionAttribute2"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"Batch 2 planned from scan 2."_s), qPrintable(run.out));
    QVERIFY(run.out.contains(fischer->selection.dn));

    // Every decision is in the audit log.
    const auto events = store.value()->events();
    QCOMPARE(std::count_if(events->begin(), events->end(),
                           [](const StoredEvent& e) { return e.kind == u"decision.recorded"_s; }),
             2);
    QVERIFY(store.value()->verify().intact());
}

void TestHistoryWorkflow::decisionsNeedAnItemOfTheScanAndAReason()
{
    const QString db = freshDb(u"decide"_s);
    QCOMPARE(cli(demoDiff(db)).code, 0);
    CliRun run = cli({u"drift"_s, u"ignore"_s, u"--db"_s, db, u"--mailbox"_s, u"nobody@contoso.com"_s,
                      u"--attribute"_s, u"mail"_s, u"--reason"_s, u"x"_s});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"Scan 1 found no drift of mail on nobody@contoso.com"_s), qPrintable(run.err));
    run = cli({u"drift"_s, u"ignore"_s, u"--db"_s, db, u"--mailbox"_s, u"x@y"_s, u"--attribute"_s, u"mail"_s});
    QCOMPARE(run.code, 2);
    QVERIFY(run.err.contains(u"--reason TEXT is required"_s));
    QCOMPARE(cli({u"drift"_s, u"forget"_s, u"--db"_s, db, u"--mailbox"_s, u"x@y"_s, u"--attribute"_s, u"mail"_s})
                 .code,
             2);
    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QCOMPARE(store.value()->decisions()->size(), size_t(0));
}

void TestHistoryWorkflow::planWithoutScanIsAClearError()
{
    const CliRun run = cli({u"batch"_s, u"plan"_s, u"--db"_s, freshDb(u"empty"_s)});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"has no scan yet: run 'sunset-cli diff' (without --no-history) first."_s),
             qPrintable(run.err));
}

void TestHistoryWorkflow::verifyPrintsTheHeadAndCatchesDeletedNewestEvents()
{
    const QString db = freshDb(u"anchor"_s);
    QCOMPARE(cli(demoDiff(db)).code, 0);
    QCOMPARE(cli({u"batch"_s, u"plan"_s, u"--db"_s, db}).code, 0);
    CliRun run = cli({u"history"_s, u"verify"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
    const QRegularExpressionMatch head =
        QRegularExpression(u"^Head: ([0-9a-f]{64}):(\\d+)$"_s, QRegularExpression::MultilineOption).match(run.out);
    QVERIFY2(head.hasMatch(), qPrintable(run.out));
    QCOMPARE(head.captured(2), u"3"_s); // schema, scan, batch
    const QString anchor = head.captured(1) + u':' + head.captured(2);

    // Work goes on: the anchor is still reached (with the count, or the hash alone).
    QCOMPARE(cli({u"batch"_s, u"approve"_s, u"1"_s, u"--reason"_s, u"Cloud Sync job quarantined, ticket TEST-1"_s, u"--db"_s, db}).code, 0);
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db, u"--expect-head"_s, anchor});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"4 events"_s) && run.out.contains(u"still reaches the expected head"_s),
             qPrintable(run.out));
    QCOMPARE(cli({u"history"_s, u"verify"_s, u"--db"_s, db, u"--expect-head"_s, head.captured(1).toUpper()}).code, 0);

    // Someone deletes the newest two events behind Sunset's back: the chain itself stays consistent...
    QVERIFY(rawSql(db, {u"DROP TRIGGER events_no_delete"_s, u"DELETE FROM events WHERE id >= 3"_s}));
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db});
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.contains(u"2 events"_s));
    // ...but not the anchor.
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db, u"--expect-head"_s, anchor});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"no longer reaches the expected head "_s + anchor), qPrintable(run.err));
    QVERIFY(run.err.contains(u"now has 2 events"_s));
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db, u"--expect-head"_s, head.captured(1)});
    QCOMPARE(run.code, 1);

    // An edited row is caught as before, with or without an anchor.
    QVERIFY(rawSql(db, {u"DROP TRIGGER events_no_update"_s,
                        u"UPDATE events SET os_user = 'mallory' WHERE kind = 'scan.recorded'"_s}));
    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains(u"event 2 (scan.recorded"_s), qPrintable(run.err));

    run = cli({u"history"_s, u"verify"_s, u"--db"_s, db, u"--expect-head"_s, u"nothex"_s});
    QCOMPARE(run.code, 2);
}

void TestHistoryWorkflow::anchorParsing()
{
    const QString hash(64, u'a');
    QCOMPARE(HistoryAnchor::parse(hash)->headHash, QByteArray(64, 'a'));
    QVERIFY(!HistoryAnchor::parse(hash)->events);
    QCOMPARE(HistoryAnchor::parse(QString(hash.toUpper() + u":12"_s))->events, std::optional<qint64>(12));
    QCOMPARE(HistoryAnchor::parse(QString(hash + u":12"_s))->toString(), hash + u":12"_s);
    QVERIFY(!HistoryAnchor::parse(hash.left(63)));
    QVERIFY(!HistoryAnchor::parse(QString(hash + u":"_s)));
    QVERIFY(!HistoryAnchor::parse(QString(hash + u":-1"_s)));
    QVERIFY(!HistoryAnchor::parse(QString(QString(63, u'a') + u'g')));

    // An empty log's head is the genesis hash; an anchor at 0 events is always reached.
    auto store = HistoryStore::open(freshDb(u"genesis"_s), HistoryActor{u"alice"_s, {}});
    const HistoryVerification v = store.value()->verify();
    QCOMPARE(v.events, 1); // the schema upgrade
    QVERIFY(store.value()->verify(HistoryAnchor{QByteArray(64, '0'), 0}).intact());
    QVERIFY(store.value()->verify(HistoryAnchor{v.headHash, 1}).intact());
    QVERIFY(!store.value()->verify(HistoryAnchor{v.headHash, 2}).intact()); // a count beyond the log
    QVERIFY(!store.value()->verify(HistoryAnchor{QByteArray(64, 'b'), std::nullopt}).intact());
}

void TestHistoryWorkflow::processesOpeningANewHistoryAtOnceUpgradeItOnce()
{
    // sunset and sunset-cli (or parallel scripted runs) may open a history that does not exist yet together: one
    // creates and upgrades it, the others wait for its lock and find it done. Whether these starts overlap is up
    // to the scheduler; the interleaving that once broke it is forced in
    // anotherProcessCreatingTheHistoryMidIdentification.
    const QString db = freshDb(u"race"_s);
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < 6; ++i) {
        processes.push_back(std::make_unique<QProcess>());
        processes.back()->start(QStringLiteral(SUNSET_CLI_PATH), {u"history"_s, u"verify"_s, u"--db"_s, db});
    }
    for (const auto& p : processes) {
        QVERIFY(p->waitForFinished(60000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
    }
    auto store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QVERIFY(store);
    QCOMPARE(store.value()->schemaVersion(), HistoryStore::kSchemaVersion);
    const HistoryVerification v = store.value()->verify();
    QVERIFY(v.intact());
    QCOMPARE(v.events, 1); // one schema upgrade, not six
}

void TestHistoryWorkflow::anotherProcessCreatingTheHistoryMidIdentification()
{
    // HistoryStore::open identifies the file (application id, schema version, tables) before writing. Another
    // process may create and upgrade the same new file (one transaction: tables, application id and version
    // together) at any moment of that. Here it does so right after this open's first statement, every time:
    // identification read in one transaction sees the file before (empty) or after (Sunset's), never the empty
    // application id of before with the tables of after ("not a Sunset history (application id 0)", a63f784).
    const QString db = freshDb(u"interleaved"_s);
    int otherExit = -1;
    QByteArray otherErrors;
    std::optional<HistoryResult<std::unique_ptr<HistoryStore>>> store;
    {
        BetweenFirstAndSecondStatement hook([&] {
            QProcess other;
            other.start(QStringLiteral(SUNSET_CLI_PATH), {u"history"_s, u"verify"_s, u"--db"_s, db});
            otherExit = other.waitForFinished(60000) ? other.exitCode() : -2;
            otherErrors = other.readAllStandardError();
        });
        store = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    }
    const QString statements = BetweenFirstAndSecondStatement::statements().join(u" | "_s);
    QVERIFY2(otherExit == 0, qPrintable(u"the other process did not run in between (exit %1: %2); statements: %3"_s
                                            .arg(otherExit)
                                            .arg(QString::fromUtf8(otherErrors), statements)));
    QVERIFY2(*store, qPrintable((*store ? QString() : store->error().message) + u"\nstatements: "_s + statements));
    QCOMPARE(store->value()->schemaVersion(), HistoryStore::kSchemaVersion);
    const HistoryVerification v = store->value()->verify();
    QVERIFY2(v.intact(), qPrintable(v.message));
    QCOMPARE(v.events, 1); // the other process's upgrade; this one found it done
}

void TestHistoryWorkflow::secondConnectionKeepsTheFirstOnesLocks()
{
    // The desktop app keeps its history open and opens a second connection on each worker (scan recording,
    // apply). Opening one must not drop the first one's SQLite locks (on POSIX, closing any descriptor of the
    // file does): sunset-cli, closing the history as if it were its last user, would then delete the WAL the app
    // still writes to, and the app's next writes would be lost or the file malformed.
    const QString db = freshDb(u"shared"_s);
    auto app = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QVERIFY(app);
    QVERIFY(app.value()->appendEvent(u"test.first"_s, u"app"_s));
    {
        auto worker = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
        QVERIFY(worker);
        QVERIFY(worker.value()->appendEvent(u"test.worker"_s, u"app"_s));
    }
    QProcess other;
    other.start(QStringLiteral(SUNSET_CLI_PATH), {u"history"_s, u"verify"_s, u"--db"_s, db});
    QVERIFY(other.waitForFinished(60000));
    QVERIFY2(other.exitCode() == 0, other.readAllStandardError().constData());
    for (int i = 0; i < 3; ++i) { // the app and its workers go on writing
        auto worker = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
        QVERIFY(worker);
        QVERIFY(worker.value()->appendEvent(u"test.worker"_s, u"app"_s));
        QVERIFY(app.value()->appendEvent(u"test.app"_s, u"app"_s));
    }
    QVERIFY(app.value()->appendEvent(u"test.after"_s, u"app"_s));
    app.value().reset();

    auto reopened = HistoryStore::open(db, HistoryActor{u"alice"_s, {}});
    QVERIFY2(reopened, reopened ? "" : qPrintable(reopened.error().message));
    const HistoryVerification v = reopened.value()->verify();
    QVERIFY2(v.intact(), qPrintable(v.message));
    const auto events = reopened.value()->events();
    QVERIFY(events);
    QCOMPARE(events->back().kind, u"test.after"_s);
    QCOMPARE(events->size(), size_t(1 + 2 + 6 + 1)); // the schema upgrade, before, during, after
}

QTEST_GUILESS_MAIN(TestHistoryWorkflow)
#include "TestHistoryWorkflow.moc"
