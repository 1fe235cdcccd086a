// SPDX-License-Identifier: Apache-2.0
// BackgroundTask, the one way Sunset runs work off the GUI thread: outcomes and progress on the context's thread,
// Cancel through the promise and the flag, no callback once the context or the owner is gone, an exception as a
// failure, and a destructor that waits (ASan in CI would see a use after free if it did not).
#include "platform/BackgroundTask.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <memory>
#include <stdexcept>
#include <vector>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Spins (yielding) until Cancel was asked: the work under test never sleeps a fixed time.
void waitForCancel(const TaskControl& control)
{
    while (!control.isCanceled())
        QThread::yieldCurrentThread();
}

// An object whose task reports to itself, as every runner's does.
class Owner final : public QObject {
public:
    explicit Owner(std::shared_ptr<int> callbacks)
        : m_callbacks(std::move(callbacks))
    {
    }

    void start(QSemaphore* started)
    {
        m_task.start(
            [started](TaskControl& control) {
                started->release();
                while (!control.isCanceled()) {
                    control.post([] {}); // progress into an object that is about to go
                    QThread::yieldCurrentThread();
                }
            },
            [this] { ++*m_callbacks; });
    }

private:
    std::shared_ptr<int> m_callbacks;
    BackgroundTask<void> m_task{this, u"sunset-test-owner"_s};
};

} // namespace

class TestBackgroundTask final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resultArrivesOnTheContextThread()
    {
        QObject context;
        BackgroundTask<int> task(&context, u"sunset-test"_s);
        QThread* workThread = nullptr;
        QThread* callbackThread = nullptr;
        std::optional<int> result;
        QVERIFY(task.start(
            [&workThread](TaskControl&) {
                workThread = QThread::currentThread();
                return 42;
            },
            [&](int value) {
                callbackThread = QThread::currentThread();
                result = value;
            }));
        QVERIFY(task.isRunning());
        QTRY_VERIFY(result.has_value());
        QCOMPARE(*result, 42);
        QVERIFY(!task.isRunning());
        QCOMPARE(callbackThread, QThread::currentThread());
        QVERIFY(workThread != QThread::currentThread());
        task.wait();
    }

    void threadIsNamed()
    {
        QObject context;
        BackgroundTask<QString> task(&context, u"sunset-named"_s);
        QString name;
        QVERIFY(task.start([](TaskControl&) { return QThread::currentThread()->objectName(); },
                           [&name](QString n) { name = std::move(n); }));
        QTRY_COMPARE(name, u"sunset-named"_s);
    }

    void progressArrivesInOrderBeforeTheOutcome()
    {
        QObject context;
        BackgroundTask<int> task(&context, u"sunset-test"_s);
        std::vector<int> seen;
        bool finished = false;
        QVERIFY(task.start(
            [&seen](TaskControl& control) {
                for (int i = 1; i <= 200; ++i)
                    control.post([&seen, i] { seen.push_back(i); }); // every step, none coalesced
                return 200;
            },
            [&](int last) {
                QCOMPARE(int(seen.size()), last);
                finished = true;
            }));
        QTRY_VERIFY(finished);
        QCOMPARE(seen.size(), std::size_t(200));
        for (int i = 0; i < 200; ++i)
            QCOMPARE(seen[std::size_t(i)], i + 1);
    }

    void cancelReachesPromiseAndFlag()
    {
        QObject context;
        BackgroundTask<QString> task(&context, u"sunset-test"_s);
        QSemaphore started;
        std::optional<QString> outcome;
        QVERIFY(task.start(
            [&started](TaskControl& control) {
                started.release();
                waitForCancel(control);
                return control.cancelFlag()->load() ? u"cancelled"_s : u"flag not set"_s;
            },
            [&outcome](QString o) { outcome = std::move(o); }));
        QVERIFY(started.tryAcquire(1, 10000));
        QVERIFY(!task.start([](TaskControl&) { return QString(); })); // one run at a time
        task.cancel();
        QVERIFY(task.isCanceled());
        QTRY_VERIFY(outcome.has_value());
        QCOMPARE(*outcome, u"cancelled"_s);
    }

    void cancelBeforeTheThreadRunsHolds()
    {
        QObject context;
        BackgroundTask<bool> task(&context, u"sunset-test"_s);
        std::optional<bool> sawCancel;
        QVERIFY(task.start([](TaskControl& control) { return control.isCanceled(); },
                           [&sawCancel](bool c) { sawCancel = c; }));
        task.cancel(); // most likely before the thread got to the work: the promise stays cancelled
        QTRY_VERIFY(sawCancel.has_value());
        QVERIFY(*sawCancel);
    }

    void startsAgainFromItsOwnCallback()
    {
        QObject context;
        BackgroundTask<int> task(&context, u"sunset-test"_s);
        std::vector<int> results;
        std::function<void(int)> next = [&](int value) {
            results.push_back(value);
            if (value < 3)
                QVERIFY(
                    task.start([value](TaskControl& control) { return control.isCanceled() ? -1 : value + 1; }, next));
        };
        QVERIFY(task.start([](TaskControl&) { return 1; }, next));
        QTRY_COMPARE(results.size(), std::size_t(3));
        QCOMPARE(results, (std::vector<int>{1, 2, 3})); // a new run starts uncancelled
    }

    void exceptionBecomesAFailure()
    {
        QObject context;
        BackgroundTask<int> task(&context, u"sunset-test"_s);
        bool finished = false;
        QString failure;
        QVERIFY(task.start([](TaskControl&) -> int { throw std::runtime_error("disk on fire"); },
                           [&finished](int) { finished = true; }, [&failure](const QString& what) { failure = what; }));
        QTRY_COMPARE(failure, u"disk on fire"_s);
        QVERIFY(!finished);
        QVERIFY(!task.isRunning());

        QString other;
        QVERIFY(task.start([](TaskControl&) -> int { throw 7; }, {}, [&other](const QString& what) { other = what; }));
        QTRY_VERIFY(!other.isEmpty());
        QVERIFY2(other.contains(u"exception"_s), qPrintable(other));
    }

    void destroyedContextGetsNothing()
    {
        auto context = std::make_unique<QObject>();
        BackgroundTask<int> task(context.get(), u"sunset-test"_s);
        QSemaphore go;
        bool finished = false;
        QVERIFY(task.start(
            [&go](TaskControl& control) {
                control.post([] { QFAIL("progress reached a destroyed context"); });
                go.acquire();
                return 1;
            },
            [&finished](int) { finished = true; }));
        context.reset(); // the receiver goes while its task runs
        go.release();
        task.wait();
        QTRY_VERIFY(!task.isRunning()); // the outcome was taken off the queue, and dropped
        QCoreApplication::processEvents();
        QVERIFY(!finished);
    }

    void ownerDestroyedMidTaskCancelsAndWaits()
    {
        auto callbacks = std::make_shared<int>(0);
        QSemaphore started;
        auto owner = std::make_unique<Owner>(callbacks);
        owner->start(&started);
        QVERIFY(started.tryAcquire(1, 10000));
        owner.reset(); // cancels, waits for the thread, drops what it posted
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(*callbacks, 0);
    }

    void startAfterTheWorkReturnedDropsTheUndeliveredOutcome()
    {
        QObject context;
        BackgroundTask<int> task(&context, u"sunset-test"_s);
        std::vector<int> outcomes;
        QVERIFY(task.start([](TaskControl&) { return 1; }, [&outcomes](int v) { outcomes.push_back(v); }));
        task.wait(); // the work returned; its outcome is queued, not yet delivered
        QVERIFY(task.isRunning());
        QVERIFY(task.start([](TaskControl&) { return 2; }, [&outcomes](int v) { outcomes.push_back(v); }));
        QTRY_VERIFY(!task.isRunning());
        QCoreApplication::sendPostedEvents();
        QCOMPARE(outcomes, std::vector<int>{2});
    }

    void groupRunsSideBySideAndWaitsForAll()
    {
        QObject context;
        QSemaphore go;
        int finished = 0;
        bool sawCancel = false;
        {
            BackgroundTaskGroup<int> group(&context, u"sunset-test-group"_s);
            for (int i = 0; i < 3; ++i)
                group.start(
                    [&go](TaskControl& control) {
                        go.acquire();
                        return control.isCanceled() ? 0 : 1;
                    },
                    [&finished](int ok) { finished += ok; });
            QCOMPARE(group.running(), 3);
            go.release(3);
            QTRY_COMPARE(finished, 3);
            QCOMPARE(group.running(), 0);

            group.start(
                [&sawCancel](TaskControl& control) {
                    waitForCancel(control);
                    sawCancel = true;
                    return 0;
                },
                [](int) { QFAIL("a group's run reported after the group was gone"); });
            QCOMPARE(group.running(), 1);
        } // the group cancels its run and waits for it
        QVERIFY(sawCancel);
        QCoreApplication::sendPostedEvents();
    }

    void destroyedIdleTaskNeedsNoThread()
    {
        QObject context;
        {
            BackgroundTask<void> never(&context, u"sunset-test"_s);
        }
        BackgroundTask<void> done(&context, u"sunset-test"_s);
        bool finished = false;
        QVERIFY(done.start([](TaskControl&) {}, [&finished] { finished = true; }));
        QTRY_VERIFY(finished);
    }
};

QTEST_GUILESS_MAIN(TestBackgroundTask)
#include "TestBackgroundTask.moc"
