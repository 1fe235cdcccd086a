// SPDX-License-Identifier: Apache-2.0
#include "BatchReviewDialog.h"

#include "Confirmer.h"
#include "HighlightingDelegate.h"
#include "WritebackBatch.h"

#include <QAbstractItemModel>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {
QString counted(qint64 n, const QString& one, const QString& many)
{
    return QLocale().toString(n) + u' ' + (n == 1 ? one : many);
}
} // namespace

BatchReviewDialog::BatchReviewDialog(std::shared_ptr<Confirmer> confirmer, QWidget* parent)
    : QDialog(parent)
    , m_confirmer(std::move(confirmer))
{
    setObjectName(u"batchReviewDialog"_s);
    setWindowTitle(tr("Review writeback batch"));
    setSizeGripEnabled(true);
    resize(1300, 760);

    auto* layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(u"batchTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    layout->addWidget(m_title);

    m_counts = new QLabel(this);
    m_counts->setObjectName(u"batchCounts"_s);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_counts);

    m_target = new QLabel(this);
    m_target->setObjectName(u"batchTarget"_s);
    m_target->setWordWrap(true);
    m_target->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_target);

    m_breakGlass = new QLabel(this);
    m_breakGlass->setObjectName(u"batchBreakGlass"_s);
    m_breakGlass->setWordWrap(true);
    m_breakGlass->setTextFormat(Qt::RichText);
    m_breakGlass->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_breakGlass->setStyleSheet(u"#batchBreakGlass { background: #ffebee; border: 1px solid #e53935; "
                                u"border-radius: 4px; padding: 6px; }"_s);
    layout->addWidget(m_breakGlass);

    m_issues = new QLabel(this);
    m_issues->setObjectName(u"batchIssues"_s);
    m_issues->setWordWrap(true);
    m_issues->setTextFormat(Qt::RichText);
    m_issues->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_issues->setStyleSheet(u"#batchIssues { background: #fff8e1; border: 1px solid #ffca28; border-radius: 4px; "
                            u"padding: 6px; }"_s);
    layout->addWidget(m_issues);

    m_view = new QTableView(this);
    m_view->setObjectName(u"batchChangesView"_s);
    m_view->setItemDelegate(new HighlightingDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(true);
    m_view->setAlternatingRowColors(true);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setHighlightSections(false);
    layout->addWidget(m_view, 1);

    auto* progressRow = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setObjectName(u"batchStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"batchProgress"_s);
    m_progress->setMaximumWidth(320);
    m_progress->setFormat(tr("%v of %m objects"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(u"batchCancel"_s);
    m_cancel->setToolTip(tr("Stop after the objects already sent; the rest stay unsent and can be resumed (Esc)"));
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling: waiting for the objects already sent…"));
        Q_EMIT cancelApplyRequested();
    });
    progressRow->addWidget(m_status, 1);
    progressRow->addWidget(m_progress);
    progressRow->addWidget(m_cancel);
    layout->addLayout(progressRow);

    auto* buttons = new QDialogButtonBox(this);
    m_approve = buttons->addButton(tr("&Approve…"), QDialogButtonBox::ActionRole);
    m_approve->setObjectName(u"batchApprove"_s);
    m_approve->setToolTip(tr("Record this batch as approved by you, after a confirmation (Alt+A)"));
    m_apply = buttons->addButton(tr("A&pply"), QDialogButtonBox::ActionRole);
    m_apply->setObjectName(u"batchApply"_s);
    m_apply->setToolTip(tr("Send the approved batch, object by object, recording each result (Alt+P)"));
    m_close = buttons->addButton(QDialogButtonBox::Close);
    m_close->setObjectName(u"batchClose"_s);
    connect(m_approve, &QPushButton::clicked, this, &BatchReviewDialog::approve);
    connect(m_apply, &QPushButton::clicked, this, [this] { Q_EMIT applyRequested(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &BatchReviewDialog::reject);
    layout->addWidget(buttons);

    updateButtons();
}

BatchReviewDialog::~BatchReviewDialog() = default;

void BatchReviewDialog::setChangesModel(QAbstractItemModel* model)
{
    m_view->setModel(model);
    QHeaderView* header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    if (model && model->columnCount() == 5) { // object, attribute, delete, add, result
        header->resizeSection(0, 330);
        header->resizeSection(1, 215);
        header->setSectionResizeMode(2, QHeaderView::Stretch);
        header->setSectionResizeMode(3, QHeaderView::Stretch);
        header->resizeSection(4, 170);
    }
}

void BatchReviewDialog::setBatchId(qint64 id)
{
    m_batchId = id;
    setWindowTitle(id > 0 ? tr("Writeback batch %1").arg(id) : tr("Review writeback batch"));
}

void BatchReviewDialog::setSummary(const Summary& summary)
{
    m_summary = summary;
    const QLocale locale;
    m_title->setText(summary.title);
    m_counts->setText(tr("%1 in %2: %3 deleted, %4 added (highlighted: the values that really go or come)")
                          .arg(counted(summary.attributes, tr("attribute"), tr("attributes")),
                               counted(summary.objects, tr("object"), tr("objects")),
                               counted(summary.valuesDeleted, tr("value"), tr("values")),
                               counted(summary.valuesAdded, tr("value"), tr("values"))));
    m_status->setStyleSheet(QString());
    m_status->setText(summary.objects == 0 && !summary.refusals.isEmpty()
                          ? tr("Nothing to write: every ticked item was left out (see above).")
                          : QString());
    setTarget(summary.target, summary.cannotApply);
    QString issues;
    const auto list = [](const QString& heading, const QStringList& items) -> QString {
        QString html = u"<b>"_s + heading.toHtmlEscaped() + u"</b><ul style=\"margin: 2px 0px;\">"_s;
        for (const QString& item : items)
            html += u"<li>"_s + item.toHtmlEscaped() + u"</li>"_s;
        return html + u"</ul>"_s;
    };
    QString breakGlass;
    if (!summary.breakGlassHeadline.isEmpty()) {
        breakGlass = list(summary.breakGlassHeadline, summary.cloudSync);
        if (!summary.breakGlassReason.isEmpty())
            breakGlass += u"<b>"_s + tr("Break-glass reason:").toHtmlEscaped() + u"</b> "_s +
                          summary.breakGlassReason.toHtmlEscaped();
    }
    m_breakGlass->setText(breakGlass);
    m_breakGlass->setVisible(!breakGlass.isEmpty());
    if (!summary.warnings.isEmpty())
        issues += list(tr("Before you approve"), summary.warnings);
    if (!summary.refusals.isEmpty())
        issues += list(tr("Left out of this batch (%n)", nullptr, int(summary.refusals.size())), summary.refusals);
    m_issues->setText(issues);
    m_issues->setVisible(!issues.isEmpty());
    m_progress->setRange(0, int(std::max<qint64>(summary.objects, 1)));
    m_progress->setValue(0);
    updateButtons();
}

void BatchReviewDialog::setTarget(const QString& target, const QString& cannotApply)
{
    m_summary.target = target;
    m_summary.cannotApply = cannotApply;
    m_target->setText(cannotApply.isEmpty() ? tr("Apply writes to %1.").arg(target) : cannotApply);
    updateButtons();
}

void BatchReviewDialog::setStage(Stage stage)
{
    m_stage = stage;
    if (stage == Stage::Applying) {
        m_cancel->setEnabled(true);
        m_status->setText(tr("Applying…"));
    }
    updateButtons();
}

void BatchReviewDialog::updateButtons()
{
    const bool hasObjects = m_summary.objects > 0;
    m_approve->setVisible(m_stage == Stage::Review);
    m_approve->setEnabled(hasObjects);
    m_apply->setVisible(m_stage == Stage::Approved);
    m_apply->setEnabled(m_stage == Stage::Approved && m_summary.cannotApply.isEmpty());
    m_cancel->setVisible(m_stage == Stage::Applying);
    m_progress->setVisible(m_stage == Stage::Applying || m_stage == Stage::Finished);
    m_close->setEnabled(m_stage != Stage::Applying);
}

void BatchReviewDialog::showProgress(qint64 doneObjects, qint64 totalObjects)
{
    m_progress->setRange(0, int(std::max<qint64>(totalObjects, 1)));
    m_progress->setValue(int(doneObjects));
}

void BatchReviewDialog::showOutcome(const QString& text, bool success)
{
    m_status->setStyleSheet(success ? QString() : u"color: #b71c1c;"_s);
    m_status->setText(text);
}

void BatchReviewDialog::showError(const QString& text) { showOutcome(text, false); }

void BatchReviewDialog::approve()
{
    if (m_stage != Stage::Review || m_summary.objects == 0)
        return;
    // The reason first: this write bypasses Cloud Sync, which owns these attributes. What Cloud Sync can do is in
    // the prompt, so the reason is given against it.
    QString prompt = tr("This batch writes directly to AD, bypassing Entra Cloud Sync: the break-glass path.");
    for (const QString& line : m_summary.cloudSync)
        prompt += u"\n\n\u2022 "_s + line;
    prompt += u"\n\n"_s + tr("Why is it written directly? The reason is recorded in the history with your approval.");
    m_confirmer->askReason(this, tr("Break-glass reason"), prompt, tr("Continue…"),
                           [this](std::optional<QString> reason) {
                               if (!reason)
                                   return;
                               if (const auto problem = breakGlassReasonProblem(*reason))
                                   return showError(*problem + u' ' + tr("Nothing was approved."));
                               confirmApproval(reason->trimmed());
                           });
}

void BatchReviewDialog::confirmApproval(const QString& reason)
{
    const QLocale locale;
    const QString first =
        tr("Approve this batch? It changes %1 of %2: %3 deleted and %4 added, exactly as listed. The approval "
           "is recorded in the history under your name, with the break-glass reason \u201C%5\u201D.")
            .arg(counted(m_summary.attributes, tr("attribute"), tr("attributes")),
                 counted(m_summary.objects, tr("object"), tr("objects")),
                 counted(m_summary.valuesDeleted, tr("value"), tr("values")),
                 counted(m_summary.valuesAdded, tr("value"), tr("values")), reason);
    m_confirmer->ask(this, tr("Approve batch"), first, tr("Approve"), [this, locale, reason](bool yes) {
        if (!yes)
            return;
        if (!m_summary.needsSecondConfirmation)
            return Q_EMIT approveRequested(false, reason);
        const QString second =
            tr("This batch changes %1 objects, more than a batch should without a second look. Approve all %1?")
                .arg(locale.toString(m_summary.objects));
        m_confirmer->ask(this, tr("Approve a large batch"), second, tr("Approve all"), [this, reason](bool again) {
            if (again)
                Q_EMIT approveRequested(true, reason);
        });
    });
}

void BatchReviewDialog::reject()
{
    if (m_stage == Stage::Applying) {
        // Esc (or closing) while applying means Cancel: the apply stops after the objects already sent, and the
        // dialog stays to show what was recorded.
        if (m_cancel->isEnabled())
            m_cancel->click();
        return;
    }
    QDialog::reject();
}

} // namespace sunset
