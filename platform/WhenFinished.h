// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace sunset {

// Calls done(future) on context's thread once future has finished: with its result, or cancelled without one (done
// tells them apart). Never once context is gone: the watcher it needs until then is context's child. The way the
// services' composed runs and the GUI's flows take a future's outcome, without waiting for it.
template <typename T, typename Done> void whenFinished(QFuture<T> future, QObject* context, Done done)
{
    auto* watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)]() mutable {
        watcher->deleteLater();
        done(watcher->future());
    });
    watcher->setFuture(std::move(future));
}

} // namespace sunset
