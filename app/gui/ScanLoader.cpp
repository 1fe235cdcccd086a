#include "ScanLoader.h"

#include "SnapshotFiles.h"
#include "UiLogging.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ScanLoader::ScanLoader(QObject* parent) : QObject(parent) {}

ScanLoader::~ScanLoader()
{
    if (m_cancel)
        m_cancel->store(true);
    // Workers post to `this`: they must be gone first. Each stops at its next progress report.
    for (QFuture<void>& worker : m_workers)
        worker.waitForFinished();
}

void ScanLoader::cancel()
{
    if (!m_running)
        return;
    m_cancel->store(true);
    ++m_generation; // whatever the worker still reports is stale
    m_running = false;
    qCInfo(lcUi) << "loading cancelled";
    Q_EMIT cancelled();
}

void ScanLoader::start(const ReportSources& files, const DriftOptions& options)
{
    if (m_cancel)
        m_cancel->store(true);
    m_workers.removeIf([](const QFuture<void>& f) { return f.isFinished(); });
    m_cancel = std::make_shared<std::atomic_bool>(false);
    const quint64 generation = ++m_generation;
    m_running = true;
    qCInfo(lcUi) << "loading" << files.ad << files.exo << files.graph;
    Q_EMIT started(files);

    const std::shared_ptr<std::atomic_bool> cancelFlag = m_cancel;
    m_workers.append(QtConcurrent::run([this, files, options, cancelFlag, generation] {
        // Runs `f` on the loader's thread unless a newer load or a cancel made this one stale.
        const auto post = [this, generation](std::function<void()> f) {
            QMetaObject::invokeMethod(
                this, [this, generation, f = std::move(f)] {
                    if (generation == m_generation)
                        f();
                },
                Qt::QueuedConnection);
        };
        const auto report = [this, &post](const QString& stage, double fraction) {
            post([this, stage, fraction] { Q_EMIT progress(stage, fraction); });
        };
        const auto fail = [this, &post, &cancelFlag](const ImportError& error) {
            if (cancelFlag->load())
                return; // the reader failed because we asked it to stop; cancel() already said so
            post([this, error] {
                m_running = false;
                Q_EMIT failed(error);
            });
        };

        QElapsedTimer sinceReport;
        sinceReport.start();
        QString lastFile;
        // Readers call this for every chunk they consume: forward about 20 updates a second at most.
        const LoadProgress onProgress = [&](const QString& file, double fraction) {
            if (cancelFlag->load())
                return false;
            if (file != lastFile || sinceReport.elapsed() >= 50) {
                lastFile = file;
                sinceReport.restart();
                report(QCoreApplication::translate("sunset::ScanLoader", "Reading %1…").arg(QFileInfo(file).fileName()),
                       fraction);
            }
            return true;
        };

        GraphDirectory graph;
        if (!files.graph.isEmpty()) {
            auto users = loadGraphUsersFile(files.graph, onProgress);
            if (!users)
                return fail(users.error());
            graph = std::move(users.value());
        }
        auto ad = loadAdSnapshotFile(files.ad, onProgress);
        if (!ad)
            return fail(ad.error());
        auto cloud = loadCloudSnapshotFile(files.exo, files.graph.isEmpty() ? nullptr : &graph, onProgress);
        if (!cloud)
            return fail(cloud.error());
        if (cancelFlag->load())
            return;
        report(QCoreApplication::translate("sunset::ScanLoader", "Matching and comparing…"), 0.0);
        std::shared_ptr<const DriftScan> scan =
            DriftScan::compute(std::move(ad.value()), std::move(cloud.value()), files, options);
        if (cancelFlag->load())
            return;
        post([this, scan] {
            m_running = false;
            qCInfo(lcUi) << "loaded" << scan->rows().size() << "mailbox rows";
            Q_EMIT finished(scan);
        });
    }));
}

} // namespace sunset
