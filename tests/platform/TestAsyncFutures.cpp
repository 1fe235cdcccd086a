// SPDX-License-Identifier: Apache-2.0
// The two async shapes every service builds on: clientFuture (a client that ends with finished(bool), kept until
// then) and backgroundFuture (blocking work on a BackgroundTask). Each delivers its outcome on this thread, ends at
// once when its future is cancelled (stopping the client or setting the work's flag), and ends cancelled when its
// client or its owner is destroyed first, never silent (ASan in CI would see a use after free if a run outlived what
// it uses).
#include "platform/BackgroundFuture.h"
#include "platform/ClientFuture.h"

#include <QPointer>
#include <QSemaphore>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <stdexcept>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// A client as the Graph ones are: start(), cancel() (finished(false) follows at once), finished(bool) later.
class FakeClient final : public QObject {
    Q_OBJECT

public:
    void start() { ++starts; }
    void cancel()
    {
        if (cancels)
            ++*cancels;
        Q_EMIT finished(false);
    }
    void finishLater(bool ok)
    {
        QTimer::singleShot(0, this, [this, ok] { Q_EMIT finished(ok); });
    }

    int starts = 0;
    int* cancels = nullptr; // outlives the client, which goes with its run

Q_SIGNALS:
    void finished(bool ok);
};

// One without cancel(): stopping it is deleting it.
class PlainClient final : public QObject {
    Q_OBJECT

public:
    void start() {}

Q_SIGNALS:
    void finished(bool ok);
};

QString outcome(FakeClient& client, bool ok)
{
    return ok ? u"read after %1 start(s)"_s.arg(client.starts) : u"failed"_s;
}

template <typename T> bool waitFinished(const QFuture<T>& future)
{
    return QTest::qWaitFor([&] { return future.isFinished(); }, 10000);
}

} // namespace

class TestAsyncFutures final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void clientOutcomeArrivesAndTheClientGoes()
    {
        auto client = std::make_unique<FakeClient>();
        QPointer<FakeClient> seen = client.get();
        QFuture<QString> future = clientFuture(std::move(client), [](FakeClient& c) { c.start(); }, outcome);
        QVERIFY(!future.isFinished());
        QCOMPARE(seen->starts, 1);
        seen->finishLater(true);
        QVERIFY(waitFinished(future));
        QVERIFY(!future.isCanceled());
        QCOMPARE(future.result(), u"read after 1 start(s)"_s);
        QTRY_VERIFY(seen.isNull()); // kept until it finished, not after
    }

    void clientFailureIsItsOwnOutcome()
    {
        auto client = std::make_unique<FakeClient>();
        FakeClient* raw = client.get();
        QFuture<QString> future = clientFuture(std::move(client), [](FakeClient& c) { c.start(); }, outcome);
        raw->finishLater(false);
        QVERIFY(waitFinished(future));
        QCOMPARE(future.resultCount(), 1);
        QCOMPARE(future.result(), u"failed"_s);
    }

    void clientFinishingInsideStartIsHeard()
    {
        QFuture<QString> future = clientFuture(
            std::make_unique<FakeClient>(), [](FakeClient& c) { Q_EMIT c.finished(true); }, outcome);
        QVERIFY(future.isFinished());
        QCOMPARE(future.result(), u"read after 0 start(s)"_s);
    }

    void cancelStopsTheClientAndEndsAtOnce()
    {
        int cancels = 0;
        auto client = std::make_unique<FakeClient>();
        client->cancels = &cancels;
        QPointer<FakeClient> seen = client.get();
        QFuture<QString> future = clientFuture(std::move(client), [](FakeClient& c) { c.start(); }, outcome);
        future.cancel();
        QVERIFY(waitFinished(future));
        QVERIFY(future.isCanceled());
        QCOMPARE(cancels, 1);
        QCOMPARE(future.resultCount(), 0); // its finished(false) came after the cancel: not a result
        QTRY_VERIFY(seen.isNull());
    }

    void cancelDeletesAClientWithoutCancel()
    {
        auto client = std::make_unique<PlainClient>();
        QPointer<PlainClient> seen = client.get();
        QFuture<bool> future =
            clientFuture(std::move(client), [](PlainClient& c) { c.start(); }, [](PlainClient&, bool ok) { return ok; });
        future.cancel();
        QVERIFY(waitFinished(future));
        QVERIFY(future.isCanceled());
        QTRY_VERIFY(seen.isNull());
    }

    void destroyedClientEndsItCancelled()
    {
        auto client = std::make_unique<FakeClient>();
        FakeClient* raw = client.get();
        QFuture<QString> future = clientFuture(std::move(client), [](FakeClient& c) { c.start(); }, outcome);
        delete raw;
        QVERIFY(waitFinished(future));
        QVERIFY(future.isCanceled());
        QCOMPARE(future.resultCount(), 0);
    }

    void destroyedOwnerTakesTheClient()
    {
        auto owner = std::make_unique<QObject>();
        auto client = std::make_unique<FakeClient>();
        QPointer<FakeClient> seen = client.get();
        QFuture<QString> future =
            clientFuture(std::move(client), [](FakeClient& c) { c.start(); }, outcome, owner.get());
        owner.reset();
        QVERIFY(seen.isNull());
        QVERIFY(future.isFinished());
        QVERIFY(future.isCanceled());
    }

    void backgroundResultArrivesOnThisThread()
    {
        QThread* worker = nullptr;
        QFuture<int> future = backgroundFuture<int>(nullptr, u"sunset-test-future"_s, [&worker](TaskControl&) {
            worker = QThread::currentThread();
            return 42;
        });
        QVERIFY(waitFinished(future));
        QCOMPARE(future.result(), 42);
        QVERIFY(worker && worker != QThread::currentThread());
    }

    void backgroundCancelSetsTheFlagAndEndsAtOnce()
    {
        QSemaphore started;
        QSemaphore release;
        auto flagSeen = std::make_shared<std::atomic_bool>(false);
        auto owner = std::make_unique<QObject>();
        QFuture<int> future =
            backgroundFuture<int>(owner.get(), u"sunset-test-future"_s, [&, flagSeen](TaskControl& control) {
                started.release();
                release.acquire(); // the work is mid-read when the cancel comes
                flagSeen->store(control.cancelFlag()->load());
                return 1;
            });
        started.acquire();
        future.cancel();
        QVERIFY(waitFinished(future)); // without waiting for the work
        QVERIFY(future.isCanceled());
        release.release();
        owner.reset(); // waits for the work's thread
        QVERIFY(flagSeen->load());
        QCOMPARE(future.resultCount(), 0);
    }

    void backgroundExceptionEndsItCancelled()
    {
        QFuture<int> future = backgroundFuture<int>(nullptr, u"sunset-test-future"_s, [](TaskControl&) -> int {
            throw std::runtime_error("the read broke");
        });
        QVERIFY(waitFinished(future));
        QVERIFY(future.isCanceled());
    }

    void destroyedOwnerWaitsForTheWork()
    {
        QSemaphore started;
        auto returned = std::make_shared<std::atomic_bool>(false);
        auto owner = std::make_unique<QObject>();
        QFuture<int> future = backgroundFuture<int>(owner.get(), u"sunset-test-future"_s, [&, returned](TaskControl& c) {
            started.release();
            while (!c.isCanceled())
                QThread::yieldCurrentThread();
            returned->store(true);
            return 0;
        });
        started.acquire();
        owner.reset();
        QVERIFY(returned->load()); // the owner's end cancelled the work and waited for it
        QVERIFY(future.isFinished());
        QVERIFY(future.isCanceled());
    }
};

QTEST_GUILESS_MAIN(TestAsyncFutures)
#include "TestAsyncFutures.moc"
