// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QString>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

class QThread;

template <typename T> class QPromise;

namespace sunset {

// The one cancel flag of background work: set by BackgroundTask::cancel() (and its destructor), read by the work.
// A plain atomic so that the services a task calls (they take `const CancelFlag*`) need nothing from Qt's futures.
using CancelFlag = std::atomic_bool;

// The common runner's result: the call that ends the run (emit finished or failed), made on the context's thread
// once the work has returned. BackgroundTask<TaskOutcome> makes it when start() is given no finished callback.
using TaskOutcome = std::function<void()>;

// What a task's work sees on its thread: whether Cancel was asked, and a way to send word back to the context.
class TaskControl final {
public:
    using Deliver = std::function<void()>;

    TaskControl(const QPromise<void>& promise, const CancelFlag& cancel, std::function<void(Deliver)> post);

    // Cancel was asked (the promise's cancel state; the flag below says the same).
    bool isCanceled() const;
    // For services that poll a flag instead of a promise (history exports, checklist checks, on-demand runs).
    const CancelFlag* cancelFlag() const { return &m_cancel; }
    // Runs deliver on the context's thread, after everything posted before it; dropped once the context or the
    // task is gone. Progress goes this way: QPromise::setProgressValue takes an int, drops values that do not
    // grow and emits at most 25 a second (Qt 6.4's QFutureInterface), while the runners report typed progress
    // (entries, bytes of a file, a service's rate) and every step of it.
    void post(Deliver deliver) const { m_post(std::move(deliver)); }

private:
    const QPromise<void>& m_promise;
    const CancelFlag& m_cancel;
    std::function<void(Deliver)> m_post;
};

// What BackgroundTask<T> shares whatever T is: the thread, the promise (cancel and the running state), and the
// delivery of callbacks to the context. Not used on its own.
class BackgroundTaskBase {
public:
    BackgroundTaskBase(const BackgroundTaskBase&) = delete;
    BackgroundTaskBase& operator=(const BackgroundTaskBase&) = delete;

    // Asks the work to stop (the promise is cancelled and the flag set); it stops where it next looks.
    void cancel();
    // Started and its outcome not yet delivered (false again in the finished or failed callback, which may start
    // the next run; the thread may still be ending then, and the next start waits those moments for it). Once the
    // work has returned, start() goes ahead even before that outcome is delivered, and drops it.
    bool isRunning() const { return m_outcomePending; }
    bool isCanceled() const { return m_cancel.load(); }
    // In its finished or failed callback right now (which must not delete the task: deleteLater its owner).
    bool isDelivering() const { return m_delivering; }
    // Blocks until the thread has ended. Destructors do it; the GUI thread never should otherwise.
    void wait();

protected:
    // Runs on the thread and returns the outcome to deliver to the context (after the promise is finished, so that
    // isRunning() is false in the callback and it may start the next run).
    using Body = std::function<TaskControl::Deliver(TaskControl&)>;
    using Failed = std::function<void(const QString& what)>;

    BackgroundTaskBase(QObject* context, QString threadName);
    ~BackgroundTaskBase(); // cancels and waits: no thread outlives its task
    bool startBody(Body body, Failed failed);

private:
    QPointer<QObject> m_context;
    QString m_threadName;
    QObject m_relay; // queued deliveries land here (it dies with the task, after the thread): then the context
    std::unique_ptr<QThread> m_thread;
    QFuture<void> m_future;
    CancelFlag m_cancel{false};
    bool m_outcomePending = false; // read and written on the context's thread only
    quint64 m_run = 0;             // which start() an outcome belongs to
    bool m_delivering = false;
};

// One piece of work on a thread of its own (named, so a debugger or `top -H` tells which), owned by the object that
// starts it. The work returns a T (or nothing); its outcome arrives as a callback on the context object's thread,
// and none arrives once the context is destroyed. The destructor cancels and waits, so a task that is a member of
// the object its work reports to can never report into a destroyed object. One run at a time; a finished task can
// be started again. Threads of their own, not the global pool: a live scan blocks for minutes on LDAP or HTTP,
// and two of them plus a comparison would starve a pool sized to a 2-core machine.
//
//   BackgroundTask<int> m_task{this, u"sunset-count"_s};
//   m_task.start([](TaskControl& control) { return count(control.cancelFlag()); },
//                [this](int n) { Q_EMIT counted(n); });
namespace detail {
template <typename T> struct TaskFinished {
    using type = std::function<void(T)>;
};
template <> struct TaskFinished<void> {
    using type = std::function<void()>;
};
} // namespace detail

template <typename T> class BackgroundTask final : public BackgroundTaskBase {
public:
    using Work = std::function<T(TaskControl&)>;
    using Finished = typename detail::TaskFinished<T>::type;
    // Failed: the work threw; it gets what() of the exception (the task's own words when it was not a
    // std::exception). The promise keeps the exception too.

    // context: whose thread runs the callbacks (this thread: the task is made and started there).
    BackgroundTask(QObject* context, QString threadName)
        : BackgroundTaskBase(context, std::move(threadName))
    {
    }

    // False while the work of a run is under way (nothing starts). Otherwise the work starts on a new thread; finished
    // gets its result, also when it was cancelled (the work says what cancelling meant); failed gets an escaped
    // exception.
    bool start(Work work, Finished finished = {}, Failed failed = {})
    {
        return startBody(
            [work = std::move(work), finished = std::move(finished)](TaskControl& control) -> TaskControl::Deliver {
                if constexpr (std::is_void_v<T>) {
                    work(control);
                    return finished;
                } else {
                    auto result = std::make_shared<T>(work(control));
                    return [finished, result] {
                        if (finished)
                            finished(std::move(*result));
                        else if constexpr (std::is_same_v<T, TaskOutcome>)
                            if (*result)
                                (*result)();
                    };
                }
            },
            std::move(failed));
    }
};

// Runs of one kind side by side, each a BackgroundTask kept until its outcome is out (a comparison still finishing
// after the next scan started; scans recorded one after another). Destroyed, it cancels and waits for them all.
template <typename T> class BackgroundTaskGroup final {
public:
    BackgroundTaskGroup(QObject* context, QString threadName)
        : m_context(context)
        , m_threadName(std::move(threadName))
    {
    }

    void start(typename BackgroundTask<T>::Work work, typename BackgroundTask<T>::Finished finished = {})
    {
        std::erase_if(m_tasks, [](const auto& task) { return !task->isRunning() && !task->isDelivering(); });
        m_tasks.push_back(std::make_unique<BackgroundTask<T>>(m_context, m_threadName));
        m_tasks.back()->start(std::move(work), std::move(finished));
    }
    void cancelAll()
    {
        for (const auto& task : m_tasks)
            task->cancel();
    }
    int running() const
    {
        return int(std::count_if(m_tasks.begin(), m_tasks.end(), [](const auto& task) { return task->isRunning(); }));
    }

private:
    QObject* m_context;
    QString m_threadName;
    std::vector<std::unique_ptr<BackgroundTask<T>>> m_tasks;
};

} // namespace sunset
