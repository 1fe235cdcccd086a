// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"
#include "CloudHttp.h"
#include "ImportError.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <optional>
#include <utility>

class QNetworkAccessManager;
class QNetworkReply;

namespace sunset {

class RateLimitGate;
class RequestPacer;
class TokenProvider;

// What one page gave: how many items it held, the absolute @odata.nextLink (empty on the last page), and the
// total when the service said (@odata.count), else -1.
struct CloudPage {
    qint64 items = 0;
    QByteArray nextLink;
    qint64 total = -1;
};

// Parses one page's body; requestName ("GET https://…/v1.0/users, page 3") goes into its errors.
using CloudPageHandler = std::function<Result<CloudPage>(QByteArrayView body, const QString& requestName)>;

// Fetches the pages of one OData collection one after the other (GET, or the same body re-POSTed to each
// nextLink as the Exchange admin API wants), with the shared request policy: a bearer token per request from
// the TokenProvider, one renewal and replay on 401, Retry-After on 429/503, exponential backoff with jitter for
// other transient failures (bounded; a 200 whose body is HTML or not whole JSON counts as one), and a clear
// error for anything else. A failed or cancelled scan keeps the
// URL of the page it did not finish, so resume() continues there.
class CloudPager final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloudPager)

public:
    struct Request {
        QByteArray method = "GET"; // GET or POST
        QUrl firstUrl;
        QByteArray body; // POST: sent to the first URL and to every nextLink
        QList<std::pair<QByteArray, QByteArray>> headers;
        QString resource; // token audience, e.g. "https://graph.microsoft.com"
        QString itemName; // "users", "mailboxes": for messages
        // Other https hosts a nextLink may name (the bearer token goes nowhere else): Exchange Online answers on
        // outlook.office365.com and outlook.office.com alike, and its links may name either.
        QStringList nextLinkHosts;
        // Graph delta: 410 Gone means the delta token is too old and a full resync must start, at the
        // Location header's URL when it gives one. Called instead of failing (it must not delete the
        // pager then and there); the pager stops.
        std::function<void(const QUrl& location)> gone;
        // An API with a published request rate (the provisioning log's 5 per 10 s): every request, retries
        // included, waits for a slot of this pacer first. Not owned; null for none.
        RequestPacer* pacer = nullptr;
        // An API that reports its request budget in Rate-Limit-* headers (Exchange Online's admin API): each
        // answer's headers go into the gate, and each request waits while the gate says the budget is spent. Not
        // owned; shared by every pager reading the same tenant; null for none.
        RateLimitGate* rateLimit = nullptr;
        // One slice of a parallel read (ExoMailboxSliceReader): its "read N items" line and its cancellation (the
        // reader splitting it) go to sunset.graph.slices at debug level; the reader sums the read up once.
        bool isSlice = false;
    };

    CloudPager(QNetworkAccessManager* network, TokenProvider* tokens, Request request, CloudPageHandler handler,
               QObject* parent = nullptr);
    ~CloudPager() override;

    void setRetryPolicy(const RetryPolicy& policy) { m_policy = policy; }
    // What "now" is for a Retry-After given as an HTTP date (the real clock unless a test sets one).
    void setClock(const Clock& clock) { m_clock = &clock; }

    void start();  // from the first page
    void resume(); // from the page the last run did not finish
    void cancel(); // finished(false) follows, with a "cancelled" error

    bool isRunning() const { return m_running; }
    const std::optional<ImportError>& error() const { return m_error; }
    QUrl resumeUrl() const { return m_url; } // empty after the last page
    qint64 items() const { return m_items; }
    qint64 pages() const { return m_pages; }
    qint64 total() const { return m_total; }
    int retries() const { return m_retries; } // transient failures retried, over the whole scan
    // The wait before the last retry, as scheduled (Retry-After, or the backoff); -1 before any retry. Tests
    // assert on it rather than on how long the scan took.
    qint64 lastRetryDelayMsecs() const { return m_lastRetryDelayMsecs; }
    // The HTTP status of the answer that made the last run fail (e.g. 403 for a permission the app lacks), 0
    // when it failed without one (network, cancelled) or did not fail.
    int failedHttpStatus() const { return m_failedHttpStatus; }

Q_SIGNALS:
    void progress(qint64 items, qint64 total); // total -1 when unknown
    void finished(bool ok);
    void throttled(qint64 delayMsecs); // a 429 was answered: the request is sent again after delayMsecs

private:
    void fetch();
    void fetchToken(quint64 generation);
    void send(const QByteArray& token, quint64 generation);
    void handleReply(QNetworkReply* reply, const QByteArray& token, quint64 generation);
    bool retryLater(const QString& failure, std::optional<qint64> retryAfter);
    void retryOrFail(ImportError error); // a damaged 200: retried while the policy allows, then failed
    void fail(ImportError error);
    void fail(const QString& message);
    QString requestName() const;

    QNetworkAccessManager* m_network;
    TokenProvider* m_tokens;
    Request m_request;
    CloudPageHandler m_handler;
    RetryPolicy m_policy;
    const Clock* m_clock = &Clock::system();
    QTimer m_retryTimer;
    QPointer<QNetworkReply> m_reply; // a QNetworkAccessManager deletes its replies when it goes first
    QUrl m_url;
    std::optional<ImportError> m_error;
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_renewedAfter401 = false;
    int m_attempt = 0;
    int m_throttledAttempt = 0; // 429s with Retry-After in a row (RetryPolicy::maxThrottledRetries)
    int m_retries = 0;
    qint64 m_lastRetryDelayMsecs = -1;
    int m_failedHttpStatus = 0;
    qint64 m_items = 0;
    qint64 m_pages = 0;
    qint64 m_total = -1;
};

// Reads the members of a page's top-level object that paging needs (@odata.nextLink, @odata.count,
// @odata.deltaLink) without looking inside "value". Fails on a damaged page like the readers do.
struct ODataPageLinks {
    QByteArray nextLink;
    QByteArray deltaLink;
    qint64 count = -1;
};
Result<ODataPageLinks> readODataPageLinks(QByteArrayView body, const QString& requestName);

} // namespace sunset
