// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

// A TCP forwarder on 127.0.0.1 that adds a fixed latency each way, as between an admin's workstation and a
// remote DC: every chunk read from one side is written to the other `delay` after it was read, in order, in
// both directions. Bandwidth is not limited (loopback's), only latency added, so a protocol that waits for an
// answer before its next request pays 2 x delay per round trip and one that pipelines does not. TLS passes
// through untouched. One thread, poll(2), non-blocking sockets; bounded: at most kMaxQueued bytes held per
// direction (reading from that side pauses beyond it) and kMaxConnections connections at once.
//
// It also counts what it forwards (traffic()), so that a client's round trips can be counted without parsing
// the (encrypted) protocol: a *round trip* is the client sending after the server spoke (or first), then the
// server answering; its *wait* runs from the proxy reading the client's first bytes to reading the server's
// first bytes back (one delay plus the server's time); the client's *think time* runs from the proxy handing
// the client the last bytes of an answer to reading the client's next bytes. A client that waits for each
// answer before its next request makes one round trip per request and pays 2 x delay on each; the count does
// not depend on the machine's load, the times do.
class DelayingTcpProxy final {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kMaxQueued = 8u << 20;
    static constexpr std::size_t kMaxConnections = 16;

    struct Traffic {
        std::uint64_t connections = 0;
        std::uint64_t roundTrips = 0;
        std::uint64_t clientChunks = 0; // reads from the client (about one per request a serial client sends)
        std::uint64_t serverChunks = 0;
        std::uint64_t clientBytes = 0;
        std::uint64_t serverBytes = 0;
        std::chrono::nanoseconds waiting{0};  // sum of the round trips' waits, as the proxy sees them
        std::chrono::nanoseconds thinking{0}; // sum of the client's think times

        Traffic operator-(const Traffic& o) const
        {
            return {connections - o.connections,   roundTrips - o.roundTrips,   clientChunks - o.clientChunks,
                    serverChunks - o.serverChunks, clientBytes - o.clientBytes, serverBytes - o.serverBytes,
                    waiting - o.waiting,           thinking - o.thinking};
        }
    };

    DelayingTcpProxy(std::uint16_t targetPort, std::chrono::microseconds delay)
        : m_targetPort(targetPort)
        , m_delay(delay)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        const int yes = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in address = loopback(0);
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_listener, 16) != 0 || ::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { loop(); });
    }

    ~DelayingTcpProxy()
    {
        m_stop = true;
        if (m_wake[1] >= 0) {
            const char byte = 1;
            [[maybe_unused]] const auto written = ::write(m_wake[1], &byte, 1);
        }
        if (m_thread.joinable())
            m_thread.join();
        for (auto& pair : m_pairs)
            closePair(*pair);
        for (int fd : {m_listener, m_wake[0], m_wake[1]})
            if (fd >= 0)
                ::close(fd);
    }
    DelayingTcpProxy(const DelayingTcpProxy&) = delete;
    DelayingTcpProxy& operator=(const DelayingTcpProxy&) = delete;

    std::uint16_t port() const { return m_port; } // 0 if it could not listen
    // When set (before the client connects), each round trip is written to it as a line once the next begins:
    // what the client sent, the wait, what the server sent back, and the client's think time before its next.
    void traceTo(std::FILE* file) { m_trace.store(file); }
    std::uint64_t bytesForwarded() const { return m_bytesForwarded.load(); }
    // What was forwarded so far, over every connection; take the difference around one client's run (the
    // connection's last bytes are counted when the proxy reads them, before the client sees them).
    Traffic traffic() const
    {
        return {m_connections.load(),
                m_roundTrips.load(),
                m_clientChunks.load(),
                m_serverChunks.load(),
                m_clientBytes.load(),
                m_serverBytes.load(),
                std::chrono::nanoseconds(m_waitingNanos.load()),
                std::chrono::nanoseconds(m_thinkingNanos.load())};
    }

private:
    struct Chunk {
        Clock::time_point due;
        std::vector<char> bytes;
        std::size_t offset = 0;
    };
    // One direction of a connection: what was read from `from` and is waiting to be written to `to`.
    struct Direction {
        int from = -1;
        int to = -1;
        std::deque<Chunk> queue;
        std::size_t queued = 0;
        bool eof = false;      // `from` closed its sending side
        bool finished = false; // eof and everything written: `to` got its FIN
    };
    struct Pair {
        int client = -1;
        int server = -1;
        Direction up;   // client -> server
        Direction down; // server -> client
        bool failed = false;
        // For the round-trip count: the turn the conversation is in, and when it began.
        bool clientSpoke = false;         // the client sent bytes and the server has not answered since
        bool serverSpoke = false;         // the server sent bytes since the client last sent
        Clock::time_point clientSpokeAt{}; // the proxy read the client's first bytes of this turn
        Clock::time_point answerHandedAt{}; // the proxy wrote the last queued bytes of the answer to the client
        // For traceTo: the round trip being traced.
        std::uint64_t turn = 0; // round trips so far on this connection
        Clock::time_point openedAt{};
        std::size_t turnClientBytes = 0, turnServerBytes = 0;
        Clock::duration turnWait{};
    };

    void traceTurn(const Pair& pair, std::optional<Clock::duration> think)
    {
        std::FILE* const file = m_trace.load();
        if (!file || pair.turn == 0)
            return;
        const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
        std::fprintf(file, "  round trip %3llu at %8.1f ms: client sent %7zu bytes, waited %7.1f ms, server sent %9zu bytes",
                     static_cast<unsigned long long>(pair.turn), ms(pair.clientSpokeAt - pair.openedAt),
                     pair.turnClientBytes, ms(pair.turnWait), pair.turnServerBytes);
        if (think)
            std::fprintf(file, ", client thought %7.1f ms", ms(*think));
        std::fprintf(file, "\n");
    }

    static sockaddr_in loopback(std::uint16_t port)
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return address;
    }

    static void closePair(Pair& pair)
    {
        for (int fd : {pair.client, pair.server})
            if (fd >= 0)
                ::close(fd);
        pair.client = pair.server = -1;
    }

    void accept()
    {
        const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0)
            return;
        if (m_pairs.size() >= kMaxConnections) {
            ::close(client);
            return;
        }
        // The connect to loopback is done blocking (it completes at once), then the socket goes non-blocking.
        const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in target = loopback(m_targetPort);
        if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
            ::close(client);
            if (server >= 0)
                ::close(server);
            return;
        }
        ::fcntl(server, F_SETFL, ::fcntl(server, F_GETFL) | O_NONBLOCK);
        const int yes = 1; // no Nagle: the only delay is ours
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        auto pair = std::make_unique<Pair>();
        pair->client = client;
        pair->server = server;
        pair->up.from = pair->down.to = client;
        pair->up.to = pair->down.from = server;
        pair->openedAt = Clock::now();
        m_pairs.push_back(std::move(pair));
        ++m_connections;
    }

    // Reads what `from` has; false on a failure (the pair is then closed).
    bool receive(Pair& pair, Direction& d)
    {
        std::vector<char> buffer(65536);
        const ssize_t got = ::recv(d.from, buffer.data(), buffer.size(), 0);
        if (got < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        if (got == 0) {
            d.eof = true;
            return true;
        }
        buffer.resize(std::size_t(got));
        const auto now = Clock::now();
        count(pair, &d == &pair.up, std::size_t(got), now);
        d.queued += std::size_t(got);
        d.queue.push_back(Chunk{now + m_delay, std::move(buffer), 0});
        return true;
    }

    void count(Pair& pair, bool fromClient, std::size_t bytes, Clock::time_point now)
    {
        const auto nanos = [](Clock::duration d) { return std::uint64_t(std::max<std::int64_t>(0, d.count())); };
        if (fromClient) {
            ++m_clientChunks;
            m_clientBytes += bytes;
            if (!pair.clientSpoke) { // a new turn: the client asks
                std::optional<Clock::duration> think;
                if (pair.serverSpoke && pair.down.queue.empty()) {
                    think = now - pair.answerHandedAt;
                    m_thinkingNanos += nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(*think));
                }
                if (pair.serverSpoke)
                    traceTurn(pair, think);
                pair.clientSpoke = true;
                pair.serverSpoke = false;
                pair.clientSpokeAt = now;
                pair.turnClientBytes = pair.turnServerBytes = 0;
            }
            pair.turnClientBytes += bytes;
        } else {
            ++m_serverChunks;
            m_serverBytes += bytes;
            pair.turnServerBytes += bytes;
            if (pair.clientSpoke) { // the answer begins
                ++m_roundTrips;
                ++pair.turn;
                pair.turnWait = now - pair.clientSpokeAt;
                m_waitingNanos += nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(now - pair.clientSpokeAt));
                pair.clientSpoke = false;
            }
            pair.serverSpoke = true;
        }
    }

    // Writes every chunk that is due; false on a failure.
    bool flush(Pair& pair, Direction& d, Clock::time_point now)
    {
        while (!d.queue.empty() && d.queue.front().due <= now) {
            Chunk& chunk = d.queue.front();
            const ssize_t n =
                ::send(d.to, chunk.bytes.data() + chunk.offset, chunk.bytes.size() - chunk.offset, MSG_NOSIGNAL);
            if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
            chunk.offset += std::size_t(n);
            d.queued -= std::size_t(n);
            m_bytesForwarded += std::uint64_t(n);
            if (chunk.offset == chunk.bytes.size())
                d.queue.pop_front();
            if (&d == &pair.down && d.queue.empty())
                pair.answerHandedAt = Clock::now();
        }
        if (d.eof && d.queue.empty() && !d.finished) {
            ::shutdown(d.to, SHUT_WR);
            d.finished = true;
        }
        return true;
    }

    void loop()
    {
        std::vector<pollfd> fds;
        while (!m_stop) {
            const auto now = Clock::now();
            std::optional<Clock::time_point> nextDue;
            for (auto& pair : m_pairs) {
                for (Direction* d : {&pair->up, &pair->down}) {
                    if (!pair->failed && !flush(*pair, *d, now))
                        pair->failed = true;
                    if (!d->queue.empty() && d->queue.front().due > now)
                        nextDue = std::min(nextDue.value_or(d->queue.front().due), d->queue.front().due);
                }
            }
            std::erase_if(m_pairs, [this](const std::unique_ptr<Pair>& pair) {
                const bool done = pair->failed || (pair->up.finished && pair->down.finished);
                if (done && pair->serverSpoke)
                    traceTurn(*pair, std::nullopt);
                if (done)
                    closePair(*pair);
                return done;
            });

            fds.clear();
            fds.push_back({m_wake[0], POLLIN, 0});
            fds.push_back({m_listener, POLLIN, 0});
            for (auto& pair : m_pairs) {
                for (int fd : {pair->client, pair->server}) {
                    short events = 0;
                    for (const Direction* d : {&pair->up, &pair->down}) {
                        if (d->from == fd && !d->eof && d->queued < kMaxQueued)
                            events |= POLLIN;
                        // Due but still queued after the flush above: the socket's buffer is full.
                        if (d->to == fd && !d->queue.empty() && d->queue.front().due <= now)
                            events |= POLLOUT;
                    }
                    fds.push_back({fd, events, 0});
                }
            }
            timespec timeout{};
            timespec* timeoutPointer = nullptr;
            if (nextDue) {
                const auto left = std::max<std::int64_t>(
                    0, std::chrono::duration_cast<std::chrono::nanoseconds>(*nextDue - Clock::now()).count());
                timeout.tv_sec = time_t(left / 1'000'000'000);
                timeout.tv_nsec = long(left % 1'000'000'000);
                timeoutPointer = &timeout;
            }
            if (::ppoll(fds.data(), fds.size(), timeoutPointer, nullptr) < 0)
                continue;
            if (fds[0].revents) {
                char drain[64];
                while (::read(m_wake[0], drain, sizeof drain) > 0) {
                }
            }
            for (std::size_t i = 0; i < m_pairs.size(); ++i) {
                Pair& pair = *m_pairs[i];
                for (int side = 0; side < 2; ++side) {
                    const pollfd& p = fds[2 + 2 * i + std::size_t(side)];
                    Direction& d = side == 0 ? pair.up : pair.down; // the direction this fd is read for
                    if ((p.events & POLLIN) && (p.revents & (POLLIN | POLLHUP | POLLERR)) && !receive(pair, d))
                        pair.failed = true;
                    if ((p.revents & POLLERR) && !(p.events & POLLIN))
                        pair.failed = true;
                }
            }
            if (fds[1].revents & POLLIN)
                accept();
        }
    }

    std::uint16_t m_targetPort = 0;
    std::chrono::microseconds m_delay;
    std::uint16_t m_port = 0;
    int m_listener = -1;
    int m_wake[2] = {-1, -1};
    std::atomic<bool> m_stop{false};
    std::atomic<std::uint64_t> m_bytesForwarded{0};
    std::atomic<std::FILE*> m_trace{nullptr};
    std::atomic<std::uint64_t> m_connections{0}, m_roundTrips{0}, m_clientChunks{0}, m_serverChunks{0},
        m_clientBytes{0}, m_serverBytes{0}, m_waitingNanos{0}, m_thinkingNanos{0};
    std::thread m_thread;
    std::vector<std::unique_ptr<Pair>> m_pairs; // the thread's
};
