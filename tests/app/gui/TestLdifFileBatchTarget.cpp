// SPDX-License-Identifier: Apache-2.0
// Demo mode's writeback: an approved batch appended to an LDIF file and settled in the history, chunk by chunk,
// with Cancel honoured between chunks and a crash settled from the markers in the file.
#include "support/BreakGlassForTests.h"
#include "support/TemporaryHistory.h"
#include "LdifFileBatchTarget.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <optional>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestLdifFileBatchTarget final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void refusesBatchNotApproved();
    void cancelStopsBetweenChunksAndResumes();
    void settleUsesTheMarkersInTheFile();

private:
    qint64 approvedBatch(int objects);
    QByteArray file() const;

    std::optional<sunset::test::TemporaryHistory> m_history; // a new one for each test
    std::unique_ptr<LdifFileBatchTarget> m_target;
};

void TestLdifFileBatchTarget::init()
{
    m_history.emplace();
    QVERIFY2(m_history->isOpen(), qPrintable(m_history->error()));
    m_target = std::make_unique<LdifFileBatchTarget>(m_history->filePath(u"out/demo-writeback.ldif"_s));
}

void TestLdifFileBatchTarget::cleanup()
{
    m_target.reset();
    m_history.reset();
}

qint64 TestLdifFileBatchTarget::approvedBatch(int objects)
{
    std::vector<BatchObjectChange> changes;
    for (int i = 0; i < objects; ++i)
        changes.push_back({u"CN=User %1,OU=Staff,DC=contoso,DC=com"_s.arg(i), {},
                           {{AttributeId::ExtensionAttribute1, QStringList{u"old"_s}, QStringList{u"new %1"_s.arg(i)}}}});
    WritebackBatchOptions options;
    options.confirmAboveObjects = 1'000'000;
    auto id = m_history->store().createBatch(WritebackBatch::fromObjects(std::move(changes), options));
    if (!id || !m_history->store().approveBatch(id.value(), sunset::test::breakGlass()))
        return 0;
    return id.value();
}

QByteArray TestLdifFileBatchTarget::file() const
{
    QFile f(m_target->path());
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestLdifFileBatchTarget::refusesBatchNotApproved()
{
    auto id = m_history->store().createBatch(WritebackBatch::fromObjects(
        {{u"CN=A,DC=contoso,DC=com"_s, {}, {{AttributeId::ExtensionAttribute1, {u"a"_s}, {u"b"_s}}}}}));
    QVERIFY(id);
    const auto report = m_target->apply(m_history->store(), id.value(), {});
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(u"only an approved"_s), qPrintable(report.error().message));
    QVERIFY(!QFile::exists(m_target->path())); // nothing written
}

void TestLdifFileBatchTarget::cancelStopsBetweenChunksAndResumes()
{
    const int objects = LdifFileBatchTarget::kObjectsPerChunk * 2 + 7;
    const qint64 id = approvedBatch(objects);
    QVERIFY(id > 0);
    bool cancel = false;
    std::vector<qint64> progress;
    ApplyControl control;
    control.cancelled = [&cancel] { return cancel; };
    control.progress = [&](const std::vector<StoredChange>& settled, qint64 done, qint64 total) {
        QCOMPARE(total, qint64(objects));
        for (const StoredChange& c : settled)
            QCOMPARE(c.state, ChangeState::Applied);
        progress.push_back(done);
        cancel = done > 0; // the admin presses Cancel once the first chunk is written
    };
    const auto first = m_target->apply(m_history->store(), id, control);
    QVERIFY(first);
    QCOMPARE(progress, (std::vector<qint64>{0, LdifFileBatchTarget::kObjectsPerChunk}));
    QCOMPARE(first->applied, qint64(LdifFileBatchTarget::kObjectsPerChunk));
    QCOMPARE(first->notSent, qint64(objects - LdifFileBatchTarget::kObjectsPerChunk));
    QCOMPARE(first->finalState, BatchState::Partial);
    QVERIFY(first->message.startsWith(u"Cancelled: 50 of 107 objects written"_s));
    QCOMPARE(m_history->store().batch(id)->state, BatchState::Partial);
    QCOMPARE(file().count("changetype: modify"), LdifFileBatchTarget::kObjectsPerChunk);

    cancel = false;
    control.progress = {};
    const auto resumed = m_target->apply(m_history->store(), id, control);
    QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message));
    QCOMPARE(resumed->applied, qint64(objects));
    QCOMPARE(resumed->finalState, BatchState::Applied);
    const QByteArray ldif = file();
    QCOMPARE(ldif.count("changetype: modify"), objects); // each object once
    QCOMPARE(ldif.count("version: 1\n"), 1);
    for (int i = 0; i < objects; ++i)
        QCOMPARE(ldif.count(LdifFileBatchTarget::marker(id, i)), 1);
    QVERIFY(ldif.contains(QByteArray(LdifFileBatchTarget::marker(id, 106) +
                          "dn: CN=User 106,OU=Staff,DC=contoso,DC=com\nchangetype: modify\ndelete: extensionAttribute1\n"
                          "extensionAttribute1: old\n-\nadd: extensionAttribute1\nextensionAttribute1: new 106\n-\n")));
}

void TestLdifFileBatchTarget::settleUsesTheMarkersInTheFile()
{
    const qint64 id = approvedBatch(3);
    QVERIFY(m_history->store().markPending(id, {0, 1}));
    QVERIFY(QDir().mkpath(QFileInfo(m_target->path()).absolutePath()));
    {
        QFile f(m_target->path());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n\n" + LdifFileBatchTarget::marker(id, 1) + "dn: CN=User 1,OU=Staff,DC=contoso,DC=com\n");
    }
    const auto report = m_target->settleInterrupted(m_history->store(), id);
    QVERIFY(report);
    const auto changes = m_history->store().changes(id);
    QVERIFY(changes);
    QCOMPARE(changes.value()[0].state, ChangeState::NotSent);
    QCOMPARE(changes.value()[1].state, ChangeState::Applied);
    QCOMPARE(changes.value()[2].state, ChangeState::Planned);
    QCOMPARE(report->applied, 1);
    QCOMPARE(report->notSent, 2);
    QCOMPARE(m_history->store().batch(id)->state, BatchState::Partial);
    // Settling again is refused: the batch is no longer applying.
    QVERIFY(!m_target->settleInterrupted(m_history->store(), id));
}

QTEST_MAIN(TestLdifFileBatchTarget)
#include "TestLdifFileBatchTarget.moc"
