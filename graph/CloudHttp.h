#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkReply;

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
// or unreadable.
std::optional<qint64> parseRetryAfterMsecs(QByteArrayView value);

// When to try a request again after a transient failure (429, 503, 5xx gateway errors, dropped connections,
// timeouts). Retry-After, when sent, wins (capped); otherwise exponential backoff with full jitter.
struct RetryPolicy {
    int maxRetries = 6;           // per request; the scan fails (resumably) after that
    qint64 baseDelayMsecs = 1000; // first backoff step
    qint64 maxDelayMsecs = 60000; // backoff cap
    qint64 maxRetryAfterMsecs = 300000;
    int transferTimeoutMsecs = 120000; // a request that sends nothing for this long is a transient failure

    // attempt: 1 for the first retry. retryAfter: the server's Retry-After, if any.
    qint64 delayMsecs(int attempt, std::optional<qint64> retryAfter) const;
};

// Whether an HTTP status is worth retrying (429, 500, 502, 503, 504).
bool isTransientStatus(int status);

} // namespace sunset
