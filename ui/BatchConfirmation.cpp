// SPDX-License-Identifier: Apache-2.0
#include "BatchConfirmation.h"

#include "WritebackBatch.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStringList>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QList<bool>& BatchConfirmation::queued()
{
    static QList<bool> answers;
    return answers;
}

QStringList& BatchConfirmation::asked()
{
    static QStringList questions;
    return questions;
}

QStringList& BatchConfirmation::queuedReasons()
{
    static QStringList reasons;
    return reasons;
}

QStringList& BatchConfirmation::askedReasonPrompts()
{
    static QStringList prompts;
    return prompts;
}

void BatchConfirmation::queueAnswers(const QList<bool>& answers) { queued() += answers; }

QStringList BatchConfirmation::askedQuestions() { return asked(); }

void BatchConfirmation::queueReasons(const QStringList& reasons) { queuedReasons() += reasons; }

QStringList BatchConfirmation::askedReasons() { return askedReasonPrompts(); }

void BatchConfirmation::reset()
{
    queued().clear();
    asked().clear();
    queuedReasons().clear();
    askedReasonPrompts().clear();
}

void BatchConfirmation::askReason(QWidget* parent, const QString& title, const QString& question,
                                  const QString& okText, std::function<void(std::optional<QString> reason)> then)
{
    if (!queuedReasons().isEmpty()) {
        askedReasonPrompts().append(question);
        then(queuedReasons().takeFirst());
        return;
    }
    auto* dialog = new QDialog(parent);
    dialog->setObjectName(u"breakGlassReasonDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(title);
    dialog->resize(640, 360);
    auto* layout = new QVBoxLayout(dialog);
    auto* text = new QLabel(question, dialog);
    text->setObjectName(u"breakGlassQuestion"_s);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text);
    auto* edit = new QPlainTextEdit(dialog);
    edit->setObjectName(u"breakGlassReason"_s);
    edit->setPlaceholderText(QObject::tr("Why this batch is written directly to AD instead of by Cloud Sync, e.g. "
                                         "\"Writeback job quarantined since Monday, CHG-4711\""));
    edit->setTabChangesFocus(true);
    layout->addWidget(edit, 1);
    auto* problem = new QLabel(dialog);
    problem->setObjectName(u"breakGlassProblem"_s);
    problem->setWordWrap(true);
    problem->setStyleSheet(u"color: #b71c1c;"_s);
    layout->addWidget(problem);
    auto* buttons = new QDialogButtonBox(dialog);
    QPushButton* ok = buttons->addButton(okText, QDialogButtonBox::AcceptRole);
    ok->setObjectName(u"breakGlassOk"_s);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    // OK only for a reason the history will take: the same rule as sunset-cli's --reason and HistoryStore.
    const auto check = [edit, ok, problem] {
        const auto why = breakGlassReasonProblem(edit->toPlainText());
        ok->setEnabled(!why);
        problem->setText(why.value_or(QString()));
    };
    check();
    QObject::connect(edit, &QPlainTextEdit::textChanged, dialog, check);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    QObject::connect(dialog, &QDialog::finished, dialog, [edit, then = std::move(then)](int result) {
        then(result == QDialog::Accepted ? std::optional<QString>(edit->toPlainText()) : std::nullopt);
    });
    dialog->open();
    edit->setFocus();
}

void BatchConfirmation::ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
                            std::function<void(bool yes)> then)
{
    if (!queued().isEmpty()) {
        asked().append(question);
        then(queued().takeFirst());
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, title, question, QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    QPushButton* yes = box->addButton(yesText, QMessageBox::AcceptRole);
    QPushButton* no = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(no); // a stray Enter must not write to the directory
    box->setEscapeButton(no);
    QObject::connect(box, &QMessageBox::finished, box,
                     [box, yes, then = std::move(then)](int) { then(box->clickedButton() == yes); });
    box->open();
}

} // namespace sunset
