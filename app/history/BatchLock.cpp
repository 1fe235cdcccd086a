// SPDX-License-Identifier: Apache-2.0
#include "BatchLock.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSysInfo>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#endif

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

std::unique_ptr<QLockFile> lockFile(const QString& path)
{
    auto file = std::make_unique<QLockFile>(path);
    // Only a dead holder makes a lock stale, never its age: applying a large batch may take hours.
    file->setStaleLockTime(0);
    return file;
}

QString describeHolder(qint64 pid, const QString& host, const QString& application)
{
    const QString who = application.isEmpty() ? u"process %1"_s.arg(pid) : u"process %1 (%2)"_s.arg(pid).arg(application);
    return host.isEmpty() ? who : who + u" on host "_s + host;
}

} // namespace

QString BatchLock::path(const QString& historyPath, qint64 batchId)
{
    // The database as the file system names it: two processes that reach it by different paths share the lock.
    const QFileInfo database(historyPath);
    const QString canonical = database.canonicalFilePath();
    return (canonical.isEmpty() ? database.absoluteFilePath() : canonical) + u".batch-"_s +
           QString::number(batchId) + u".lock"_s;
}

BatchLock::BatchLock(std::unique_ptr<QLockFile> file) : m_file(std::move(file)) {}

BatchLock::~BatchLock() = default; // QLockFile's destructor unlocks and removes the file

HistoryResult<std::unique_ptr<BatchLock>> BatchLock::acquire(const QString& historyPath, qint64 batchId,
                                                             const QString& doing)
{
    const QString file = path(historyPath, batchId);
    auto lock = lockFile(file);
    if (lock->tryLock(0))
        return std::unique_ptr<BatchLock>(new BatchLock(std::move(lock)));
    const QString shown = QDir::toNativeSeparators(file);
    switch (lock->error()) {
    case QLockFile::LockFailedError: {
        qint64 pid = 0;
        QString host;
        QString application;
        if (!lock->getLockInfo(&pid, &host, &application))
            return HistoryError{u"Cannot %1 batch %2: another process is applying or settling it (the lock file %3 "
                                u"is being written). Wait for it to finish, then try again."_s.arg(doing)
                                    .arg(batchId)
                                    .arg(shown)};
        const bool here = host.isEmpty() || host == QSysInfo::machineHostName();
        return HistoryError{
            u"Cannot %1 batch %2: it is being applied or settled by %3. Wait for that to finish, then try again. "
            u"If that process no longer runs%4, delete the lock file %5."_s.arg(doing)
                .arg(batchId)
                .arg(describeHolder(pid, host, application),
                     here ? QString() : u" (%1 is another computer sharing this history)"_s.arg(host), shown)};
    }
    case QLockFile::PermissionError:
        return HistoryError{u"Cannot %1 batch %2: the lock file %3 cannot be created (permission denied). Make the "
                            u"folder %4 writable for you, then try again."_s.arg(doing)
                                .arg(batchId)
                                .arg(shown, QDir::toNativeSeparators(QFileInfo(file).absolutePath()))};
    case QLockFile::NoError:
    case QLockFile::UnknownError:
        break;
    }
    return HistoryError{u"Cannot %1 batch %2: the lock file %3 cannot be created or read (is the disk full, or the "
                        u"folder gone?). Nothing was sent."_s.arg(doing)
                            .arg(batchId)
                            .arg(shown)};
}

QString BatchLock::holder(const QString& historyPath, qint64 batchId)
{
    const auto lock = lockFile(path(historyPath, batchId));
    qint64 pid = 0;
    QString host;
    QString application;
    if (!lock->getLockInfo(&pid, &host, &application))
        return {};
#ifdef Q_OS_UNIX
    // The same test as QLockFile's, without taking the lock: a process of this host that is gone holds nothing.
    const bool here = host.isEmpty() || host == QSysInfo::machineHostName();
    if (here && ::kill(pid_t(pid), 0) == -1 && errno == ESRCH)
        return {};
#endif
    return describeHolder(pid, host, application);
}

} // namespace sunset
