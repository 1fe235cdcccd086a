// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "platform/AsyncRun.h"
#include "platform/BackgroundTask.h"

#include <utility>

namespace sunset {

namespace detail {

template <typename T> class BackgroundRun final : public AsyncRun<T> {
public:
    BackgroundRun(QObject* owner, QString threadName)
        : AsyncRun<T>(owner)
        , m_task(this, std::move(threadName))
    {
    }

    void start(typename BackgroundTask<T>::Work work)
    {
        m_task.start(
            std::move(work),
            [this](T result) {
                this->deliver(std::move(result));
                this->deleteLater();
            },
            [this](const QString&) {
                this->endCancelled();
                this->deleteLater();
            });
    }

private:
    // The future ends now; the work stops where it next looks at the flag, and this run goes once it has returned
    // (or with its owner, whose end then waits for it: no thread outlives its owner).
    void stop() override
    {
        m_task.cancel();
        this->end();
    }

    BackgroundTask<T> m_task; // last: destroyed first, it cancels and waits while the promise is still there
};

} // namespace detail

// Blocking work (an LDAP read, a file read, a history read) as a future: run on a BackgroundTask of its own, owned by
// owner (nullptr: by itself, until the work returned), its result delivered on this thread. Cancelling the future
// ends it at once and sets the work's cancel flag; an exception the work lets escape ends it cancelled. Call it
// on a thread with an event loop.
template <typename T>
QFuture<T> backgroundFuture(QObject* owner, QString threadName, typename BackgroundTask<T>::Work work)
{
    auto* run = new detail::BackgroundRun<T>(owner, std::move(threadName));
    run->start(std::move(work));
    return run->future();
}

} // namespace sunset
