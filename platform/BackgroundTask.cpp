// SPDX-License-Identifier: Apache-2.0
#include "BackgroundTask.h"

#include <QPromise>
#include <QThread>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

TaskControl::TaskControl(const QPromise<void>& promise, const CancelFlag& cancel, std::function<void(Deliver)> post)
    : m_promise(promise)
    , m_cancel(cancel)
    , m_post(std::move(post))
{
}

bool TaskControl::isCanceled() const
{
    return m_promise.isCanceled();
}

BackgroundTaskBase::BackgroundTaskBase(QObject* context, QString threadName)
    : m_context(context)
    , m_threadName(std::move(threadName))
{
    // The relay lives on this thread and checks the context there: both must be the same thread.
    Q_ASSERT(context && context->thread() == QThread::currentThread());
}

BackgroundTaskBase::~BackgroundTaskBase()
{
    cancel();
    wait();
    // m_relay goes with this object: deliveries still queued for it are dropped (Qt removes a deleted object's
    // posted events), so nothing reaches the context after its task is gone.
}

void BackgroundTaskBase::cancel()
{
    // The flag first: work that polls it and work that asks the promise see the same answer from here on.
    m_cancel.store(true);
    m_future.cancel();
}

void BackgroundTaskBase::wait()
{
    if (m_thread)
        m_thread->wait();
}

bool BackgroundTaskBase::startBody(Body body, Failed failed)
{
    if (m_thread && !m_future.isFinished())
        return false;
    // The last run's work has returned; its thread may still be returning from run(): moments, then it is gone.
    // Its outcome, when not delivered yet, is superseded by this run and dropped.
    wait();
    m_thread.reset();
    m_cancel.store(false);
    m_outcomePending = true;
    const quint64 run = ++m_run;

    auto promise = std::make_shared<QPromise<void>>();
    m_future = promise->future();
    promise->start(); // here, not on the thread: a cancel() before the thread runs is not undone by a late start

    // Queued on the relay (this thread), which the worker can always reach: the task outlives its thread.
    const auto post = [this](TaskControl::Deliver deliver) {
        QMetaObject::invokeMethod(
            &m_relay,
            [this, deliver = std::move(deliver)] {
                if (m_context && deliver)
                    deliver();
            },
            Qt::QueuedConnection);
    };
    const auto outcome = [this, run](TaskControl::Deliver deliver) {
        QMetaObject::invokeMethod(
            &m_relay,
            [this, run, deliver = std::move(deliver)] {
                if (run != m_run)
                    return;
                m_outcomePending = false;
                if (m_context && deliver) {
                    m_delivering = true; // the callback must not delete this task (a group prunes around it)
                    deliver();
                    m_delivering = false;
                }
            },
            Qt::QueuedConnection);
    };
    m_thread.reset(QThread::create([this, body = std::move(body), failed = std::move(failed), promise, post, outcome] {
        TaskControl control(*promise, m_cancel, post);
        TaskControl::Deliver deliver;
        try {
            deliver = body(control);
        } catch (const std::exception& e) {
            promise->setException(std::current_exception());
            deliver = [failed, what = QString::fromLocal8Bit(e.what())] {
                if (failed)
                    failed(what);
            };
        } catch (...) {
            promise->setException(std::current_exception());
            deliver = [failed] {
                if (failed)
                    failed(u"the background work stopped with an exception that is not a std::exception"_s);
            };
        }
        promise->finish();
        outcome(std::move(deliver));
    }));
    m_thread->setObjectName(m_threadName);
    m_thread->start();
    return true;
}

} // namespace sunset
