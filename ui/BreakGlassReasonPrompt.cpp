// SPDX-License-Identifier: Apache-2.0
#include "BreakGlassReasonPrompt.h"

#include "WritebackBatch.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

BreakGlassReasonPrompt::BreakGlassReasonPrompt(const QString& title, const QString& question, const QString& okText,
                                               std::function<void(std::optional<QString> reason)> answered,
                                               QWidget* parent)
    : QDialog(parent)
{
    setObjectName(u"breakGlassReasonDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowModality(Qt::WindowModal);
    setWindowTitle(title);
    resize(640, 360);
    auto* layout = new QVBoxLayout(this);
    auto* text = new QLabel(question, this);
    text->setObjectName(u"breakGlassQuestion"_s);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text);
    m_edit = new QPlainTextEdit(this);
    m_edit->setObjectName(u"breakGlassReason"_s);
    m_edit->setPlaceholderText(tr("Why this batch is written directly to AD instead of by Cloud Sync, e.g. "
                                  "\"Writeback job quarantined since Monday, CHG-4711\""));
    m_edit->setTabChangesFocus(true);
    layout->addWidget(m_edit, 1);
    m_problem = new QLabel(this);
    m_problem->setObjectName(u"breakGlassProblem"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #b71c1c;"_s);
    layout->addWidget(m_problem);
    auto* buttons = new QDialogButtonBox(this);
    m_ok = buttons->addButton(okText, QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(u"breakGlassOk"_s);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    checkReason();
    connect(m_edit, &QPlainTextEdit::textChanged, this, &BreakGlassReasonPrompt::checkReason);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::finished, this, [this, answered = std::move(answered)](int result) {
        answered(result == QDialog::Accepted ? std::optional<QString>(m_edit->toPlainText()) : std::nullopt);
    });
}

BreakGlassReasonPrompt::~BreakGlassReasonPrompt() = default;

void BreakGlassReasonPrompt::open()
{
    QDialog::open();
    m_edit->setFocus();
}

void BreakGlassReasonPrompt::setReason(const QString& reason)
{
    m_edit->setPlainText(reason);
}

// OK only for a reason the history will take.
void BreakGlassReasonPrompt::checkReason()
{
    const auto why = breakGlassReasonProblem(m_edit->toPlainText());
    m_ok->setEnabled(!why);
    m_problem->setText(why.value_or(QString()));
}

} // namespace sunset
