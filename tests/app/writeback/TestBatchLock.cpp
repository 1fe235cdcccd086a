// SPDX-License-Identifier: Apache-2.0
// BatchLock: one process at a time applies or settles a batch. A lock held (by this process, or by another live
// process) refuses with the holder's PID, application and host and the lock file named; a lock left by a process
// that is gone is taken over; BatchApplier refuses before it reads or sends anything, leaving the batch as it was.
#include "BatchApplier.h"
#include "support/BreakGlassForTests.h"
#include "BatchLock.h"
#include "HistoryStore.h"
#include "LdapConnection.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestBatchLock final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void lockFileSitsNextToTheDatabase();
    void heldLockRefusesWithTheHolder();
    void lockOfAnotherLiveProcessRefusesUntilItDies();
    void applierRefusesBeforeTouchingAnything();

private:
    // A lock file as QLockFile writes it, for the process pid (running executable appName).
    QByteArray lockFileFor(qint64 pid, const QByteArray& appName);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
};

void TestBatchLock::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(u"history.sqlite"_s);
}

QByteArray TestBatchLock::lockFileFor(qint64 pid, const QByteArray& appName)
{
    // Take a real lock for its exact format (host and boot ids included), then put another holder in it.
    const QString scratch = m_dir->filePath(u"scratch.lock"_s);
    QByteArray content;
    {
        QLockFile lock(scratch);
        if (!lock.tryLock(0))
            return {};
        QFile f(scratch);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        content = f.readAll();
    }
    QByteArrayList lines = content.split('\n');
    if (lines.size() < 3)
        return {};
    lines[0] = QByteArray::number(pid);
    lines[1] = appName;
    return lines.join('\n');
}

void TestBatchLock::lockFileSitsNextToTheDatabase()
{
    QFile db(m_db);
    QVERIFY(db.open(QIODevice::WriteOnly)); // exists: the path is canonical
    const QString path = BatchLock::path(m_db, 12);
    QCOMPARE(path, QFileInfo(m_db).canonicalFilePath() + u".batch-12.lock"_s);
    // Reached by another spelling of the same file: the same lock.
    QCOMPARE(BatchLock::path(m_dir->path() + u"/./history.sqlite"_s, 12), path);
    {
        auto lock = BatchLock::acquire(m_db, 12, u"apply"_s);
        QVERIFY2(lock, lock ? "" : qPrintable(lock.error().message));
        QVERIFY(QFile::exists(path));
    }
    QVERIFY(!QFile::exists(path)); // released with the lock
    QVERIFY(BatchLock::holder(m_db, 12).isEmpty());
}

void TestBatchLock::heldLockRefusesWithTheHolder()
{
    auto first = BatchLock::acquire(m_db, 3, u"apply"_s);
    QVERIFY(first);
    const QString pid = QString::number(QCoreApplication::applicationPid());

    const auto second = BatchLock::acquire(m_db, 3, u"settle"_s);
    QVERIFY(!second);
    const QString message = second.error().message;
    QVERIFY2(message.startsWith(u"Cannot settle batch 3: it is being applied or settled by process "_s + pid),
             qPrintable(message));
    QVERIFY2(message.contains(u" on host "_s + QSysInfo::machineHostName()), qPrintable(message));
    QVERIFY2(message.contains(u"Wait for that to finish"_s), qPrintable(message));
    QVERIFY2(message.contains(BatchLock::path(m_db, 3)), qPrintable(message));
    QVERIFY(BatchLock::holder(m_db, 3).startsWith(u"process "_s + pid));

    // Another batch of the same history is not held up.
    QVERIFY(BatchLock::acquire(m_db, 4, u"apply"_s));

    first.value().reset();
    QVERIFY(BatchLock::acquire(m_db, 3, u"apply"_s));
}

void TestBatchLock::lockOfAnotherLiveProcessRefusesUntilItDies()
{
    // Another process on this host "holds" the lock: sleep, whose PID and executable name the file names.
    QProcess holder;
    holder.start(u"sleep"_s, {u"60"_s});
    QVERIFY(holder.waitForStarted());
    const qint64 pid = holder.processId();
    const QByteArray content = lockFileFor(pid, "sleep");
    QVERIFY(!content.isEmpty());
    const QString path = BatchLock::path(m_db, 9);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    const auto refused = BatchLock::acquire(m_db, 9, u"apply"_s);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(u"process %1 (sleep)"_s.arg(pid)), qPrintable(refused.error().message));
    QCOMPARE(BatchLock::holder(m_db, 9), u"process %1 (sleep) on host %2"_s.arg(pid).arg(QSysInfo::machineHostName()));
    QVERIFY(QFile::exists(path)); // a live holder's lock stays

    // The holder dies without releasing (kill -9): its lock is stale and taken over.
    holder.kill();
    QVERIFY(holder.waitForFinished());
    QVERIFY(BatchLock::holder(m_db, 9).isEmpty());
    auto taken = BatchLock::acquire(m_db, 9, u"apply"_s);
    QVERIFY2(taken, taken ? "" : qPrintable(taken.error().message));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readLine().trimmed(), QByteArray::number(QCoreApplication::applicationPid())); // ours now
}

void TestBatchLock::applierRefusesBeforeTouchingAnything()
{
    auto store = HistoryStore::open(m_db, {u"tester"_s, u"admin@x.test"_s});
    QVERIFY(store);
    const auto id = store.value()->createBatch(WritebackBatch::fromObjects(
        {{u"CN=A,DC=x"_s, {}, {{AttributeId::ExtensionAttribute1, QStringList{u"old"_s}, QStringList{u"new"_s}}},
          /*cloudManaged=*/true}}));
    QVERIFY(id);
    QVERIFY(store.value()->approveBatch(id.value(), sunset::test::breakGlass()));

    // Nothing listens there: anything the applier sent would fail with a connection error instead.
    LdapConnectionOptions options;
    options.uri = u"ldaps://127.0.0.1:9"_s;
    options.networkTimeout = std::chrono::milliseconds(500);
    LdapConnection connection(options);
    BatchApplier applier(*store.value(), connection);
    {
        auto held = BatchLock::acquire(m_db, id.value(), u"apply"_s);
        QVERIFY(held);
        const auto applied = applier.apply(id.value());
        QVERIFY(!applied);
        QVERIFY2(applied.error().message.startsWith(u"Cannot apply batch %1: it is being applied or settled by "_s.arg(
                     id.value())),
                 qPrintable(applied.error().message));
        const auto settled = applier.settleInterrupted(id.value());
        QVERIFY(!settled);
        QVERIFY2(settled.error().message.startsWith(u"Cannot settle batch %1:"_s.arg(id.value())),
                 qPrintable(settled.error().message));
        QCOMPARE(store.value()->batch(id.value())->state, BatchState::Approved);
        const auto changes = store.value()->changes(id.value());
        QVERIFY(changes);
        QCOMPARE(changes->front().state, ChangeState::Planned);
    }
    // Released: the applier goes on to the directory (and fails there, nothing sent; the batch still approved).
    const auto applied = applier.apply(id.value());
    QVERIFY(!applied);
    QVERIFY2(applied.error().message.contains(u"re-reading"_s), qPrintable(applied.error().message));
    QVERIFY(!QFile::exists(BatchLock::path(m_db, id.value()))); // released on the way out
}

QTEST_GUILESS_MAIN(TestBatchLock)
#include "TestBatchLock.moc"
