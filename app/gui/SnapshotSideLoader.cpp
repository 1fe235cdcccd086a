// SPDX-License-Identifier: Apache-2.0
#include "SnapshotSideLoader.h"

#include "SnapshotFiles.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace sunset {

namespace {

// Forwards the readers' per-chunk progress about 20 times a second, as bytes of the current file.
class ProgressForwarder final {
public:
    ProgressForwarder(SnapshotSideLoader* loader, const TaskControl& control)
        : m_loader(loader)
        , m_control(control)
    {
        m_sinceReport.start();
    }

    LoadProgress callback()
    {
        return [this](const QString& file, double fraction) {
            if (m_control.isCanceled())
                return false;
            if (file != m_file) {
                m_file = file;
                m_size = QFileInfo(file).size();
            } else if (m_sinceReport.elapsed() < 50 && fraction < 1.0) {
                return true;
            }
            m_sinceReport.restart();
            const qint64 done = qint64(std::clamp(fraction, 0.0, 1.0) * double(m_size));
            m_control.post(
                [loader = m_loader, file, done, size = m_size] { Q_EMIT loader->progress(file, done, size); });
            return true;
        };
    }

private:
    SnapshotSideLoader* m_loader;
    const TaskControl& m_control;
    QElapsedTimer m_sinceReport;
    QString m_file;
    qint64 m_size = 0;
};

} // namespace

SnapshotSideLoader::SnapshotSideLoader(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<Snapshot>>();
}

SnapshotSideLoader::~SnapshotSideLoader() = default; // m_task cancels and waits (the worker posts to `this`)

void SnapshotSideLoader::cancel()
{
    m_task.cancel();
}

void SnapshotSideLoader::run(std::function<void(TaskControl&)> work)
{
    Q_ASSERT(!m_task.isRunning());
    m_task.start(std::move(work), [this] { Q_EMIT done(); });
}

void SnapshotSideLoader::startAd(const QString& ldifPath)
{
    run([this, ldifPath](TaskControl& control) {
        ProgressForwarder forward(this, control);
        Result<Snapshot> ad = loadAdSnapshotFile(ldifPath, forward.callback());
        if (control.isCanceled())
            return;
        if (!ad) {
            control.post([this, e = ad.error()] { Q_EMIT failed(e); });
            return;
        }
        auto snapshot = std::make_shared<Snapshot>(std::move(ad.value()));
        control.post([this, snapshot] { Q_EMIT finished(snapshot); });
    });
}

void SnapshotSideLoader::startCloud(const QString& exoPath, const QString& graphPath)
{
    run([this, exoPath, graphPath](TaskControl& control) {
        ProgressForwarder forward(this, control);
        const auto fail = [this, &control](const ImportError& error) {
            if (!control.isCanceled())
                control.post([this, error] { Q_EMIT failed(error); });
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
        if (control.isCanceled())
            return;
        auto snapshot = std::make_shared<Snapshot>(std::move(cloud.value()));
        control.post([this, snapshot] { Q_EMIT finished(snapshot); });
    });
}

} // namespace sunset
