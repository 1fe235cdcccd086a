// SPDX-License-Identifier: Apache-2.0
#pragma once

// A test's answers to the questions a flow asks (KeePassXC's "next answer" seam, held by the test, not by the
// product): while answers or reasons are queued, no box is shown, `then` runs at once with the next one, and the
// question is kept. With nothing queued the real window-modal box opens, as for the admin.
#include "Confirmer.h"

#include <QList>
#include <QStringList>

namespace sunset::test {

class ScriptedConfirmer final : public Confirmer {
public:
    void queueAnswers(const QList<bool>& answers) { m_answers += answers; }
    // Given as they are, even when breakGlassReasonProblem() refuses them: the caller checks them again.
    void queueReasons(const QStringList& reasons) { m_reasons += reasons; }
    QStringList askedQuestions() const { return m_askedQuestions; } // answered from the queue, oldest first
    QStringList askedReasons() const { return m_askedReasons; }     // answered from the queue, oldest first
    void reset() // forget queued answers and reasons, and the questions asked
    {
        m_answers.clear();
        m_reasons.clear();
        m_askedQuestions.clear();
        m_askedReasons.clear();
    }

    void ask(QWidget* parent, const QString& title, const QString& question, const QString& yesText,
             std::function<void(bool yes)> then) override
    {
        if (m_answers.isEmpty())
            return m_real.ask(parent, title, question, yesText, std::move(then));
        m_askedQuestions.append(question);
        then(m_answers.takeFirst());
    }

    void askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                   std::function<void(std::optional<QString> reason)> then) override
    {
        if (m_reasons.isEmpty())
            return m_real.askReason(parent, title, question, okText, std::move(then));
        m_askedReasons.append(question);
        then(m_reasons.takeFirst());
    }

private:
    DialogConfirmer m_real;
    QList<bool> m_answers;
    QStringList m_reasons;
    QStringList m_askedQuestions;
    QStringList m_askedReasons;
};

} // namespace sunset::test
