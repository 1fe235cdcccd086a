// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "ChecklistJournal.h"
#include "DecommissionChecks.h"
#include "DecommissionWizardFactory.h"
#include "ImportError.h"

#include <QWizard>
#include <QWizardPage>

#include <functional>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace sunset {

class DecommissionStepPage;

// Opens the history window with this scan selected (the app's History window, Ctrl+H).
using ScanOpener = std::function<void(qint64 scanId)>;

// Writes the checklist report to a file (PDF when the name ends in .pdf, else JSON), or says why not. Given by the
// app (the writers live beside sunset-cli's export).
using ChecklistExporter = std::function<Expected<void, QString>(const Checklist& checklist, const QString& path)>;

// The guided retirement of the last Exchange Server: one page per checklist step, each with its automatic checks
// and their evidence, a "Run checks" button (off the GUI thread, cancellable), the attestations as check boxes, a
// note, and an override that needs a written reason. Everything goes through the journal (the history), so the
// wizard can be closed at any point and a new one over the same history resumes where it was, at the first step
// not yet passed or overridden. Next is enabled once the current step passed or was overridden. The verification
// page's checks judge the latest recorded scan; its "Run a fresh scan" records one first (with progress and
// Cancel), and "Show scan N in History" opens the judged scan.
class DecommissionWizard final : public QWizard {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionWizard)

public:
    // checks: the background work, made by the app's wiring; the wizard takes it over (a child, deleted first).
    DecommissionWizard(ChecklistJournal* journal, DecommissionChecks* checks, QWidget* parent = nullptr);
    // Makes its DecommissionChecks from runner (tests, and wizards without a fresh scan).
    DecommissionWizard(ChecklistJournal* journal, ChecklistCheckRunner runner, QWidget* parent = nullptr);
    ~DecommissionWizard() override;

    DecommissionStepPage* stepPage(ChecklistStep step) const { return m_pages[size_t(step)]; }
    // The checklist as last loaded from the journal.
    const Checklist& checklist() const { return m_checklist; }
    // Reads the journal again and refreshes every page; an error is shown on the pages and returned.
    Expected<void, QString> reload();
    // The same where the pages' message is all there is to say (after recording from a page).
    void reloadPages() { static_cast<void>(reload()); }

    // "Export…" appears once an exporter is set; exportTo is what it does after asking for the file.
    void setExporter(ChecklistExporter exporter);
    Expected<void, QString> exportTo(const QString& path);

    ChecklistJournal* journal() const { return m_journal; }
    DecommissionChecks& checks() const { return *m_checks; }

    // The verification page's "Run a fresh scan" appears once a runner is set, its "Show scan N in History" once
    // an opener is.
    void setFreshScanRunner(FreshScanRunner runner);
    bool hasFreshScan() const { return m_checks->hasFreshScan(); }
    void setScanOpener(ScanOpener opener);
    const ScanOpener& scanOpener() const { return m_scanOpener; }
    // Sources fixed by the app (the demo's files): "Sources…" then shows this text instead of the settings dialog.
    void setFixedSources(const QString& description);

Q_SIGNALS:
    void checksFinished(sunset::ChecklistStep step); // the run is recorded and the page refreshed

private:
    friend class DecommissionStepPage;

    ChecklistJournal* m_journal;
    DecommissionChecks* m_checks; // a child
    ChecklistExporter m_exporter;
    ScanOpener m_scanOpener;
    QString m_fixedSources;
    Checklist m_checklist;
    std::array<DecommissionStepPage*, kChecklistSteps.size()> m_pages{};
};

class DecommissionStepPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionStepPage)

public:
    DecommissionStepPage(ChecklistStep step, DecommissionWizard* wizard);
    ~DecommissionStepPage() override;

    ChecklistStep step() const { return m_step; }
    bool isComplete() const override;
    bool checksRunning() const { return m_wizard->checks().isRunning(m_step); }

    void runChecks();
    void cancelChecks();
    // Verification only: records a fresh scan off the GUI thread (progress on the page, Cancel stops it), then
    // runs the checks, which judge it. Emits freshScanFinished either way.
    void runFreshScan();
    void showJudgedScan(); // the scan the latest run judged, in the History window
    std::optional<qint64> judgedScan() const { return m_judgedScan; }
    void updateScanButtons(); // after the wizard's runner or opener changed
    void refresh(const StepRecord& record);
    void showMessage(const QString& message); // an error in words, on the page

Q_SIGNALS:
    void freshScanFinished(bool recorded); // the fresh scan ended: recorded (its judging follows), or not

private:
    void attestationToggled(const QString& key, bool given);
    void saveNote();
    void overrideStep();
    void checksDone(const ChecklistRun& run);
    void checksCancelled();
    void freshScanDone(const Expected<qint64, QString>& outcome);
    void showFreshScanProgress(const QString& stage, double fraction);

    ChecklistStep m_step;
    DecommissionWizard* m_wizard;
    StepStatus m_status = StepStatus::NotStarted;
    QLabel* m_statusLabel;
    QLabel* m_reasons;
    QTreeWidget* m_findings;
    QPushButton* m_runButton;
    QPushButton* m_cancelButton;
    QPushButton* m_freshScanButton = nullptr; // verification only
    QPushButton* m_showScanButton = nullptr;  // verification only
    QProgressBar* m_freshProgress = nullptr;
    QLabel* m_freshStage = nullptr;
    std::optional<qint64> m_judgedScan;
    std::vector<std::pair<QString, QCheckBox*>> m_attestations;
    QPlainTextEdit* m_note;
    QPushButton* m_saveNote;
    QLineEdit* m_overrideReason;
    QPushButton* m_overrideButton;
    QLabel* m_message;
    bool m_refreshing = false;
};

// The main window's Tools › Decommission wizard: opens what the factory makes. Without a factory (tests of the
// window alone) it says so.
void openDecommissionWizard(QWidget* parent, const DecommissionWizardFactory& factory);

} // namespace sunset
