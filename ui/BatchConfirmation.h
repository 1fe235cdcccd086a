// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <functional>
#include <optional>

class QWidget;

namespace sunset {

// Asks the admin a yes/no question about a batch without a nested event loop: a window-modal message box is
// opened and `then` runs when it is answered. Tests queue answers instead (KeePassXC's "next answer" seam):
// while answers are queued, no box is shown, `then` runs at once with the next one, and the question is kept.
class BatchConfirmation final {
public:
    static void ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
                    std::function<void(bool yes)> then);

    // Asks for a break-glass reason the same way: a window-modal prompt whose OK stays disabled until
    // breakGlassReasonProblem() accepts the text; `then` gets the text, or nullopt when cancelled. While reasons
    // are queued, no prompt is shown and `then` gets the next one as given (the caller checks it again).
    static void askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                          std::function<void(std::optional<QString> reason)> then);

    static void queueAnswers(const QList<bool>& answers);
    static QStringList askedQuestions(); // every question asked while answers were queued, oldest first
    static void queueReasons(const QStringList& reasons);
    static QStringList askedReasons();   // every reason prompt shown while reasons were queued, oldest first
    static void reset();                 // forget queued answers and reasons, asked questions and prompts

private:
    static QList<bool>& queued();
    static QStringList& asked();
    static QStringList& queuedReasons();
    static QStringList& askedReasonPrompts();
};

} // namespace sunset
