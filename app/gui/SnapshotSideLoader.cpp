// SPDX-License-Identifier: Apache-2.0
#include "SnapshotSideLoader.h"

#include "SnapshotFiles.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace sunset {

namespace {

// Forwards the readers' per-chunk progress about 20 times a second, as bytes of the current file.
class ProgressForwarder final {
public:
    ProgressForwarder(SnapshotSideLoader* loader, std::shared_ptr<std::atomic_bool> cancel)
        : m_loader(loader), m_cancel(std::move(cancel))
    {
        m_sinceReport.start();
    }

    LoadProgress callback()
    {
        return [this](const QString& file, double fraction) {
            if (m_cancel->load())
                return false;
            if (file != m_file) {
                m_file = file;
                m_size = QFileInfo(file).size();
            } else if (m_sinceReport.elapsed() < 50 && fraction < 1.0) {
                return true;
            }
            m_sinceReport.restart();
            const qint64 done = qint64(std::clamp(fraction, 0.0, 1.0) * double(m_size));
            QMetaObject::invokeMethod(
                m_loader, [loader = m_loader, file, done, size = m_size] { Q_EMIT loader->progress(file, done, size); },
                Qt::QueuedConnection);
            return true;
        };
    }

private:
    SnapshotSideLoader* m_loader;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QElapsedTimer m_sinceReport;
    QString m_file;
    qint64 m_size = 0;
};

} // namespace

SnapshotSideLoader::SnapshotSideLoader(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<Snapshot>>();
}

SnapshotSideLoader::~SnapshotSideLoader()
{
    m_cancel->store(true);
    m_worker.waitForFinished(); // the worker posts to `this`
}

void SnapshotSideLoader::cancel()
{
    m_cancel->store(true);
}

void SnapshotSideLoader::run(std::function<void()> work)
{
    Q_ASSERT(!m_worker.isRunning());
    m_worker = QtConcurrent::run([this, work = std::move(work)] {
        work();
        QMetaObject::invokeMethod(this, [this] { Q_EMIT done(); }, Qt::QueuedConnection);
    });
}

void SnapshotSideLoader::startAd(const QString& ldifPath)
{
    const auto cancel = m_cancel;
    run([this, ldifPath, cancel] {
        ProgressForwarder forward(this, cancel);
        Result<Snapshot> ad = loadAdSnapshotFile(ldifPath, forward.callback());
        if (cancel->load())
            return;
        if (!ad) {
            QMetaObject::invokeMethod(this, [this, e = ad.error()] { Q_EMIT failed(e); }, Qt::QueuedConnection);
            return;
        }
        auto snapshot = std::make_shared<Snapshot>(std::move(ad.value()));
        QMetaObject::invokeMethod(this, [this, snapshot] { Q_EMIT finished(snapshot); }, Qt::QueuedConnection);
    });
}

void SnapshotSideLoader::startCloud(const QString& exoPath, const QString& graphPath)
{
    const auto cancel = m_cancel;
    run([this, exoPath, graphPath, cancel] {
        ProgressForwarder forward(this, cancel);
        const auto fail = [this, &cancel](const ImportError& error) {
            if (!cancel->load())
                QMetaObject::invokeMethod(this, [this, error] { Q_EMIT failed(error); }, Qt::QueuedConnection);
        };
        // The Graph users come first: reading Get-Mailbox joins each mailbox to its user's anchors.
        GraphDirectory graph;
        if (!graphPath.isEmpty()) {
            auto users = loadGraphUsersFile(graphPath, forward.callback());
            if (!users)
                return fail(users.error());
            graph = std::move(users.value());
        }
        auto cloud = loadCloudSnapshotFile(exoPath, graphPath.isEmpty() ? nullptr : &graph, forward.callback());
        if (!cloud)
            return fail(cloud.error());
        if (cancel->load())
            return;
        auto snapshot = std::make_shared<Snapshot>(std::move(cloud.value()));
        QMetaObject::invokeMethod(this, [this, snapshot] { Q_EMIT finished(snapshot); }, Qt::QueuedConnection);
    });
}

} // namespace sunset
