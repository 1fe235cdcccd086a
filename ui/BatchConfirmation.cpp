// SPDX-License-Identifier: Apache-2.0
#include "BatchConfirmation.h"

#include <QMessageBox>
#include <QPushButton>
#include <QStringList>

namespace sunset {

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

void BatchConfirmation::queueAnswers(const QList<bool>& answers) { queued() += answers; }

QStringList BatchConfirmation::askedQuestions() { return asked(); }

void BatchConfirmation::reset()
{
    queued().clear();
    asked().clear();
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
