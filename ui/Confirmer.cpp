// SPDX-License-Identifier: Apache-2.0
#include "Confirmer.h"

#include "BreakGlassReasonPrompt.h"

#include <QMessageBox>
#include <QPushButton>

namespace sunset {

void DialogConfirmer::askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                                std::function<void(std::optional<QString> reason)> then)
{
    auto* prompt = new BreakGlassReasonPrompt(title, question, okText, std::move(then), parent);
    prompt->open();
}

void DialogConfirmer::ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
                          std::function<void(bool yes)> then)
{
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
