// SPDX-License-Identifier: Apache-2.0
// A writeback batch is a direct LDAP write, Cloud Sync's break-glass path (issue 14): sunset-cli's batch show says
// per domain what Cloud Sync can do, from the demo tenant's Cloud Sync files (emea's job quarantined, contoso's
// healthy but without a mapping for mail); batch approve refuses without --reason and records nothing; with it the
// reason and the Cloud Sync state are in the batch, its batch.approved audit event and every export.
#include "support/CliRun.h"
#include "BreakGlass.h"
#include "CliCommands.h"
#include "HistoryStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

using test::cli;
using test::CliRun;

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");
const QString kReason = u"emea writeback job quarantined since Monday, CHG-4711"_s;

// The three batches: an emea mailbox (its job quarantined), a contoso attribute the job maps, and contoso's mail
// (the job has no mapping for it).
const QString kEmea = u"jurgen.svensson@contoso.com"_s;
const QString kEmeaAttribute = u"msExchExtensionCustomAttribute1"_s;
const QString kHealthy = u"asa.johnson@contoso.com"_s;
const QString kHealthyAttribute = u"extensionAttribute3"_s;
const QString kUnmapped = u"lukasz.dubois@contoso.com"_s;

QString pdfText(const QString& path)
{
    QProcess p;
    p.start(QStandardPaths::findExecutable(u"pdftotext"_s), {u"-raw"_s, path, u"-"_s});
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput()).simplified();
}

} // namespace

class TestBreakGlass final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showSaysWhatCloudSyncCanDo();
    void approveWithoutReasonRecordsNothing();
    void approveKeepsReasonInHistoryEventAndExports();

private:
    qint64 plan(const QString& mailbox, const QString& attribute);
    QTemporaryDir m_dir;
    QString m_db;
    qint64 m_emea = 0;
    qint64 m_healthy = 0;
    qint64 m_unmapped = 0;
};

void TestBreakGlass::initTestCase()
{
    QVERIFY2(!QStandardPaths::findExecutable(u"pdftotext"_s).isEmpty(),
             "pdftotext (poppler-utils) is required: run scripts/install-deps.sh");
    m_db = m_dir.filePath(u"history.sqlite"_s);
    const CliRun diff = cli({u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s,
                             u"--graph"_s, kDemo + u"demo-graph.json"_s, u"--sync-jobs"_s,
                             kDemo + u"demo-sync-jobs.json"_s, u"--sync-schema"_s, kDemo + u"demo-sync-schema.json"_s,
                             u"--provisioning-log"_s, kDemo + u"demo-provisioning.json"_s, u"--db"_s, m_db});
    QVERIFY2(diff.code == 0, qPrintable(diff.err));
    m_emea = plan(kEmea, kEmeaAttribute);
    m_healthy = plan(kHealthy, kHealthyAttribute);
    m_unmapped = plan(kUnmapped, u"mail"_s);
    QVERIFY(m_emea > 0 && m_healthy > 0 && m_unmapped > 0);
}

qint64 TestBreakGlass::plan(const QString& mailbox, const QString& attribute)
{
    const CliRun run = cli({u"batch"_s, u"plan"_s, u"--mailbox"_s, mailbox, u"--attribute"_s, attribute, u"--db"_s,
                            m_db});
    if (run.code != 0) {
        qWarning("%s", qPrintable(run.err));
        return 0;
    }
    const qsizetype at = run.out.indexOf(u"Batch "_s);
    return run.out.mid(at + 6, run.out.indexOf(u' ', at + 6) - at - 6).toLongLong();
}

void TestBreakGlass::showSaysWhatCloudSyncCanDo()
{
    CliRun run = cli({u"batch"_s, u"show"_s, QString::number(m_emea), u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"Break-glass: direct write to AD, unsupported by Microsoft for these attributes; use "
                              "Ask Cloud Sync to write it back first."_s),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(u"emea.contoso.com: Cloud Sync cannot write this back now (job "
                              "Entra2ADExchangeOnlineAttributeWriteback."_s),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(u" quarantined (EncounteredQuarantineException) since "_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u"\u2014 this direct write is the break-glass path."_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u"'sunset-cli batch approve %1 --reason TEXT'"_s.arg(m_emea)), qPrintable(run.out));

    run = cli({u"batch"_s, u"show"_s, QString::number(m_healthy), u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"contoso.com: Cloud Sync's job Entra2ADExchangeOnlineAttributeWriteback."_s),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(u" is healthy and maps these attributes: the supported way is Ask Cloud Sync (Cloud "
                              "Sync \u203A Ask Cloud Sync\u2026, or sunset-cli provision-on-demand); a direct write "
                              "is break-glass anyway."_s),
             qPrintable(run.out));
    QVERIFY(!run.out.contains(u"cannot write this back"_s));

    run = cli({u"batch"_s, u"show"_s, QString::number(m_unmapped), u"--db"_s, m_db});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"contoso.com: Cloud Sync cannot write this back now (job "_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u" has no attribute mapping for mail (Restore default mappings adds it"_s),
             qPrintable(run.out));
}

void TestBreakGlass::approveWithoutReasonRecordsNothing()
{
    const auto before = [this] {
        auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
        return store ? qint64(store.value()->events()->size()) : -1;
    }();
    for (const QStringList& reason : {QStringList(), QStringList{u"--reason"_s, u"   "_s},
                                      QStringList{u"--reason"_s, u"urgent"_s}}) {
        const CliRun run = cli(QStringList{u"batch"_s, u"approve"_s, QString::number(m_emea), u"--db"_s, m_db} + reason);
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.startsWith(u"sunset-cli batch approve: --reason TEXT is required. "_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"break-glass reason"_s), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }
    auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
    QVERIFY(store);
    QCOMPARE(store.value()->batch(m_emea)->state, BatchState::Planned);
    QVERIFY(!store.value()->batch(m_emea)->breakGlassReason);
    QCOMPARE(qint64(store.value()->events()->size()), before);
}

void TestBreakGlass::approveKeepsReasonInHistoryEventAndExports()
{
    CliRun run = cli({u"batch"_s, u"approve"_s, QString::number(m_emea), u"--reason"_s, u"  "_s + kReason + u"\n"_s,
                      u"--db"_s, m_db});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QVERIFY2(run.out.startsWith(u"Batch %1 approved as a break-glass write. Reason recorded: %2\n"_s.arg(m_emea).arg(
                 kReason)),
             qPrintable(run.out));
    QVERIFY(run.out.contains(u"emea.contoso.com: Cloud Sync cannot write this back now"_s));

    {
        auto store = HistoryStore::open(m_db, {u"alice"_s, {}});
        QVERIFY(store);
        const auto batch = store.value()->batch(m_emea);
        QCOMPARE(batch->breakGlassReason, std::optional<QString>(kReason)); // trimmed
        const QJsonArray cloudSync = QJsonDocument::fromJson(batch->breakGlassCloudSync).array();
        QCOMPARE(cloudSync.size(), 1);
        QCOMPARE(cloudSync[0][u"domain"_s].toString(), u"emea.contoso.com"_s);
        QCOMPARE(cloudSync[0][u"cloudSync"_s].toString(), u"cannot"_s);
        QVERIFY(cloudSync[0][u"why"_s].toString().contains(u"quarantined"_s));
        // The audit event of the approval, in the hash chain.
        const auto events = store.value()->events();
        const auto approved = std::find_if(events->rbegin(), events->rend(), [this](const StoredEvent& e) {
            return e.kind == u"batch.approved"_s && e.subject == u"batch %1"_s.arg(m_emea);
        });
        QVERIFY(approved != events->rend());
        const QJsonObject detail = QJsonDocument::fromJson(approved->detailJson).object();
        QCOMPARE(detail[u"breakGlassReason"_s].toString(), kReason);
        QCOMPARE(detail[u"cloudSync"_s].toArray(), cloudSync);
        QVERIFY(store.value()->verify().intact());
    }
    // batch show now says what was recorded.
    run = cli({u"batch"_s, u"show"_s, QString::number(m_emea), u"--db"_s, m_db});
    QVERIFY2(run.out.contains(u"Break-glass reason: "_s + kReason), qPrintable(run.out));

    const auto exported = [this](const QString& format) {
        const QString path = m_dir.filePath(u"export."_s + format);
        const CliRun r = cli({u"history"_s, u"export"_s, u"--format"_s, format, u"--batch"_s, QString::number(m_emea),
                              u"--out"_s, path, u"--db"_s, m_db});
        if (r.code != 0)
            qWarning("%s", qPrintable(r.err));
        if (format == u"pdf"_s)
            return pdfText(path);
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    };
    const QString csv = exported(u"csv"_s);
    QVERIFY2(csv.contains(u"break-glass reason: "_s + kReason), qPrintable(csv));
    QVERIFY(csv.contains(u"Cloud Sync: emea.contoso.com: Cloud Sync cannot write this back now"_s));
    const QJsonObject json = QJsonDocument::fromJson(exported(u"json"_s).toUtf8()).object();
    const QJsonObject batch = json[u"batches"_s].toArray().first().toObject();
    QCOMPARE(batch[u"breakGlassReason"_s].toString(), kReason);
    QCOMPARE(batch[u"cloudSync"_s].toArray().first()[u"cloudSync"_s].toString(), u"cannot"_s);
    const QString ldif = exported(u"ldif"_s);
    QVERIFY2(ldif.contains(u"\n# Break-glass reason: "_s + kReason + u'\n'), qPrintable(ldif));
    QVERIFY(ldif.contains(u"\n# emea.contoso.com: Cloud Sync cannot write this back now"_s));
    const QString pdf = exported(u"pdf"_s);
    QVERIFY2(pdf.contains(u"Break-glass reason "_s + kReason), qPrintable(pdf));
    QVERIFY2(pdf.contains(u"Cloud Sync cannot write this back now"_s), qPrintable(pdf));

    // Another planned batch's export says it is not approved yet.
    const CliRun other = cli({u"history"_s, u"export"_s, u"--format"_s, u"ldif"_s, u"--batch"_s,
                              QString::number(m_healthy), u"--out"_s, u"-"_s, u"--db"_s, m_db});
    QVERIFY(other.out.contains(u"# Break-glass reason: not approved yet\n"_s));
}

QTEST_MAIN(TestBreakGlass)

#include "TestBreakGlass.moc"
