// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

// A TCP forwarder on 127.0.0.1 between a client under test and a server (the shared Samba DC), in a thread of
// the test process, that can lose the connection on command: tests cut the network path, never the DC.
// TLS passes through untouched, so the client still verifies the DC's certificate (it names 127.0.0.1).
class CuttableTcpProxy final {
public:
    explicit CuttableTcpProxy(std::uint16_t targetPort)
        : m_targetPort(targetPort)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int yes = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in address = loopback(0);
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_listener, 8) != 0 || ::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { loop(); });
    }

    ~CuttableTcpProxy()
    {
        command([this] { m_stop = true; });
        if (m_thread.joinable())
            m_thread.join();
        closeAll();
        for (int fd : {m_listener, m_wake[0], m_wake[1]})
            if (fd >= 0)
                ::close(fd);
    }
    CuttableTcpProxy(const CuttableTcpProxy&) = delete;
    CuttableTcpProxy& operator=(const CuttableTcpProxy&) = delete;

    std::uint16_t port() const { return m_port; } // 0 if it could not listen

    // Closes every forwarded connection now; returns once they are closed. New connections are still accepted.
    void cut()
    {
        command([this] { m_cutNow = true; });
    }

    // Stops forwarding the server's answers (requests still reach the server) and cuts after the delay: the
    // client has requests outstanding that the server may have carried out, but their answers never arrive.
    void holdAnswersThenCut(std::chrono::milliseconds delay)
    {
        command([this, delay] {
            m_holdAnswers = true;
            m_cutAt = std::chrono::steady_clock::now() + delay;
        });
    }

    int connectionsCut() const { return m_connectionsCut.load(); }

private:
    struct Pair {
        int client = -1;
        int server = -1;
    };

    static sockaddr_in loopback(std::uint16_t port)
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return address;
    }

    // Runs change under the lock, wakes the thread and waits until it has acted on it.
    template <typename Change> void command(Change change)
    {
        if (!m_thread.joinable())
            return;
        std::unique_lock lock(m_mutex);
        change();
        const std::uint64_t generation = ++m_requested;
        const char byte = 1;
        [[maybe_unused]] const auto written = ::write(m_wake[1], &byte, 1);
        m_acted.wait(lock, [&] { return m_done >= generation || m_stop; });
    }

    void closeAll()
    {
        for (Pair& pair : m_pairs) {
            for (int fd : {pair.client, pair.server}) {
                ::shutdown(fd, SHUT_RDWR);
                ::close(fd);
            }
            ++m_connectionsCut;
        }
        m_pairs.clear();
    }

    // Copies what is readable on from to to; false when from closed or failed (the pair is then closed).
    static bool forward(int from, int to)
    {
        char buffer[65536];
        const ssize_t got = ::read(from, buffer, sizeof buffer);
        if (got <= 0)
            return false;
        for (ssize_t sent = 0; sent < got;) {
            const ssize_t n = ::write(to, buffer + sent, size_t(got - sent));
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }

    void loop()
    {
        for (;;) {
            bool holdAnswers = false;
            std::optional<std::chrono::steady_clock::time_point> cutAt;
            {
                std::unique_lock lock(m_mutex);
                if (m_stop)
                    break;
                if (m_cutNow || (m_cutAt && std::chrono::steady_clock::now() >= *m_cutAt)) {
                    closeAll();
                    m_cutNow = false;
                    m_cutAt.reset();
                    m_holdAnswers = false;
                }
                m_done = m_requested;
                m_acted.notify_all();
                holdAnswers = m_holdAnswers;
                cutAt = m_cutAt;
            }
            std::vector<pollfd> fds{{m_wake[0], POLLIN, 0}, {m_listener, POLLIN, 0}};
            for (const Pair& pair : m_pairs) {
                fds.push_back({pair.client, POLLIN, 0});
                fds.push_back({pair.server, short(holdAnswers ? 0 : POLLIN), 0});
            }
            int timeout = -1;
            if (cutAt) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(*cutAt - std::chrono::steady_clock::now());
                timeout = int(std::max<long long>(0, left.count()));
            }
            if (::poll(fds.data(), fds.size(), timeout) < 0)
                continue;
            if (fds[0].revents) {
                char drain[64];
                while (::read(m_wake[0], drain, sizeof drain) > 0) {
                }
            }
            const size_t polled = m_pairs.size(); // a pair accepted below is polled from the next round on
            if (fds[1].revents & POLLIN) {
                const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
                if (client >= 0) {
                    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                    sockaddr_in target = loopback(m_targetPort);
                    if (server >= 0 && ::connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0) {
                        m_pairs.push_back({client, server});
                    } else {
                        ::close(client);
                        if (server >= 0)
                            ::close(server);
                    }
                }
            }
            std::vector<Pair> keep;
            for (size_t i = 0; i < m_pairs.size(); ++i) {
                if (i >= polled) {
                    keep.push_back(m_pairs[i]);
                    continue;
                }
                const pollfd& c = fds[2 + 2 * i];
                const pollfd& s = fds[3 + 2 * i];
                bool open = true;
                if (c.revents & (POLLIN | POLLHUP | POLLERR))
                    open = forward(c.fd, s.fd);
                if (open && !holdAnswers && (s.revents & (POLLIN | POLLHUP | POLLERR)))
                    open = forward(s.fd, c.fd);
                if (open) {
                    keep.push_back(m_pairs[i]);
                } else {
                    ::close(m_pairs[i].client);
                    ::close(m_pairs[i].server);
                }
            }
            m_pairs = std::move(keep);
        }
        std::unique_lock lock(m_mutex);
        m_done = m_requested;
        m_acted.notify_all();
    }

    std::uint16_t m_targetPort = 0;
    std::uint16_t m_port = 0;
    int m_listener = -1;
    int m_wake[2] = {-1, -1};
    std::thread m_thread;
    std::vector<Pair> m_pairs; // the thread's

    std::mutex m_mutex;
    std::condition_variable m_acted;
    std::uint64_t m_requested = 0;
    std::uint64_t m_done = 0;
    bool m_stop = false;
    bool m_cutNow = false;
    bool m_holdAnswers = false;
    std::optional<std::chrono::steady_clock::time_point> m_cutAt;
    std::atomic<int> m_connectionsCut{0};
};
