// SPDX-License-Identifier: Apache-2.0
#include "DecommissionWizard.h"

#include "DecommissionSourcesDialog.h"

#include "UiLogging.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString levelText(FindingLevel level)
{
    switch (level) {
    case FindingLevel::Pass:
        return QWizard::tr("OK");
    case FindingLevel::Info:
        return QWizard::tr("Info");
    case FindingLevel::Warning:
        return QWizard::tr("Warning");
    case FindingLevel::Blocking:
        return QWizard::tr("Blocking");
    case FindingLevel::Unread:
        return QWizard::tr("Not read");
    }
    return {};
}

QString statusColour(StepStatus status)
{
    switch (status) {
    case StepStatus::Passed:
        return u"#1b7f3b"_s;
    case StepStatus::Failed:
        return u"#b3261e"_s;
    case StepStatus::Overridden:
        return u"#9a6700"_s;
    case StepStatus::NotStarted:
        break;
    }
    return u"palette(text)"_s;
}

// Row heights for wrapped findings: a tree view asks its delegate for a row's height without the column's width,
// so the text would wrap but be clipped to one line. This measures it at the column's width, with the wrap mode
// the view paints with.
class WrappedTextDelegate final : public QStyledItemDelegate {
public:
    explicit WrappedTextDelegate(QTreeView* view) : QStyledItemDelegate(view), m_view(view) {}

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        const int margin = m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_view) + 1;
        const int width = m_view->header()->sectionSize(index.column()) - 2 * margin -
                          (index.column() == 0 ? m_view->indentation() * 2 : 0);
        if (index.column() == 0 || width <= 0)
            return size;
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        QTextLayout layout(index.data(Qt::DisplayRole).toString(), option.font);
        layout.setTextOption(wrap);
        qreal height = 0;
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(width);
            height += line.height();
        }
        layout.endLayout();
        size.setHeight(std::max(size.height(), int(std::ceil(height)) + 4));
        return size;
    }

private:
    QTreeView* m_view;
};

} // namespace

DecommissionWizard::DecommissionWizard(ChecklistJournal* journal, ChecklistCheckRunner runner, QWidget* parent)
    : DecommissionWizard(journal, new DecommissionChecks(std::move(runner)), parent)
{
}

DecommissionWizard::DecommissionWizard(ChecklistJournal* journal, DecommissionChecks* checks, QWidget* parent)
    : QWizard(parent)
    , m_journal(journal)
    , m_checks(checks)
{
    m_checks->setParent(this);
    setWindowTitle(tr("Decommission the last Exchange Server"));
    setObjectName(u"decommissionWizard"_s);
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage, true);
    for (ChecklistStep step : kChecklistSteps) {
        auto* page = new DecommissionStepPage(step, this);
        m_pages[size_t(step)] = page;
        setPage(int(step), page);
    }
    // Where the checks read from: a dialog over the settings the app's runner reads at each run.
    setOption(QWizard::HaveCustomButton1, true);
    setButtonText(QWizard::CustomButton1, tr("Sources…"));
    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        if (which == QWizard::CustomButton2) {
            const QString path = QFileDialog::getSaveFileName(this, tr("Export the checklist"), QString(),
                                                              tr("PDF report (*.pdf);;JSON (*.json)"));
            if (path.isEmpty())
                return;
            if (const auto exported = exportTo(path); !exported)
                QMessageBox::warning(this, tr("Export the checklist"), exported.error());
            return;
        }
        if (which != QWizard::CustomButton1)
            return;
        if (!m_fixedSources.isEmpty()) {
            auto* box = new QMessageBox(QMessageBox::Information, tr("Sources of the decommission checks"),
                                        m_fixedSources, QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            return;
        }
        auto* dialog = new DecommissionSourcesDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    setStartId(int(ChecklistStep::Prerequisites));
    reloadPages();
    // Resume at the first step not yet passed or overridden, walking there so that Back still leads through the
    // earlier steps.
    restart();
    while (currentPage() && currentPage()->isComplete() && currentId() != int(ChecklistStep::PostUninstallCleanup))
        next();
    resize(820, 640);
}

DecommissionWizard::~DecommissionWizard()
{
    // Before the pages: a run still going is cancelled and waited for, its result dropped (nothing half-recorded).
    delete m_checks;
}

void DecommissionWizard::setFreshScanRunner(FreshScanRunner runner)
{
    m_checks->setFreshScanRunner(std::move(runner));
    stepPage(ChecklistStep::Verification)->updateScanButtons();
}

void DecommissionWizard::setScanOpener(ScanOpener opener)
{
    m_scanOpener = std::move(opener);
    stepPage(ChecklistStep::Verification)->updateScanButtons();
}

void DecommissionWizard::setFixedSources(const QString& description)
{
    m_fixedSources = description;
}

void DecommissionWizard::setExporter(ChecklistExporter exporter)
{
    m_exporter = std::move(exporter);
    setButtonText(QWizard::CustomButton2, tr("Export…"));
    setOption(QWizard::HaveCustomButton2, bool(m_exporter));
}

Expected<void, QString> DecommissionWizard::exportTo(const QString& path)
{
    if (!m_exporter)
        return tr("No export is available here.");
    if (auto loaded = reload(); !loaded)
        return loaded;
    return m_exporter(m_checklist, path);
}

Expected<void, QString> DecommissionWizard::reload()
{
    Expected<Checklist, QString> loaded = m_journal->load();
    if (!loaded) {
        for (DecommissionStepPage* page : m_pages)
            page->showMessage(loaded.error());
        return loaded.error();
    }
    m_checklist = std::move(loaded.value());
    for (DecommissionStepPage* page : m_pages)
        page->refresh(m_checklist.step(page->step()));
    return {};
}

DecommissionStepPage::DecommissionStepPage(ChecklistStep step, DecommissionWizard* wizard)
    : m_step(step)
    , m_wizard(wizard)
{
    setObjectName(u"page-"_s + checklistStepKey(step));
    setTitle(tr("Step %1 of 5: %2").arg(int(step) + 1).arg(checklistStepTitle(step)));
    setSubTitle(checklistStepPurpose(step));

    auto* layout = new QVBoxLayout(this); // the purpose is the page's subtitle, above

    m_statusLabel = new QLabel;
    m_statusLabel->setObjectName(u"status"_s);
    m_statusLabel->setTextFormat(Qt::RichText);
    layout->addWidget(m_statusLabel);
    m_reasons = new QLabel;
    m_reasons->setObjectName(u"reasons"_s);
    m_reasons->setWordWrap(true);
    layout->addWidget(m_reasons);

    auto* checks = new QGroupBox(tr("Automatic checks"));
    auto* checksLayout = new QVBoxLayout(checks);
    m_findings = new QTreeWidget;
    m_findings->setObjectName(u"findings"_s);
    m_findings->setColumnCount(2);
    m_findings->setHeaderLabels({tr("Result"), tr("Finding and evidence")});
    m_findings->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    // Evidence is DNs and URLs an auditor reads in full: wrapped (anywhere, a DN has no spaces), never elided.
    m_findings->setWordWrap(true);
    m_findings->setTextElideMode(Qt::ElideNone);
    m_findings->header()->setStretchLastSection(true);
    m_findings->setItemDelegate(new WrappedTextDelegate(m_findings));
    // A wider or narrower column wraps differently: the rows are measured again.
    connect(m_findings->header(), &QHeaderView::sectionResized, m_findings, [this] { m_findings->doItemsLayout(); });
    checksLayout->addWidget(m_findings);
    auto* buttons = new QHBoxLayout;
    m_runButton = new QPushButton(tr("Run checks"));
    m_runButton->setObjectName(u"runChecks"_s);
    m_runButton->setToolTip(tr("Read AD and Exchange Online again and record the result (earlier runs are kept)"));
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->setObjectName(u"cancelChecks"_s);
    m_cancelButton->setEnabled(false);
    buttons->addWidget(m_runButton);
    if (step == ChecklistStep::Verification) {
        // The checks judge the latest recorded scan; a fresh one is recorded first on request (it reads both
        // sides in full, so it is a button of its own, with progress).
        m_runButton->setToolTip(tr("Judge the latest scan recorded in the history (and record the result)"));
        m_freshScanButton = new QPushButton(tr("Run a fresh scan"));
        m_freshScanButton->setObjectName(u"freshScan"_s);
        m_freshScanButton->setToolTip(tr("Read AD and Exchange Online, compare them, record the scan in the history, "
                                         "then judge it"));
        buttons->addWidget(m_freshScanButton);
        connect(m_freshScanButton, &QPushButton::clicked, this, &DecommissionStepPage::runFreshScan);
    }
    buttons->addWidget(m_cancelButton);
    if (step == ChecklistStep::Verification) {
        m_freshProgress = new QProgressBar;
        m_freshProgress->setObjectName(u"freshScanProgress"_s);
        m_freshProgress->setRange(0, 1000);
        m_freshProgress->setTextVisible(false);
        m_freshProgress->setMaximumWidth(140);
        m_freshProgress->hide();
        m_freshStage = new QLabel;
        m_freshStage->setObjectName(u"freshScanStage"_s);
        m_freshStage->setTextInteractionFlags(Qt::TextSelectableByMouse);
        buttons->addWidget(m_freshProgress);
        buttons->addWidget(m_freshStage, 1);
        m_showScanButton = new QPushButton;
        m_showScanButton->setObjectName(u"showScan"_s);
        m_showScanButton->setToolTip(tr("Open the History window (Ctrl+H) with this scan selected"));
        m_showScanButton->hide();
        buttons->addWidget(m_showScanButton);
        connect(m_showScanButton, &QPushButton::clicked, this, &DecommissionStepPage::showJudgedScan);
    } else {
        buttons->addStretch();
    }
    checksLayout->addLayout(buttons);
    layout->addWidget(checks, 1);
    connect(m_runButton, &QPushButton::clicked, this, &DecommissionStepPage::runChecks);
    connect(m_cancelButton, &QPushButton::clicked, this, &DecommissionStepPage::cancelChecks);

    auto* attest = new QGroupBox(tr("You confirm"));
    auto* attestLayout = new QVBoxLayout(attest);
    for (const AttestationItem& item : attestationItems(step)) {
        auto* box = new QCheckBox(item.text);
        box->setObjectName(u"attest-"_s + item.key);
        const QString key = item.key;
        connect(box, &QCheckBox::toggled, this, [this, key](bool on) { attestationToggled(key, on); });
        attestLayout->addWidget(box);
        m_attestations.emplace_back(key, box);
    }
    layout->addWidget(attest);

    auto* record = new QGroupBox(tr("Note and override"));
    auto* form = new QFormLayout(record);
    m_note = new QPlainTextEdit;
    m_note->setObjectName(u"note"_s);
    m_note->setMaximumHeight(60);
    m_saveNote = new QPushButton(tr("Save note"));
    m_saveNote->setObjectName(u"saveNote"_s);
    auto* noteRow = new QHBoxLayout;
    noteRow->addWidget(m_note, 1);
    noteRow->addWidget(m_saveNote);
    form->addRow(tr("Note:"), noteRow);
    m_overrideReason = new QLineEdit;
    m_overrideReason->setObjectName(u"overrideReason"_s);
    m_overrideReason->setPlaceholderText(tr("Why this step may be skipped, and who decided (required)"));
    m_overrideButton = new QPushButton(tr("Override"));
    m_overrideButton->setObjectName(u"override"_s);
    m_overrideButton->setEnabled(false);
    auto* overrideRow = new QHBoxLayout;
    overrideRow->addWidget(m_overrideReason, 1);
    overrideRow->addWidget(m_overrideButton);
    form->addRow(tr("Override:"), overrideRow);
    layout->addWidget(record);
    connect(m_saveNote, &QPushButton::clicked, this, &DecommissionStepPage::saveNote);
    connect(m_overrideReason, &QLineEdit::textChanged, this,
            [this](const QString& text) { m_overrideButton->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_overrideButton, &QPushButton::clicked, this, &DecommissionStepPage::overrideStep);

    m_message = new QLabel;
    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(u"color: #b3261e"_s);
    layout->addWidget(m_message);
}

DecommissionStepPage::~DecommissionStepPage() = default;

bool DecommissionStepPage::isComplete() const
{
    return !checksRunning() && (m_status == StepStatus::Passed || m_status == StepStatus::Overridden);
}

void DecommissionStepPage::refresh(const StepRecord& record)
{
    m_refreshing = true;
    const StepEvaluation e = evaluateStep(record);
    m_status = e.status;
    QString status = tr("Status: <b style='color:%1'>%2</b>").arg(statusColour(e.status), stepStatusTitle(e.status));
    if (const ChecklistRun* run = record.latestRun()) {
        // Spelled out rather than %n: without a loaded translation, tr() would show "run(s)".
        const QString when = QLocale().toString(run->at.toLocalTime(), QLocale::ShortFormat);
        const QString by = run->by.toHtmlEscaped();
        status += record.runs.size() == 1 ? tr(" — checks last run %1 by %2 (the only run recorded)").arg(when, by)
                                          : tr(" — checks last run %1 by %2 (%3 runs recorded)")
                                                .arg(when, by, QLocale().toString(qlonglong(record.runs.size())));
    }
    if (const ChecklistOverride* o = record.currentOverride())
        status += tr("<br>Overridden %1 by %2: %3")
                      .arg(QLocale().toString(o->at.toLocalTime(), QLocale::ShortFormat), o->by.toHtmlEscaped(),
                           o->reason.toHtmlEscaped());
    m_statusLabel->setText(status);
    // What is open, counted: the findings are listed below and the confirmations are the boxes (every reason in
    // full is the tooltip).
    QStringList open;
    const ChecklistRun* latest = record.latestRun();
    if (!latest) {
        open.append(tr("the automatic checks have not run"));
    } else {
        const qsizetype errors = latest->errors.size();
        const auto blocking = std::count_if(latest->findings.begin(), latest->findings.end(),
                                            [](const ChecklistFinding& f) { return f.level == FindingLevel::Blocking; });
        if (errors > 0)
            open.append(errors == 1 ? tr("1 check could not run") : tr("%1 checks could not run").arg(errors));
        if (blocking > 0)
            open.append(blocking == 1 ? tr("1 blocking finding") : tr("%1 blocking findings").arg(blocking));
        // Not read: the finding says what to give; its confirmation below is asked for meanwhile.
        const auto unread = std::count_if(latest->findings.begin(), latest->findings.end(),
                                          [](const ChecklistFinding& f) { return f.level == FindingLevel::Unread; });
        if (unread > 0)
            open.append(unread == 1 ? tr("1 check not read") : tr("%1 checks not read").arg(unread));
    }
    auto needed = [&](const QString& key) {
        const std::optional<AttestationItem> item = attestationItem(m_step, key);
        return !item || record.needsAttestation(*item);
    };
    const auto unattested = std::count_if(m_attestations.begin(), m_attestations.end(), [&](const auto& a) {
        return !record.isAttested(a.first) && needed(a.first);
    });
    if (unattested > 0)
        open.append(unattested == 1 ? tr("1 confirmation outstanding")
                                    : tr("%1 confirmations outstanding").arg(unattested));
    m_reasons->setText(e.reasons.isEmpty() || open.isEmpty() ? QString() : tr("Open: %1.").arg(open.join(u", "_s)));
    m_reasons->setToolTip(e.reasons.join(u'\n'));

    m_findings->clear();
    m_judgedScan = record.latestRun() ? judgedScanId(*record.latestRun()) : std::nullopt;
    updateScanButtons();
    if (const ChecklistRun* run = record.latestRun()) {
        for (const QString& error : run->errors) {
            auto* item = new QTreeWidgetItem(m_findings, {tr("Error"), error});
            item->setTextAlignment(0, Qt::AlignLeft | Qt::AlignTop);
            item->setToolTip(1, error);
        }
        for (const ChecklistFinding& f : run->findings) {
            auto* item = new QTreeWidgetItem(m_findings, {levelText(f.level), f.summary});
            item->setTextAlignment(0, Qt::AlignLeft | Qt::AlignTop); // beside the first line of a wrapped summary
            item->setToolTip(1, f.summary);
            for (const QString& ev : f.evidence)
                new QTreeWidgetItem(item, {QString(), ev});
            item->setExpanded(f.level == FindingLevel::Blocking && f.evidence.size() <= 50);
        }
    }
    for (auto& [key, box] : m_attestations) {
        box->setChecked(record.isAttested(key));
        // What the latest run read and judged is not asked for; a confirmation given earlier stays withdrawable.
        const std::optional<AttestationItem> item = attestationItem(m_step, key);
        if (!item)
            continue;
        const bool ask = record.needsAttestation(*item);
        // Said first: the item's own text is long and the box elides its end.
        box->setText(ask ? item->text : tr("Checked by the latest run, no confirmation needed: %1").arg(item->text));
        box->setToolTip(ask ? QString()
                            : tr("The automatic checks above read this and decide it; a confirmation is asked for "
                                 "only while they cannot read it."));
        box->setEnabled(ask || box->isChecked());
    }
    if (!m_note->hasFocus())
        m_note->setPlainText(record.currentNote());
    m_refreshing = false;
    Q_EMIT completeChanged();
}

void DecommissionStepPage::showMessage(const QString& message)
{
    m_message->setText(message);
}

void DecommissionStepPage::runChecks()
{
    if (checksRunning())
        return;
    m_message->clear();
    m_runButton->setEnabled(false);
    if (m_freshScanButton)
        m_freshScanButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_statusLabel->setText(tr("Running the checks of %1…").arg(checklistStepTitle(m_step)));
    Q_EMIT completeChanged();
    m_wizard->checks().runChecks(m_step, this, [this](const std::optional<ChecklistRun>& run) {
        if (run)
            checksDone(*run);
        else
            checksCancelled();
    });
}

void DecommissionStepPage::cancelChecks()
{
    m_wizard->checks().cancel(m_step);
}

void DecommissionStepPage::updateScanButtons()
{
    if (m_freshScanButton) {
        m_freshScanButton->setVisible(bool(m_wizard->hasFreshScan()));
        m_freshScanButton->setEnabled(!checksRunning());
    }
    if (m_showScanButton) {
        m_showScanButton->setVisible(m_judgedScan && m_wizard->scanOpener());
        if (m_judgedScan)
            m_showScanButton->setText(tr("Show scan %1 in History").arg(*m_judgedScan));
    }
}

void DecommissionStepPage::runFreshScan()
{
    if (checksRunning() || !m_wizard->hasFreshScan())
        return;
    m_message->clear();
    m_runButton->setEnabled(false);
    m_freshScanButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_freshProgress->setValue(0);
    m_freshProgress->setRange(0, 0); // busy until the first file reports its fraction
    m_freshProgress->show();
    m_freshStage->setText(tr("Starting the fresh scan…"));
    Q_EMIT completeChanged();
    // Progress crosses to the GUI thread queued, to this page (dropped if the page is gone), and only when the
    // stage or the whole percent changed (DecommissionChecks filters it).
    m_wizard->checks().runFreshScan(
        this, [this](const QString& stage, double fraction) { showFreshScanProgress(stage, fraction); },
        [this](const Expected<qint64, QString>& outcome) { freshScanDone(outcome); });
}

void DecommissionStepPage::showFreshScanProgress(const QString& stage, double fraction)
{
    if (!m_wizard->checks().isFreshScanRunning())
        return;
    m_freshStage->setText(stage + u'…');
    if (fraction < 0) {
        m_freshProgress->setRange(0, 0);
    } else {
        m_freshProgress->setRange(0, 1000);
        m_freshProgress->setValue(int(fraction * 1000));
    }
}

void DecommissionStepPage::freshScanDone(const Expected<qint64, QString>& outcome)
{
    m_freshProgress->hide();
    m_cancelButton->setEnabled(false);
    m_runButton->setEnabled(true);
    if (!outcome) {
        m_freshStage->clear();
        showMessage(outcome.error());
        updateScanButtons();
        Q_EMIT completeChanged();
        Q_EMIT freshScanFinished(false);
        return;
    }
    m_freshStage->setText(tr("Scan %1 recorded; judging it…").arg(outcome.value()));
    Q_EMIT freshScanFinished(true);
    runChecks(); // judges the latest scan: the one just recorded
}

void DecommissionStepPage::showJudgedScan()
{
    if (m_judgedScan && m_wizard->scanOpener())
        m_wizard->scanOpener()(*m_judgedScan);
}

void DecommissionStepPage::checksDone(const ChecklistRun& run)
{
    m_runButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    if (m_freshStage)
        m_freshStage->clear();
    if (const auto recorded = m_wizard->journal()->recordRun(m_step, run); !recorded)
        showMessage(tr("The result could not be recorded: %1").arg(recorded.error()));
    m_wizard->reloadPages();
    Q_EMIT m_wizard->checksFinished(m_step);
}

void DecommissionStepPage::checksCancelled()
{
    m_runButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    if (m_freshStage)
        m_freshStage->clear();
    m_wizard->reloadPages(); // the status as recorded, without the run that was cancelled
    showMessage(tr("The checks of %1 were cancelled; nothing was recorded.").arg(checklistStepTitle(m_step)));
    updateScanButtons();
    Q_EMIT completeChanged();
}

void DecommissionStepPage::attestationToggled(const QString& key, bool given)
{
    if (m_refreshing)
        return;
    if (const auto recorded = m_wizard->journal()->recordAttestation(m_step, key, given); !recorded)
        showMessage(recorded.error());
    m_wizard->reloadPages();
}

void DecommissionStepPage::saveNote()
{
    if (const auto recorded = m_wizard->journal()->recordNote(m_step, m_note->toPlainText()); !recorded)
        showMessage(recorded.error());
    m_note->clearFocus();
    m_wizard->reloadPages();
}

void DecommissionStepPage::overrideStep()
{
    if (const auto recorded = m_wizard->journal()->recordOverride(m_step, m_overrideReason->text()); !recorded) {
        showMessage(recorded.error());
        return;
    }
    m_message->clear();
    m_overrideReason->clear();
    m_wizard->reloadPages();
}

void openDecommissionWizard(QWidget* parent, const DecommissionWizardFactory& factory)
{
    if (!factory) {
        QMessageBox::information(parent, QWizard::tr("Decommission wizard"),
                                 QWizard::tr("The decommission wizard needs Sunset's history; start Sunset normally "
                                             "(not as an embedded window)."));
        return;
    }
    QWidget* wizard = factory(parent);
    if (!wizard)
        return;
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->show();
}

} // namespace sunset
