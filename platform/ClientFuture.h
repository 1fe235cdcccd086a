// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "platform/AsyncRun.h"

#include <QPointer>

#include <memory>
#include <type_traits>
#include <utility>

namespace sunset {

namespace detail {

template <typename T, typename Client, typename Take> class ClientRun final : public AsyncRun<T> {
public:
    ClientRun(std::unique_ptr<Client> client, Take take, QObject* owner)
        : AsyncRun<T>(owner)
        , m_client(client.release())
        , m_take(std::move(take))
    {
        m_client->setParent(this);
        QObject::connect(m_client.data(), &Client::finished, this, [this](bool ok) {
            this->deliver(m_take(*m_client, ok));
            this->deleteLater();
        });
        // Destroyed by anyone but this run (its thread's end, a test): nothing more can come.
        QObject::connect(m_client.data(), &QObject::destroyed, this, [this] {
            this->endCancelled();
            this->deleteLater();
        });
    }
    ~ClientRun() override
    {
        if (m_client) {
            m_client->disconnect(this);
            delete m_client.data();
        }
    }

private:
    void stop() override
    {
        // A client with cancel() stops its requests (and may say finished(false) at once); without one, deleting it
        // below aborts them.
        if constexpr (requires(Client& c) { c.cancel(); })
            if (m_client)
                m_client->cancel();
        this->end();
        this->deleteLater();
    }

    QPointer<Client> m_client;
    Take m_take;
};

} // namespace detail

// The one async shape of a client that reports its end with finished(bool) (the Graph and Exchange Online clients):
// start(client) starts it; take(client, ok) reads its outcome into the future when it has finished. The client is
// kept (a child of the run) until then, and runs on the event loop of the thread that calls this: the GUI's, or the
// command line's while it waits at its edge; no thread of its own. Cancelling the future ends it at once without a
// result and stops the client (its cancel() when it has one; it is deleted either way); a client destroyed by anyone
// else ends it cancelled too. owner, when given, bounds the run's life: destroyed, it takes the client with it.
//
//   QFuture<Result<HybridArtifacts>> hybrid = clientFuture(
//       std::move(client), [](HybridArtifactsClient& c) { c.start(); },
//       [](HybridArtifactsClient& c, bool ok) -> Result<HybridArtifacts> { return ok ? … : *c.error(); });
template <typename Client, typename Start, typename Take>
auto clientFuture(std::unique_ptr<Client> client, Start start, Take take, QObject* owner = nullptr)
    -> QFuture<std::invoke_result_t<Take&, Client&, bool>>
{
    using T = std::invoke_result_t<Take&, Client&, bool>;
    Client& started = *client;
    auto* run = new detail::ClientRun<T, Client, Take>(std::move(client), std::move(take), owner);
    QFuture<T> future = run->future();
    start(started); // after the run listens: a client may finish inside start() (a configuration it refuses)
    return future;
}

} // namespace sunset
