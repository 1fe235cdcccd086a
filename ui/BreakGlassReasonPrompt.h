// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

#include <functional>
#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace sunset {

// The window-modal prompt for a break-glass reason (why a batch is written directly to AD, bypassing Cloud Sync):
// the question, a text box, and OK kept disabled, with the problem in words, until breakGlassReasonProblem()
// accepts the text (the rule sunset-cli's --reason and HistoryStore apply). `answered` gets the text on OK, nullopt
// on Cancel; the prompt deletes itself when closed.
class BreakGlassReasonPrompt final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakGlassReasonPrompt)

public:
    BreakGlassReasonPrompt(const QString& title, const QString& question, const QString& okText,
                           std::function<void(std::optional<QString> reason)> answered, QWidget* parent);
    ~BreakGlassReasonPrompt() override;

    void open() override; // window-modal, with the text box focused

    // The reason in the text box, as if typed (the documentation's screenshot shows one).
    void setReason(const QString& reason);

private:
    void checkReason();

    QPlainTextEdit* m_edit = nullptr;
    QLabel* m_problem = nullptr;
    QPushButton* m_ok = nullptr;
};

} // namespace sunset
