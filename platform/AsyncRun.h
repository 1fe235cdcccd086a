// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>

#include <utility>

namespace sunset {

// One piece of async work seen through a QFuture<T>: the object that keeps what the work needs until it ends, with
// the future's promise. A cancel of the future (by whoever holds it) reaches stop(); the work ends the future once,
// with a result (deliver) or without one (end: the future then reads as cancelled or empty). Made on the thread
// whose event loop serves the work, as a child of the work's owner (none: it deletes itself once done); destroyed
// early, with its owner, it ends the future cancelled. The shapes: clientFuture (platform/ClientFuture.h) and
// backgroundFuture (platform/BackgroundFuture.h); the services compose them (a checklist step's reads).
template <typename T> class AsyncRun : public QObject {
public:
    AsyncRun(const AsyncRun&) = delete;
    AsyncRun& operator=(const AsyncRun&) = delete;

    QFuture<T> future() { return m_promise.future(); }

protected:
    explicit AsyncRun(QObject* owner)
        : QObject(owner)
    {
        m_promise.start();
        // The watcher hears a cancel of the future from any holder, on this object's thread.
        QObject::connect(&m_cancelWatch, &QFutureWatcherBase::canceled, this, [this] {
            if (!m_ended)
                stop();
        });
        m_cancelWatch.setFuture(m_promise.future());
    }
    ~AsyncRun() override
    {
        if (!m_ended) // its owner went first: whoever waits hears a cancel, not silence
            endCancelled();
    }

    // The future was cancelled: stop the work (the run ends the future itself, at once or when the work let go).
    virtual void stop() = 0;

    void deliver(T result)
    {
        if (!m_ended && !m_promise.isCanceled())
            m_promise.addResult(std::move(result));
        end();
    }
    void end()
    {
        if (m_ended)
            return;
        m_ended = true;
        m_promise.finish();
    }
    // Ends without a result and says so: the work could not go on (its client was destroyed, it threw).
    void endCancelled()
    {
        m_promise.future().cancel();
        end();
    }
    bool hasEnded() const { return m_ended; }

private:
    QPromise<T> m_promise;
    QFutureWatcher<T> m_cancelWatch;
    bool m_ended = false;
};

} // namespace sunset
