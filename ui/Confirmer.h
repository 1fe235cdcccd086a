// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <functional>
#include <optional>

class QWidget;

namespace sunset {

// Asks the admin to decide, without a nested event loop: `then` runs once the answer is known. Injected into the
// dialogs and flows that ask (BatchReviewDialog, BatchFlow), so that tests and the screenshot tool answer for the
// admin (KeePassXC's "next answer" seam) without any state shared between them.
class Confirmer {
public:
    virtual ~Confirmer() = default;

    // A yes/no question; yesText labels the button that says yes.
    virtual void ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
                     std::function<void(bool yes)> then) = 0;

    // A break-glass reason: `then` gets the text given, or nullopt when the admin cancelled. The caller checks the
    // text again (breakGlassReasonProblem()): not every Confirmer refuses a short one before answering.
    virtual void askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                           std::function<void(std::optional<QString> reason)> then) = 0;
};

// The admin's own answers: window-modal boxes over `parent`, opened (never exec'd). The question's box has Cancel
// as its default button, so a stray Enter writes nothing; the reason prompt keeps OK disabled until
// breakGlassReasonProblem() accepts the text (BreakGlassReasonPrompt).
class DialogConfirmer final : public Confirmer {
public:
    void ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
             std::function<void(bool yes)> then) override;
    void askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                   std::function<void(std::optional<QString> reason)> then) override;
};

} // namespace sunset
