// SPDX-License-Identifier: Apache-2.0
// Writeback batches against the Samba AD DC of the SambaDc fixture, through the history: a batch planned,
// approved, applied end to end and read back byte-exact with every change journalled as applied; and conflicts
// injected between approval and apply (a value changed, a value whose letter case changed, an object deleted)
// recorded as conflicts with nothing overwritten while the untouched objects of the same batch are applied.
// Uses contacts in an OU of its own, created here and removed at the end, so the seeded mailboxes stay as seeded.
#include "support/ApprovedForTests.h"
#include "support/BreakGlassForTests.h"
#include "support/TemporaryHistory.h"
#include "BatchApplier.h"
#include "HistoryStore.h"
#include "LdapConnection.h"
#include "LdapModify.h"
#include "support/samba/SambaTestDomain.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <algorithm>
#include <map>

using namespace sunset;
using sunset::test::approved;
using sunset::test::approvedAll;
using namespace Qt::Literals::StringLiterals;

namespace {

using EntryValues = std::map<QByteArray, QByteArrayList>; // lower-case attribute name -> values

QByteArrayList sorted(QByteArrayList values)
{
    std::sort(values.begin(), values.end());
    return values;
}

WritebackSelection selection(const QByteArray& dn, AttributeId attribute, QStringList ad, QStringList target)
{
    WritebackSelection s;
    s.dn = QString::fromUtf8(dn);
    s.label = s.dn.section(u',', 0, 0);
    s.cloudManaged = u"true"_s;
    s.item.attribute = attribute;
    s.item.writable = true;
    s.item.ad = std::move(ad);
    s.item.adTarget = std::move(target);
    return s;
}

} // namespace

class TestBatchApplyLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void batchAppliedEndToEnd();
    void conflictInjectedAfterApprovalIsRecorded();
    void conflictAfterReReadCaughtByServer();
    void addressHeldByAnotherObjectRefused();
    void unapprovedBatchIsNotApplied();
    void killedMidBatchSettlesAndResumes();

private:
    std::unique_ptr<LdapConnection> bound();
    EntryValues read(const QByteArray& dn, const QByteArrayList& attributes);
    bool runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                     bool mayFail = false);
    QByteArray contactDn(const QByteArray& cn) const { return "CN=" + cn + "," + m_ou; }
    HistoryActor tester() const { return {u"tester"_s, m_domain.bindUpn()}; }

    SambaTestDomain m_domain;
    QByteArray m_ou;
    std::unique_ptr<LdapConnection> m_connection;
};

void TestBatchApplyLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    m_ou = "OU=Sunset Batch Tests," + m_domain.baseDn();
    m_connection = bound();
    QVERIFY(m_connection);
    const auto b64 = [](const QByteArray& name, const QByteArray& value) -> QByteArray {
        return name + ":: " + value.toBase64() + '\n';
    };
    QByteArray ldif = "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\n";
    ldif += "dn: " + contactDn("Batch One") + "\nobjectClass: contact\n" + b64("mail", "one@old.test") +
            b64("proxyAddresses", "SMTP:one@old.test") + b64("proxyAddresses", "smtp:keep@sunset.test") +
            b64("extensionAttribute2", "to clear") + "\n";
    ldif += "dn: " + contactDn("Batch Two") + "\nobjectClass: contact\n" +
            b64("msExchExtensionCustomAttribute1", " a ") + "\n";
    for (const QByteArray cn : {"Conflict Changed", "Conflict Case", "Conflict Gone", "Conflict Bystander",
                                "Conflict Late", "Late Bystander"})
        ldif += "dn: " + contactDn(cn) + "\nobjectClass: contact\n" + b64("extensionAttribute3", "scan value") + "\n";
    ldif += "dn: " + contactDn("Dup Holder") + "\nobjectClass: contact\n" +
            b64("proxyAddresses", "SMTP:taken@sunset.test") + "\n";
    ldif += "dn: " + contactDn("Dup Taker") + "\nobjectClass: contact\n" + b64("mail", "taker@sunset.test") + "\n";
    runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
    QVERIFY(runLdapTool(u"ldapadd"_s, {}, ldif));
}

void TestBatchApplyLive::cleanupTestCase()
{
    if (!m_ou.isEmpty())
        QVERIFY(runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
}

std::unique_ptr<LdapConnection> TestBatchApplyLive::bound()
{
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    options.networkTimeout = std::chrono::seconds(5);
    options.operationTimeout = std::chrono::seconds(60);
    auto connection = std::make_unique<LdapConnection>(options);
    if (const auto bound = connection->simpleBind(m_domain.bindUpn(), m_domain.password()); !bound) {
        qWarning("bind failed: %s", qPrintable(bound.error().toString()));
        return nullptr;
    }
    return connection;
}

EntryValues TestBatchApplyLive::read(const QByteArray& dn, const QByteArrayList& attributes)
{
    LdapSearchRequest request;
    request.baseDn = dn;
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = attributes;
    EntryValues values;
    const auto searched = m_connection->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& attribute : entry.attributes)
            values[attribute.name.toByteArray().toLower()] << attribute.value.toByteArray();
        return {};
    });
    if (!searched)
        qWarning("reading %s failed: %s", dn.constData(), qPrintable(searched.error().toString()));
    return values;
}

bool TestBatchApplyLive::runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input,
                                     bool mayFail)
{
    return m_domain.runLdapTool(tool, arguments, input, mayFail).has_value();
}

void TestBatchApplyLive::batchAppliedEndToEnd()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArray one = contactDn("Batch One");
    const QByteArray two = contactDn("Batch Two");
    const WritebackBatch batch = WritebackBatch::build(std::vector{
        selection(one, AttributeId::Mail, {u"one@old.test"_s}, {u"one@new.test"_s}),
        selection(one, AttributeId::ProxyAddresses, {u"SMTP:one@old.test"_s, u"smtp:keep@sunset.test"_s},
                  {u"SMTP:one@new.test"_s, u"smtp:one@old.test"_s, u"smtp:keep@sunset.test"_s}),
        selection(one, AttributeId::ExtensionAttribute2, {u"to clear"_s}, {}),
        selection(one, AttributeId::ExtensionAttribute1, {}, {u"  Zoë «naïve» 東京  "_s}),
        selection(two, AttributeId::MsExchExtensionCustomAttribute1, {u" a "_s}, {u" a "_s, u"B"_s, u"c c"_s}),
    });
    QVERIFY2(batch.refusals().empty(), qPrintable(batch.describe()));
    const auto id = history->createBatch(batch);
    QVERIFY(id);
    QVERIFY(history->approveBatch(id.value(), sunset::test::breakGlass()));

    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id.value());
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QVERIFY2(report->applied == 2 && report->objects == 2, qPrintable(report->message));
    QCOMPARE(report->finalState, BatchState::Applied);

    const EntryValues a = read(one, {"mail", "proxyAddresses", "extensionAttribute1", "extensionAttribute2"});
    QCOMPARE(a.at("mail"), QByteArrayList{"one@new.test"});
    QCOMPARE(sorted(a.at("proxyaddresses")),
             sorted({"SMTP:one@new.test", "smtp:one@old.test", "smtp:keep@sunset.test"}));
    QCOMPARE(a.at("extensionattribute1"), QByteArrayList{u"  Zoë «naïve» 東京  "_s.toUtf8()});
    QVERIFY(!a.count("extensionattribute2"));
    QCOMPARE(sorted(read(two, {"msExchExtensionCustomAttribute1"}).at("msexchextensioncustomattribute1")),
             sorted({" a ", "B", "c c"}));

    const auto stored = history->batch(id.value());
    QCOMPARE(stored->state, BatchState::Applied);
    const auto changes = history->changes(id.value());
    QCOMPARE(changes->size(), size_t(5));
    for (const StoredChange& c : changes.value()) {
        QCOMPARE(c.state, ChangeState::Applied);
        QVERIFY(c.sentAt.isValid());
        QVERIFY(c.settledAt.isValid());
        QCOMPARE(c.ldapCode, 0);
    }
    QVERIFY(history->verify().intact());

    // Applying again is refused: the batch is applied, not approved.
    const auto again = applier.apply(id.value());
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(u"only an approved batch"_s), qPrintable(again.error().message));

    // Undo: the reverse batch from the recorded values, approved and applied the same way, restores AD.
    const auto undo = history->createUndoBatch(id.value());
    QVERIFY2(undo, qPrintable(undo.ok() ? QString() : undo.error().message));
    QCOMPARE(history->batch(undo.value())->undoOf, id.value());
    QVERIFY(history->approveBatch(undo.value(), sunset::test::breakGlass()));
    const auto undone = applier.apply(undo.value());
    QVERIFY2(undone, qPrintable(undone.ok() ? QString() : undone.error().message));
    QVERIFY2(undone->finalState == BatchState::Applied, qPrintable(undone->message));
    const EntryValues restored = read(one, {"mail", "proxyAddresses", "extensionAttribute1", "extensionAttribute2"});
    QCOMPARE(restored.at("mail"), QByteArrayList{"one@old.test"});
    QCOMPARE(sorted(restored.at("proxyaddresses")), sorted({"SMTP:one@old.test", "smtp:keep@sunset.test"}));
    QCOMPARE(restored.at("extensionattribute2"), QByteArrayList{"to clear"});
    QVERIFY(!restored.count("extensionattribute1"));
    QCOMPARE(read(two, {"msExchExtensionCustomAttribute1"}).at("msexchextensioncustomattribute1"),
             QByteArrayList{" a "});
    QVERIFY(history->verify().intact());
}

void TestBatchApplyLive::conflictInjectedAfterApprovalIsRecorded()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArray changed = contactDn("Conflict Changed");
    const QByteArray caseOnly = contactDn("Conflict Case");
    const QByteArray gone = contactDn("Conflict Gone");
    const QByteArray bystander = contactDn("Conflict Bystander");
    std::vector<WritebackSelection> selections;
    for (const QByteArray& dn : {changed, caseOnly, gone, bystander})
        selections.push_back(selection(dn, AttributeId::ExtensionAttribute3, {u"scan value"_s}, {u"cloud value"_s}));
    const auto id = history->createBatch(WritebackBatch::build(selections));
    QVERIFY(id);
    QVERIFY(history->approveBatch(id.value(), sunset::test::breakGlass()));

    // Between approval and apply, someone else edits AD.
    auto someoneElse = bound();
    QVERIFY(someoneElse);
    QCOMPARE(modifyEntry(*someoneElse, approved({1, changed, {{"extensionAttribute3", {"scan value"}, {"theirs"}}}})).kind,
             ModifyOutcomeKind::Applied);
    // Only the letter case: the server's check would not see it (case-insensitive syntax); the re-read does.
    QCOMPARE(modifyEntry(*someoneElse, approved({2, caseOnly, {{"extensionAttribute3", {"scan value"}, {"Scan Value"}}}})).kind,
             ModifyOutcomeKind::Applied);
    QVERIFY(runLdapTool(u"ldapdelete"_s, {QString::fromUtf8(gone)}));

    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id.value());
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    qInfo("%s", qPrintable(report->message));
    QCOMPARE(report->objects, 4);
    QCOMPARE(report->applied, 1);
    QCOMPARE(report->conflicts, 3);
    QCOMPARE(report->finalState, BatchState::Partial);

    // Nothing overwritten.
    QCOMPARE(read(changed, {"extensionAttribute3"}).at("extensionattribute3"), QByteArrayList{"theirs"});
    QCOMPARE(read(caseOnly, {"extensionAttribute3"}).at("extensionattribute3"), QByteArrayList{"Scan Value"});
    QCOMPARE(read(bystander, {"extensionAttribute3"}).at("extensionattribute3"), QByteArrayList{"cloud value"});

    const auto changes = history->changes(id.value());
    QVERIFY(changes);
    std::map<QString, StoredChange> byDn;
    for (const StoredChange& c : changes.value())
        byDn[c.dn] = c;
    const StoredChange& c1 = byDn.at(QString::fromUtf8(changed));
    QCOMPARE(c1.state, ChangeState::Conflict);
    QVERIFY2(c1.ldapMessage.contains(u"now holds \"theirs\", the scan read \"scan value\""_s),
             qPrintable(c1.ldapMessage));
    QCOMPARE(byDn.at(QString::fromUtf8(caseOnly)).state, ChangeState::Conflict);
    QVERIFY(byDn.at(QString::fromUtf8(caseOnly)).ldapMessage.contains(u"\"Scan Value\""_s));
    QCOMPARE(byDn.at(QString::fromUtf8(gone)).state, ChangeState::Conflict);
    QVERIFY(byDn.at(QString::fromUtf8(gone)).ldapMessage.contains(u"gone"_s));
    QCOMPARE(byDn.at(QString::fromUtf8(bystander)).state, ChangeState::Applied);
    QCOMPARE(history->batch(id.value())->state, BatchState::Partial);
    QVERIFY(history->verify().intact());
}

void TestBatchApplyLive::conflictAfterReReadCaughtByServer()
{
    // The change lands after Sunset's re-read, just before its modify: the server's optimistic check refuses it
    // (noSuchAttribute), the journal records a conflict with the server's code, and the atomic modify wrote
    // nothing of that object (not even its second attribute).
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArray late = contactDn("Conflict Late");
    const QByteArray bystander = contactDn("Late Bystander");
    const auto id = history->createBatch(WritebackBatch::build(
        std::vector{selection(late, AttributeId::ExtensionAttribute3, {u"scan value"_s}, {u"cloud value"_s}),
                    selection(late, AttributeId::ExtensionAttribute8, {}, {u"must not appear"_s}),
                    selection(bystander, AttributeId::ExtensionAttribute3, {u"scan value"_s}, {u"cloud value"_s})}));
    QVERIFY(id);
    QVERIFY(history->approveBatch(id.value(), sunset::test::breakGlass()));
    auto someoneElse = bound();
    QVERIFY(someoneElse);
    BatchApplier applier(history.store(), *m_connection);
    bool injected = false;
    applier.setBeforeSending([&] {
        injected =
            modifyEntry(*someoneElse, approved({1, late, {{"extensionAttribute3", {"scan value"}, {"theirs, late"}}}})).kind ==
            ModifyOutcomeKind::Applied;
        // The journal already says pending before anything is sent.
        const auto pending = history->changes(id.value());
        for (const StoredChange& c : pending.value())
            if (c.state != ChangeState::Pending)
                injected = false;
    });
    const auto report = applier.apply(id.value());
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QVERIFY(injected);
    QCOMPARE(report->applied, 1);
    QCOMPARE(report->conflicts, 1);
    QCOMPARE(report->conflictsBeforeSending, 0);

    const EntryValues now = read(late, {"extensionAttribute3", "extensionAttribute8"});
    QCOMPARE(now.at("extensionattribute3"), QByteArrayList{"theirs, late"});
    QVERIFY(!now.count("extensionattribute8"));
    const auto changes = history->changes(id.value());
    for (const StoredChange& c : changes.value()) {
        if (c.dn == QString::fromUtf8(late)) {
            QCOMPARE(c.state, ChangeState::Conflict);
            QCOMPARE(c.ldapCode, 16); // noSuchAttribute: the value to delete is gone
            QVERIFY2(!c.ldapMessage.isEmpty(), "the admin's message is kept");
        } else {
            QCOMPARE(c.state, ChangeState::Applied);
        }
    }
    QVERIFY(history->verify().intact());
}

void TestBatchApplyLive::addressHeldByAnotherObjectRefused()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArray taker = contactDn("Dup Taker");
    // Another letter case than the holder's: AD compares addresses ignoring case, so does the check.
    const auto id = history->createBatch(WritebackBatch::build(std::vector{
        selection(taker, AttributeId::ProxyAddresses, {}, {u"SMTP:taker@sunset.test"_s, u"smtp:Taken@Sunset.test"_s}),
        selection(taker, AttributeId::ExtensionAttribute4, {}, {u"not written either"_s})}));
    QVERIFY(id);
    QVERIFY(history->approveBatch(id.value(), sunset::test::breakGlass()));
    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id.value());
    QVERIFY2(report, qPrintable(report.ok() ? QString() : report.error().message));
    QCOMPARE(report->refused, 1);
    QCOMPARE(report->applied, 0);
    const auto changes = history->changes(id.value());
    for (const StoredChange& c : changes.value()) {
        QCOMPARE(c.state, ChangeState::Refused);
        QVERIFY2(c.ldapMessage.contains(u"Taken@Sunset.test is already held by CN=Dup Holder"_s),
                 qPrintable(c.ldapMessage));
    }
    const EntryValues now = read(taker, {"proxyAddresses", "extensionAttribute4"});
    QVERIFY(!now.count("proxyaddresses"));
    QVERIFY(!now.count("extensionattribute4"));
}

void TestBatchApplyLive::unapprovedBatchIsNotApplied()
{
    test::TemporaryHistory history(tester());
    QVERIFY2(history.isOpen(), qPrintable(history.error()));
    const QByteArray dn = contactDn("Batch Two");
    const auto id = history->createBatch(
        WritebackBatch::build(std::vector{selection(dn, AttributeId::ExtensionAttribute9, {}, {u"never"_s})}));
    QVERIFY(id);
    BatchApplier applier(history.store(), *m_connection);
    const auto report = applier.apply(id.value());
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(u"is planned: only an approved batch"_s),
             qPrintable(report.error().message));
    QVERIFY(!read(dn, {"extensionAttribute9"}).count("extensionattribute9"));
    const auto changes = history->changes(id.value());
    QVERIFY(changes);
    for (const StoredChange& c : changes.value())
        QCOMPARE(c.state, ChangeState::Planned);
}

void TestBatchApplyLive::killedMidBatchSettlesAndResumes()
{
    // 1,000 contacts, one change each, applied by sunset-cli in a child process that is killed (SIGKILL) once
    // the journal shows outcomes arriving. The next run finds the batch applying, settles every change by
    // re-reading AD, and resumes: in the end every object holds its value, the journal agrees with AD at each
    // step, and no change was sent twice (a second add of a single-valued attribute would be a conflict).
    constexpr int kObjects = 1000;
    const QByteArray ou = "OU=Crash," + m_ou;
    QByteArray ldif = "dn: " + ou + "\nobjectClass: organizationalUnit\n\n";
    for (int i = 0; i < kObjects; ++i)
        ldif +=
            "dn: CN=Crash " + QByteArray::number(i).rightJustified(4, '0') + "," + ou + "\nobjectClass: contact\n\n";
    QVERIFY(runLdapTool(u"ldapadd"_s, {}, ldif));
    std::vector<WritebackSelection> selections;
    for (int i = 0; i < kObjects; ++i)
        selections.push_back(selection("CN=Crash " + QByteArray::number(i).rightJustified(4, '0') + "," + ou,
                                       AttributeId::ExtensionAttribute1, {}, {u"crash %1"_s.arg(i)}));
    test::TemporaryHistory history(tester());
    const QString dbPath = history.path();
    qint64 batchId = 0;
    {
        QVERIFY2(history.isOpen(), qPrintable(history.error()));
        const WritebackBatch batch = WritebackBatch::build(selections);
        QVERIFY(batch.needsSecondConfirmation());
        batchId = history->createBatch(batch).value();
        QVERIFY(history->approveBatch(batchId, sunset::test::breakGlass(), true));
        history.close(); // sunset-cli applies it in a process of its own
    }

    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral(SUNSET_CLI_PATH),
              {u"apply"_s, u"--batch"_s, QString::number(batchId), u"--db"_s, dbPath, u"--ad"_s, m_domain.ldapsUri(),
               u"--bind"_s, m_domain.bindUpn(), u"--password-file"_s, m_domain.passwordFile(), u"--ca"_s,
               m_domain.caFile()});
    QVERIFY(cli.waitForStarted());
    {
        // Watch the journal from outside, as a second reader of the WAL database.
        QSqlDatabase watch = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"watch"_s);
        watch.setDatabaseName(dbPath);
        QVERIFY(watch.open());
        QElapsedTimer timer;
        timer.start();
        qint64 settled = 0;
        while (settled < 50 && cli.state() == QProcess::Running && timer.elapsed() < 120'000) {
            QSqlQuery q(watch);
            if (q.exec(u"SELECT count(*) FROM changes WHERE settled_utc IS NOT NULL"_s) && q.next())
                settled = q.value(0).toLongLong();
            q.finish();
            QTest::qWait(5);
        }
        cli.kill(); // SIGKILL: no destructor, no last commit
        watch.close();
    }
    QSqlDatabase::removeDatabase(u"watch"_s);
    QVERIFY(cli.waitForFinished(10'000));
    qInfo("killed sunset-cli: %s", cli.readAll().constData());
    QCOMPARE(cli.exitStatus(), QProcess::CrashExit);

    QVERIFY2(history.reopen(), qPrintable(history.error()));
    QCOMPARE(history->batch(batchId)->state, BatchState::Applying);
    auto countStates = [&] {
        std::map<ChangeState, int> n;
        const auto changes = history->changes(batchId);
        for (const StoredChange& c : changes.value())
            ++n[c.state];
        return n;
    };
    auto before = countStates();
    qInfo("after the kill: %d applied, %d pending, %d planned", before[ChangeState::Applied],
          before[ChangeState::Pending], before[ChangeState::Planned]);
    QVERIFY(before[ChangeState::Applied] >= 1);
    QVERIFY(before[ChangeState::Applied] < kObjects);

    BatchApplier applier(history.store(), *m_connection);
    const auto settled = applier.settleInterrupted(batchId);
    QVERIFY2(settled, qPrintable(settled.ok() ? QString() : settled.error().message));
    qInfo("%s", qPrintable(settled->message));
    QCOMPARE(settled->conflicts, 0);
    QCOMPARE(settled->applied + settled->notSent, kObjects);
    // The journal agrees with AD object by object.
    LdapSearchRequest request;
    request.baseDn = ou;
    request.scope = LdapScope::OneLevel;
    request.filter = "(objectClass=contact)";
    request.attributes = {"extensionAttribute1"};
    const auto valuesInAd = [&] {
        std::map<QString, QByteArrayList> values;
        const auto searched = m_connection->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
            QByteArrayList& v = values[QString::fromUtf8(entry.dn)];
            for (const LdifAttribute& a : entry.attributes)
                v << a.value.toByteArray();
            return {};
        });
        if (!searched)
            qWarning("%s", qPrintable(searched.error().toString()));
        return values;
    };
    std::map<QString, QByteArrayList> inAd = valuesInAd();
    QCOMPARE(int(inAd.size()), kObjects);
    const auto afterSettle = history->changes(batchId);
    for (const StoredChange& c : afterSettle.value()) {
        const bool holds = inAd[c.dn] == QByteArrayList{c.after.first().toUtf8()};
        QVERIFY2(c.state == (holds ? ChangeState::Applied : ChangeState::NotSent), qPrintable(c.dn));
    }

    const auto resumed = applier.apply(batchId);
    QVERIFY2(resumed, qPrintable(resumed.ok() ? QString() : resumed.error().message));
    qInfo("%s", qPrintable(resumed->message));
    QCOMPARE(resumed->conflicts, 0);
    QCOMPARE(resumed->errors, 0);
    QCOMPARE(resumed->applied, kObjects);
    QCOMPARE(resumed->finalState, BatchState::Applied);
    inAd = valuesInAd();
    const auto afterResume = history->changes(batchId);
    for (const StoredChange& c : afterResume.value()) {
        QCOMPARE(c.state, ChangeState::Applied);
        QCOMPARE(inAd[c.dn], QByteArrayList{c.after.first().toUtf8()});
    }
    QVERIFY(history->verify().intact());
}

QTEST_GUILESS_MAIN(TestBatchApplyLive)
#include "TestBatchApplyLive.moc"
