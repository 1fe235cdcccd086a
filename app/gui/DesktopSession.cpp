// SPDX-License-Identifier: Apache-2.0
#include "DesktopSession.h"

#include "BatchFlow.h"
#include "Confirmer.h"
#include "DesktopWriteback.h"
#include "HistoryExport.h"
#include "HistoryPresenter.h"
#include "HistoryStore.h"
#include "SnapshotFiles.h"
#include "UiLogging.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString demoDirectory()
{
    const QString installed = QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(u"../share/sunset/demo"_s);
#ifdef SUNSET_SOURCE_DIR
    const QString source = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo");
    if (!QFileInfo::exists(installed + u"/demo-ad.ldif"_s) && QFileInfo::exists(source + u"/demo-ad.ldif"_s))
        return source;
#endif
    return installed;
}

DemoTenant loadDemoTenant()
{
    const QDir dir(demoDirectory());
    DemoTenant demo;
    demo.files = {dir.filePath(u"demo-ad.ldif"_s), dir.filePath(u"demo-exo.json"_s), dir.filePath(u"demo-graph.json"_s)};
    auto cloudSync = loadCloudSyncFiles({dir.filePath(u"demo-sync-jobs.json"_s), dir.filePath(u"demo-sync-schema.json"_s),
                                         dir.filePath(u"demo-provisioning.json"_s)});
    if (cloudSync)
        demo.options.cloudSync = std::make_shared<const CloudSyncState>(std::move(cloudSync.value()));
    else
        demo.warning = cloudSync.error().toString();
    return demo;
}

DesktopSession::DesktopSession(const DesktopSessionOptions& options, QObject* parent)
    : QObject(parent)
    , m_options(options)
    // The demo records its scans in a history of its own, never the real one.
    , m_historyPath(HistoryStore::defaultPath(options.demo ? u"demo"_s : u"default"_s))
{
    // Tools › Rollback impact's exports, owner-only like sunset-cli's reports (they list directory data).
    m_window.setRollbackImpactWriter([](const QString& path, const QByteArray& bytes) -> std::optional<QString> {
        if (const auto written = writeExportFile(path, bytes); !written)
            return written.error().message;
        return std::nullopt;
    });

    connect(&m_window, &MainWindow::scanRequested, this, &DesktopSession::startScan);
    connect(&m_window, &MainWindow::cancelRequested, &m_loader, &ScanLoader::cancel);
    connect(&m_loader, &ScanLoader::started, &m_window, &MainWindow::showLoadStarted);
    connect(&m_loader, &ScanLoader::sideProgress, &m_window, &MainWindow::showSideProgress);
    connect(&m_loader, &ScanLoader::comparing, &m_window, &MainWindow::showComparing);
    connect(&m_loader, &ScanLoader::deviceCodeReady, &m_window, &MainWindow::showDeviceCode);
    connect(&m_loader, &ScanLoader::signedIn, &m_window, &MainWindow::hideDeviceCode);
    connect(&m_loader, &ScanLoader::finished, &m_window, &MainWindow::showScan);
    connect(&m_loader, &ScanLoader::failed, &m_window, &MainWindow::showLoadError);
    connect(&m_loader, &ScanLoader::cancelled, &m_window, &MainWindow::showLoadCancelled);

    if (!m_options.rememberLayout || !m_window.restoreSettings(m_settings))
        m_window.resize(m_options.firstSize);
    if (m_options.rememberLayout)
        connect(qApp, &QCoreApplication::aboutToQuit, this, [this] { m_window.saveSettings(m_settings); });
    m_window.setProfileSettings(&m_settings);

    // The writeback side (BatchFlow) records each shown scan in the history, so batches name their scan; the
    // overview's trend is read back from that history on a pool thread with its own SQLite connection, at start
    // and after each recorded scan.
    if (m_options.rememberLayout && QFileInfo::exists(m_historyPath))
        readTrend();
    m_writeback = setUpWriteback(m_window, m_loader, m_options.demo, std::make_shared<DialogConfirmer>());
    connect(m_writeback, &BatchFlow::scanRecorded, this, &DesktopSession::readTrend);

    // Tools › Decommission wizard over the same history; in the demo its checks read the demo's files, and "Show
    // scan N in History" opens the writeback's History window on that scan.
    m_decommission.historyPath = m_historyPath;
    if (m_options.demo) {
        m_decommission.fixedSources = demoChecklistSources(demoDirectory());
        m_decommission.fixedSourcesDescription = describeDemoChecklistSources(demoDirectory());
    }
    m_decommission.showScan = [flow = m_writeback](qint64 scanId) {
        flow->showHistory();
        if (HistoryPresenter* presenter = flow->historyPresenter())
            presenter->showScan(scanId);
    };
    m_window.setDecommissionWizardFactory(
        [options = m_decommission](QWidget* parent) { return createDecommissionWizard(parent, options); });
}

// The trend's read holds no pointer into this session, but its result is delivered here: m_trend waits for it.
DesktopSession::~DesktopSession() = default;

void DesktopSession::show(const ReportSources& files, const DriftOptions& options)
{
    m_files = files;
    m_filesOptions = options;
    m_window.show();
    if (!files.ad.isEmpty()) {
        m_window.setSources(files);
        m_loader.start(files, options);
    }
}

void DesktopSession::startScan(const ScanRequest& request)
{
    const bool sameFiles = request.profile.isSnapshotOnly() && !m_files.ad.isEmpty() &&
                           request.profile.ad.ldifFile == m_files.ad && request.profile.cloud.exoFile == m_files.exo;
    m_loader.start(request, sameFiles ? m_filesOptions : DriftOptions{});
}

void DesktopSession::readTrend()
{
    // Never wait on the GUI thread: a read still running is followed by one more when it ends.
    if (m_trend.isRunning()) {
        m_trendAgain = true;
        return;
    }
    const auto read = [path = m_historyPath](TaskControl&) {
        return recordScanAndReadTrend(path, nullptr, QDateTime(), QDateTime(), 20);
    };
    m_trend.start(read, [this](const ScanHistoryResult& result) {
        if (result.error)
            qCWarning(lcUi) << "history:" << *result.error;
        m_window.setScanTrend(result.trend);
        if (std::exchange(m_trendAgain, false))
            readTrend();
    });
}

} // namespace sunset
