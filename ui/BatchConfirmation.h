// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <functional>

class QWidget;

namespace sunset {

// Asks the admin a yes/no question about a batch without a nested event loop: a window-modal message box is
// opened and `then` runs when it is answered. Tests queue answers instead (KeePassXC's "next answer" seam):
// while answers are queued, no box is shown, `then` runs at once with the next one, and the question is kept.
class BatchConfirmation final {
public:
    static void ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
                    std::function<void(bool yes)> then);

    static void queueAnswers(const QList<bool>& answers);
    static QStringList askedQuestions(); // every question asked while answers were queued, oldest first
    static void reset();                 // forget queued answers and asked questions

private:
    static QList<bool>& queued();
    static QStringList& asked();
};

} // namespace sunset
