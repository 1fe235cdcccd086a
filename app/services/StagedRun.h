// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "platform/AsyncRun.h"
#include "platform/BackgroundFuture.h"
#include "platform/WhenFinished.h"

#include <QString>

#include <functional>
#include <utility>

namespace sunset {

// A service's async work made of reads one after the other (a comparison's inputs, the wizard's fresh scan), seen
// through one QFuture<Expected<Value, QString>>: each stage is a future (a blocking read in the background, a live
// client read) whose value goes on to the next stage and whose error ends the run with the error in words. A
// cancel of the run's future cancels the stage under way. The subclass starts the first stage and calls succeed()
// at the end. Blocking stages run on threads owned by the run's owner (none: by themselves), so the run may go as
// soon as its future ended.
template <typename Value> class StagedRun : public AsyncRun<Expected<Value, QString>> {
protected:
    StagedRun(QObject* owner, QString threadName)
        : AsyncRun<Expected<Value, QString>>(owner)
        , m_threadName(std::move(threadName))
    {
    }

    // Blocking work on a thread of its own (backgroundFuture); TaskControl's cancel flag is set by a cancel.
    template <typename T, typename Work> QFuture<T> inBackground(Work work)
    {
        return backgroundFuture<T>(this->parent(), m_threadName, std::move(work));
    }

    // stage is the read under way; next(value) runs when it succeeded, on this thread. Its error ends the run,
    // after failurePrefix when given ("The fresh scan could not read AD: ").
    template <typename T, typename Next> void then(QFuture<T> stage, Next next, QString failurePrefix = {})
    {
        m_cancelStage = [stage]() mutable { stage.cancel(); };
        whenFinished(std::move(stage), this, [this, next = std::move(next), failurePrefix](QFuture<T> done) mutable {
            m_cancelStage = {};
            if (this->hasEnded())
                return;
            if (done.resultCount() == 0) // the stage's thread or client went without an answer
                return fail(failurePrefix + QStringLiteral("the read stopped without an answer"));
            T result = done.takeResult();
            if (!result)
                return fail(failurePrefix + describe(result.error()));
            next(std::move(result.value()));
        });
    }

    void succeed(Value value)
    {
        this->deliver(std::move(value));
        this->deleteLater();
    }
    void fail(const QString& error)
    {
        this->deliver(error);
        this->deleteLater();
    }

private:
    static QString describe(const QString& error) { return error; }
    static QString describe(const ImportError& error) { return error.toString(); }

    void stop() override
    {
        if (m_cancelStage)
            m_cancelStage();
        this->end();
        this->deleteLater();
    }

    QString m_threadName;
    std::function<void()> m_cancelStage;
};

} // namespace sunset
