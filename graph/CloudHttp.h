// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkReply;
class QNetworkRequest;

namespace sunset {

// What every cloud request shares: which endpoints are acceptable, how a request is named in messages, how a
// failed answer is put in words, and when to try again.

// Empty when url may be used as a service base URL: https://, or plain http:// only to a loopback host (the
// emulator). Otherwise the reason, naming what (e.g. "--graph-endpoint") was given.
QString checkEndpointUrl(const QUrl& url, const QString& what);

// "GET https://graph.microsoft.com/v1.0/users": the method and the URL without its query (which may hold
// opaque paging tokens), user info or fragment. Never holds a secret: those travel in bodies and headers.
QString describeRequest(QByteArrayView method, const QUrl& url);

// The answer in words, for an admin: "HTTP 403 Forbidden: <Graph/EXO error code>: <message>", an HTML page's
// title, or the start of an unexpected body.
QString describeHttpFailure(int status, QByteArrayView contentType, QByteArrayView body);

// A request that got no HTTP answer, in words: Qt's reason, and for a certificate the client does not trust,
// what to check.
QString describeNetworkError(const QNetworkReply* reply);

// True when body looks like HTML (an error page from a proxy or gateway) rather than JSON.
bool looksLikeHtml(QByteArrayView contentType, QByteArrayView body);

// Retry-After as Graph sends it: seconds, possibly fractional ("2.128"); or an HTTP date. nullopt when absent
// or unreadable. A date counts from clock's now.
std::optional<qint64> parseRetryAfterMsecs(QByteArrayView value, const Clock& clock = Clock::system());

// Bounds on one HTTP exchange, so that a huge, endless or trickling answer ends with a clear error instead of
// filling memory or hanging the scan. Enforced while the answer arrives (watchTransferLimits), not afterwards.
struct TransferLimits {
    // Largest answer body. A Content-Length announcing more aborts at the headers; a body without one is cut
    // as soon as it grows past this.
    qint64 maxBodyBytes = qint64(64) << 20;
    // A request that transfers nothing for this long is abandoned (QNetworkRequest::setTransferTimeout).
    int stallTimeoutMsecs = 120000;
    // The whole exchange, however steadily bytes trickle in, must end within this.
    int totalTimeoutMsecs = 600000;
};

// The limits for token endpoint answers (client credentials, refresh, device code): a real answer is a few
// KiB (the largest part is an id_token or a JWT access token of some KiB), so 1 MiB is generous.
TransferLimits tokenEndpointLimits();

// Which limit cut an answer short.
enum class LimitBreach : quint8 {
    None,
    TooLarge, // Content-Length or the bytes received went past maxBodyBytes
    Stalled,  // nothing transferred for stallTimeoutMsecs
    TooSlow,  // still running at totalTimeoutMsecs
};

// Sets the stall timeout on request; call before sending it.
void applyTransferLimits(QNetworkRequest& request, const TransferLimits& limits);
// Watches reply until it finishes: aborts it (finished() follows with an error) on a breach, which
// transferLimitBreach() then tells. The watch lives as a child of the reply.
void watchTransferLimits(QNetworkReply* reply, const TransferLimits& limits);
// The limit that cut reply short, if any. A reply aborted by the transfer timeout counts as Stalled.
LimitBreach transferLimitBreach(const QNetworkReply* reply);
// The breach in words for an admin, with what to do; setting names the configuration that raises the limit.
QString describeLimitBreach(LimitBreach breach, const TransferLimits& limits, const QString& advice = {});

// When to try a request again after a transient failure (429, 503, 5xx gateway errors, dropped connections,
// timeouts). Retry-After, when sent, wins (capped); otherwise exponential backoff with full jitter.
struct RetryPolicy {
    int maxRetries = 6;           // per request; the scan fails (resumably) after that
    // A 429 that says how long to wait (Retry-After) is the service pacing the client, not a failure: it has a
    // budget of its own, so that throttling slows a read down instead of failing it; only a service that keeps
    // refusing for this many waits in a row ends the scan.
    int maxThrottledRetries = 60;
    qint64 baseDelayMsecs = 1000; // first backoff step
    qint64 maxDelayMsecs = 60000; // backoff cap
    qint64 maxRetryAfterMsecs = 300000;
    int transferTimeoutMsecs = 120000; // a request that sends nothing for this long is a transient failure
    // A page's answer: larger is refused (not retried: the service would send it again); a page that is still
    // arriving after requestTimeoutMsecs is a transient failure, retried like a dropped connection. Graph's
    // largest pages (999 users with a wide $select) and Exchange Online's (1000 mailboxes) are a few MiB.
    qint64 maxPageBytes = qint64(64) << 20;
    int requestTimeoutMsecs = 600000;

    TransferLimits pageLimits() const { return {maxPageBytes, transferTimeoutMsecs, requestTimeoutMsecs}; }

    // attempt: 1 for the first retry. retryAfter: the server's Retry-After, if any.
    qint64 delayMsecs(int attempt, std::optional<qint64> retryAfter) const;
};

// Whether an HTTP status is worth retrying (429, 500, 502, 503, 504).
bool isTransientStatus(int status);

} // namespace sunset
