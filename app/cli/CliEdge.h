// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>

namespace sunset {

// The one place sunset-cli blocks: a command is one sequential run, so it waits here, at its edge, for what a
// service started on this thread's event loop (its cloud clients' replies and its threads' results arrive while it
// waits). The services and the window never wait (docs/architecture.md, Threads). Nothing at the command line
// cancels a service's future, so it always carries its outcome.
template <typename T> T waitAtCliEdge(QFuture<T> future)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future); // a future that finished meanwhile is reported finished all the same
        loop.exec();
    }
    Q_ASSERT(future.resultCount() > 0);
    return future.takeResult();
}

} // namespace sunset
