#pragma once

#include "Checklist.h"
#include "ChecklistJournal.h"

#include <QFutureWatcher>
#include <QWizard>
#include <QWizardPage>

#include <atomic>
#include <functional>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace sunset {

// Runs one step's automatic checks. Called on a worker thread (never the GUI thread): it may block on LDAP and
// HTTP. cancel is set when the admin cancels or the wizard closes.
using ChecklistCheckRunner = std::function<ChecklistRun(ChecklistStep step, const std::atomic_bool* cancel)>;

class DecommissionStepPage;

// Writes the checklist report to a file (PDF when the name ends in .pdf, else JSON); nullopt on success, else the
// reason. Given by the app (the writers live beside sunset-cli's export).
using ChecklistExporter = std::function<std::optional<QString>(const Checklist& checklist, const QString& path)>;

// The guided retirement of the last Exchange Server: one page per checklist step, each with its automatic checks
// and their evidence, a "Run checks" button (off the GUI thread, cancellable), the attestations as check boxes, a
// note, and an override that needs a written reason. Everything goes through the journal (the history), so the
// wizard can be closed at any point and a new one over the same history resumes where it was, at the first step
// not yet passed or overridden. Next is enabled once the current step passed or was overridden.
class DecommissionWizard final : public QWizard {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionWizard)

public:
    DecommissionWizard(ChecklistJournal* journal, ChecklistCheckRunner runner, QWidget* parent = nullptr);
    ~DecommissionWizard() override;

    DecommissionStepPage* stepPage(ChecklistStep step) const { return m_pages[size_t(step)]; }
    // The checklist as last loaded from the journal.
    const Checklist& checklist() const { return m_checklist; }
    // Reads the journal again and refreshes every page; an error is shown on the pages and returned.
    std::optional<QString> reload();

    // "Export…" appears once an exporter is set; exportTo is what it does after asking for the file.
    void setExporter(ChecklistExporter exporter);
    std::optional<QString> exportTo(const QString& path);

    ChecklistJournal* journal() const { return m_journal; }
    const ChecklistCheckRunner& runner() const { return m_runner; }

Q_SIGNALS:
    void checksFinished(sunset::ChecklistStep step); // the run is recorded and the page refreshed

private:
    friend class DecommissionStepPage;

// Writes the checklist report to a file (PDF when the name ends in .pdf, else JSON); nullopt on success, else the
// reason. Given by the app (the writers live beside sunset-cli's export).
using ChecklistExporter = std::function<std::optional<QString>(const Checklist& checklist, const QString& path)>;
    ChecklistJournal* m_journal;
    ChecklistCheckRunner m_runner;
    ChecklistExporter m_exporter;
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
    bool checksRunning() const { return m_watcher.isRunning(); }
    void waitForChecks() { m_watcher.waitForFinished(); }

    void runChecks();
    void cancelChecks();
    void refresh(const StepRecord& record);
    void showMessage(const QString& message); // an error in words, on the page

private:
    void attestationToggled(const QString& key, bool given);
    void saveNote();
    void overrideStep();
    void checksDone();

    ChecklistStep m_step;
    DecommissionWizard* m_wizard;
    StepStatus m_status = StepStatus::NotStarted;
    QLabel* m_statusLabel;
    QLabel* m_reasons;
    QTreeWidget* m_findings;
    QPushButton* m_runButton;
    QPushButton* m_cancelButton;
    std::vector<std::pair<QString, QCheckBox*>> m_attestations;
    QPlainTextEdit* m_note;
    QPushButton* m_saveNote;
    QLineEdit* m_overrideReason;
    QPushButton* m_overrideButton;
    QLabel* m_message;
    QFutureWatcher<ChecklistRun> m_watcher;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_refreshing = false;
};

// The main window's hook: the app registers how a wizard over the profile's history is made; the window's
// action calls openDecommissionWizard. Without a factory (tests of the window alone) it says so.
using DecommissionWizardFactory = std::function<QWidget*(QWidget* parent)>;
void setDecommissionWizardFactory(DecommissionWizardFactory factory);
void openDecommissionWizard(QWidget* parent);

} // namespace sunset
