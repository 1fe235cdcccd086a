// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DecommissionWiring.h"
#include "DriftEngine.h"
#include "MainWindow.h"
#include "ScanHistory.h"
#include "ScanLoader.h"
#include "platform/BackgroundTask.h"

#include <QSettings>
#include <QString>

namespace sunset {

class BatchFlow;

// The folder of the bundled demo tenant. Installed (the package: /usr/bin/sunset and /usr/share/sunset/demo), it
// sits beside the program; run from the build tree, it is the source tree's. The installed copy comes first, so an
// installed sunset on a machine that also holds the sources shows what it was installed with.
QString demoDirectory();

// The demo tenant: its three exports, and the Cloud Sync state it ships (jobs, schema, provisioning log) so that
// its drift causes are measured. A Cloud Sync file that cannot be read is said in `warning`; the scan still runs.
struct DemoTenant {
    ReportSources files;
    DriftOptions options;
    QString warning;
};
DemoTenant loadDemoTenant();

struct DesktopSessionOptions {
    bool demo = false;          // the demo's own history profile, with batches written to an LDIF file
    bool rememberLayout = true; // restore and save the window's layout and trend (screenshots: neither)
    QSize firstSize{1500, 900}; // when there is no saved layout (no window manager under Xvfb picks one)
};

// Everything the desktop app is once its arguments are read: the window, the scan loader, the writeback side
// (history, batches, Ask Cloud Sync), the decommission wizard and the overview's trend, wired together. Both the
// app's main() and the documentation screenshots (sunset-screenshots) build this, so a screenshot shows the app.
// The programs add what changes with every commit (the About box's facts), so that this library does not.
class DesktopSession final : public QObject {
    Q_OBJECT

public:
    explicit DesktopSession(const DesktopSessionOptions& options, QObject* parent = nullptr);
    ~DesktopSession() override;

    MainWindow& window() { return m_window; }
    ScanLoader& loader() { return m_loader; }
    BatchFlow& writeback() { return *m_writeback; }
    const DecommissionWizardOptions& decommission() const { return m_decommission; }

    // Shows the window and loads files when they name an AD side. `options` (the demo's Cloud Sync state) also
    // applies when the admin rescans the same files from the window; any other scan gets none.
    void show(const ReportSources& files = {}, const DriftOptions& options = {});

private:
    void startScan(const ScanRequest& request);
    void readTrend();

    const DesktopSessionOptions m_options;
    const QString m_historyPath;
    QSettings m_settings;
    MainWindow m_window;
    ScanLoader m_loader;
    BatchFlow* m_writeback = nullptr; // a child of the window
    DecommissionWizardOptions m_decommission;
    ReportSources m_files;
    DriftOptions m_filesOptions;
    bool m_trendAgain = false; // a scan was recorded while the trend was being read: read it once more
    // The overview's trend, read from the history on a thread with its own SQLite connection.
    BackgroundTask<ScanHistoryResult> m_trend{this, QStringLiteral("sunset-read-trend")};
};

} // namespace sunset
