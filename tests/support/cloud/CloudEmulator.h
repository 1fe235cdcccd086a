// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"
#include "ExoLoadModel.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

class QSslConfiguration;
class QTcpSocket;

namespace sunset {

class SyncEmulator;
class OnDemandEmulator;

// A local stand-in for the Microsoft cloud on loopback (HTTP/1.1, one request per connection): in the test
// process over plain HTTP for the fine-grained fault tests, or over HTTPS in sunset-cloud-emulator. It implements the
// wire formats of ../shared/reference/cloud-wire.md for one generated tenant:
// - POST /{tenant}/oauth2/v2.0/token: client credentials with a client secret or a JWT client assertion
//   (RS256 + x5t or PS256 + x5t#S256, verified against the registered certificate, aud/iss/sub/nbf/exp checked),
//   one resource per request, AADSTS-style errors;
// - GET /v1.0/users: $select, $top (1..999, else 400), opaque $skiptoken in an absolute @odata.nextLink,
//   @odata.count only with ConsistencyLevel: eventual and $count=true;
// - POST /{tenant}/oauth2/v2.0/devicecode and the device_code grant (pending, slow_down, declined, expired), and
//   the refresh_token grant (one resource per request, rotated refresh tokens, id_token with openid);
// - GET /v1.0/users/$count (text/plain, ConsistencyLevel: eventual required);
// - GET /v1.0/users/delta with @removed, deltaLink and 410 Gone for expired delta tokens;
// - POST /adminapi/beta/{tenant}/InvokeCommand and /adminapi/v2.0/{tenant}/Mailbox running Get-Mailbox:
//   Prefer: odata.maxpagesize, $select, nextLink with the same body re-POSTed, @odata annotations,
//   Rate-Limit-* headers, X-AnchorMailbox required;
// and faults injected by configuration. It refuses what the service refuses, so that a client bug fails a test
// instead of passing against a lenient stand-in: unknown Get-Mailbox parameters, Get-Mailbox without
// ResultSize gives the service's default 1,000 and its "more results" warning, unknown $select names, $count
// without ConsistencyLevel, damaged skip tokens, an X-AnchorMailbox not of the forms in use, device code polls
// without the client id the code was issued to.
class CloudEmulator final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloudEmulator)

public:
    static constexpr auto kGraphResource = "https://graph.microsoft.com";
    static constexpr auto kExoResource = "https://outlook.office365.com";

    explicit CloudEmulator(QObject* parent = nullptr);
    ~CloudEmulator() override;

    bool listen();
    // HTTPS with this certificate and key (QSslServer), on localhost; port 0 picks a free one.
    bool listenTls(const QSslConfiguration& tls, quint16 port = 0);
    QUrl baseUrl() const; // http://127.0.0.1:port, or https://localhost:port

    // The tenant: names it answers to (GUID and domain), Graph users (the generator's Graph JSON: a page or an
    // array of pages) and mailboxes (the generator's Get-Mailbox JSON array).
    void setTenant(const QStringList& names, const QByteArray& graphUsersJson, const QByteArray& exoMailboxesJson);
    // Directory changes that /users/delta reports to a later round.
    void changeUser(const QString& id, const QString& property, const QJsonValue& value);
    void removeUser(const QString& id);
    void setDeltaPageSize(int size) { m_deltaPageSize = size; }
    // Mailbox changes (MailboxChanges.h): each moves the mailbox's WhenChangedUTC to the emulator's clock.
    void changeMailbox(const QString& exchangeGuid, const QString& property, const QJsonValue& value);
    void addMailbox(const QJsonObject& mailbox);
    void removeMailbox(const QString& exchangeGuid);
    const QJsonArray& mailboxes() const { return m_mailboxes; }
    qint64 mailboxesServed() const { return m_mailboxesServed; } // mailbox objects answered so far
    // Every delta token issued so far is now too old: a round from one is answered 410 Gone with a Location
    // to start over from (Graph keeps user delta tokens about 7 days).
    void expireDeltaTokens() { m_deltaGoneBelow = ++m_version; }

    void registerApp(const QString& clientId, const QString& secret, const QByteArray& certificateDer = {});
    void setTokenLifetimeSeconds(int seconds) { m_tokenLifetime = seconds; }
    // The clock tokens expire and client assertions are checked by (real unless a test shares its ManualClock
    // with the client); must outlive the emulator.
    void setClock(const Clock& clock) { m_clock = &clock; }

    // The device code flow: the admin "approves" after pendingPolls polls (answered authorization_pending), with
    // one slow_down first when asked; or declines, or lets the code expire.
    enum class DeviceOutcome { Approve, Decline, Expire };
    void setDeviceFlow(int pendingPolls, bool slowDownOnce, DeviceOutcome outcome, int intervalSeconds = 1)
    {
        m_devicePending = pendingPolls;
        m_deviceSlowDown = slowDownOnce;
        m_deviceOutcome = outcome;
        m_deviceInterval = intervalSeconds;
    }

    struct Fault {
        enum class Kind {
            TooManyRequests,
            ServiceUnavailable,
            ExpiredToken,
            DropConnection,
            TruncatedJson,
            HtmlPage,
            CutOffBody, // 200 announcing the whole page's Content-Length, then half of it and the connection closed
            // Limits (these also apply to api "token", the token endpoint):
            EndlessPage,       // 200, no Content-Length, a JSON array generated as fast as the client reads, forever
            HugeAnnouncedPage, // 200 announcing Content-Length: 2 GiB, then the endless array
            TricklePage,       // 200, then one byte every 50 ms, forever
            StalledPage,       // 200 headers, then nothing, with the connection left open
            // Page contents (users and mailboxes only): the first record of the page carries
            HugeAttribute, // 100,000 values in EmailAddresses (mailboxes) or businessPhones (users)
            HugeValue,     // a 2 MiB DisplayName (mailboxes) or userPrincipalName (users)
        };
        Kind kind;
        // "users", "mailboxes", "token" or "provisionOnDemand" (its POSTs, answered without a page: the kinds that
        // fit are TooManyRequests, ServiceUnavailable, DropConnection and StalledPage)
        QString api;
        int onRequest = 1;             // the n-th data request of that API (1-based) ...
        int times = 1;                 // ... and the following ones, this many in all
        QByteArray retryAfter = "0.2"; // 429 and 503
    };
    void addFault(const Fault& fault) { m_faults.append(fault); }
    // Graph nextLinks name another host (a tampered or misrouted answer): the token must not follow them.
    void setForeignNextLinks(bool foreign) { m_foreignNextLinks = foreign; }
    // provisionOnDemand (and the schema of its job) answered by this (OnDemandEmulator.h); not owned.
    void setOnDemand(OnDemandEmulator* onDemand) { m_onDemand = onDemand; }
    void clearFaults() { m_faults.clear(); }
    // Called as the n-th data request of api ("users", "mailboxes", "token", "provisionOnDemand") arrives, before
    // it is answered: a test acts at a known point of a scan (e.g. cancels while page 3 is being served) instead of
    // racing it.
    void setRequestObserver(std::function<void(const QString& api, int n)> observer)
    {
        m_requestObserver = std::move(observer);
    }

    // Delegated sign-ins: the refresh tokens given out so far no longer work (revoked, or the admin's session
    // ended); the next refresh_token grant is refused with invalid_grant.
    void revokeRefreshTokens() { m_refreshTokens.clear(); }
    // The user name the device code sign-in "signs in" (in the id_token's preferred_username).
    void setSignedInAdmin(const QString& upn) { m_admin = upn; }

    // Get-Mailbox under load (ExoLoadModel.h: latency, cost per mailbox, concurrency cap, Rate-Limit budget) and
    // the order -Filter compares names in (OpathFilter.h). After changing the mailboxes, their filter cache is reset.
    ExoLoadModel& exoLoad() { return m_exoLoad; }
    void setNameCollation(OpathFilter::Collation collation) { m_mailboxFilters.setCollation(collation); }

    // Cloud Sync's jobs, schemas and provisioning log (/v1.0/servicePrincipals…, /v1.0/auditLogs/provisioning).
    SyncEmulator& sync() { return *m_sync; }

    int tokenRequests() const { return m_tokenRequests; }
    int refreshGrants() const { return m_refreshGrants; }
    int countRequests() const { return m_countRequests; }
    QStringList deviceScopes() const { return m_deviceScopes; } // the scope of each devicecode request
    QList<QByteArray> lastExoPaths() const { return m_exoPaths; }
    QList<QByteArray> lastAnchors() const { return m_anchors; }
    int dataRequests(const QString& api) const { return m_dataRequests.value(api); }
    int faultsInjected() const { return m_faultsInjected; }
    qint64 streamedBytes() const { return m_streamedBytes; } // body bytes of Endless/Trickle faults written so far
    int openStreams() const { return m_openStreams; } // Endless/Trickle/Stall answers whose connection is still open
    QList<QByteArray> lastExoBodies() const { return m_exoBodies; }

private:
    struct Request {
        QByteArray method;
        QByteArray target;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };
    struct Response {
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        // Drop: close without answering. Truncate, Record: applied by the API handler. Endless, Trickle, Stall:
        // streamed by write() (the body is generated as the socket drains, never built in memory).
        enum class Special { None, Drop, Truncate, Record, Endless, Trickle, Stall } special = Special::None;
        bool announceHuge = false; // Endless: Content-Length: 2 GiB
        bool cutOff = false;       // Content-Length announces twice the body, which ends early (CutOffBody)
    };

    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);
    Response dispatch(const Request& request);
    Response token(const QString& tenant, const Request& request);
    Response deviceCode(const QString& tenant, const Request& request);
    Response deviceToken(const QUrlQuery& form);
    Response refreshToken(const QString& tenant, const QUrlQuery& form);
    Response issueToken(const QString& resource, bool withRefreshToken, const QString& clientId = {},
                        bool withIdToken = false);
    Response users(const Request& request, const QUrl& url);
    Response usersDelta(const Request& request, const QUrl& url);
    Response userCount(const Request& request); // GET /v1.0/users/$count, text/plain
    static std::optional<Response> refuseUnknownSelect(const QStringList& select);
    qsizetype userIndex(const QString& id) const;
    Response mailboxes(const Request& request, const QUrl& url, const QString& tenant, bool v2);
    std::optional<Response> authorize(const Request& request, const QString& resource);
    std::optional<Response> injectFault(const QString& api);
    void countDataRequest(const QString& api); // counts it and tells the observer
    QString verifyAssertion(const QString& tenant, const QString& clientId, const QByteArray& assertion,
                            const QUrl& tokenUrl);
    static Response json(int status, const QJsonObject& body);
    static Response aadError(int status, const QString& error, int code, const QString& description);
    static Response graphError(int status, const QString& code, const QString& message);
    static Response exoError(int status, const QString& code, const QString& message);
    // Empty when the X-AnchorMailbox header has a form the admin API is seen to accept; else why not.
    QString checkAnchorMailbox(const QByteArray& anchor) const;
    void write(QTcpSocket* socket, const Response& response);
    void stream(QTcpSocket* socket, const Response& response);
    // A Record fault is no answer of its own: the handler builds the page and spoils it.
    static std::optional<Fault::Kind> takeRecordFault(std::optional<Response>& fault);
    // Applies a Record fault (HugeAttribute, HugeValue) to the first record of a page's value array.
    static void spoilFirstRecord(QJsonArray& value, Fault::Kind kind, bool mailbox);

    std::unique_ptr<QTcpServer> m_server;
    bool m_tls = false;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    // When each connection was accepted (m_uptime), for the cost model: an answer's cost runs from its request's
    // arrival, not from when this one thread got to it.
    QHash<QTcpSocket*, qint64> m_arrivedAt;
    QElapsedTimer m_uptime;
    QStringList m_tenantNames;
    QJsonArray m_users;
    QList<int> m_userVersion;                 // version of each user's last change; -1 once removed
    QList<std::pair<QString, int>> m_removed; // removed user ids and the version that removed them
    int m_version = 1;
    int m_deltaPageSize = 500;
    QJsonArray m_mailboxes;
    qint64 m_mailboxesServed = 0;
    struct App {
        QString secret;
        QByteArray certificateDer;
    };
    QHash<QString, App> m_apps;
    struct IssuedToken {
        QString resource;
        qint64 expiresAtMsecs = 0;
        QString clientId; // the app it was issued to
    };
    QHash<QByteArray, IssuedToken> m_tokens;
    int m_tokenLifetime = 3599;
    const Clock* m_clock = &Clock::system();
    int m_devicePending = 2;
    bool m_deviceSlowDown = false;
    DeviceOutcome m_deviceOutcome = DeviceOutcome::Approve;
    int m_deviceInterval = 1;
    struct DeviceGrant {
        QString clientId;
        QStringList scopes;
        int polls = 0;
        bool slowedDown = false;
    };
    QHash<QByteArray, DeviceGrant> m_deviceGrants;
    QHash<QByteArray, QString> m_refreshTokens; // refresh token -> client id
    QString m_admin = QStringLiteral("admin@contoso.onmicrosoft.com");
    int m_refreshGrants = 0;
    int m_countRequests = 0;
    QStringList m_deviceScopes;
    int m_deltaGoneBelow = 0;
    QList<QByteArray> m_exoPaths;
    QList<QByteArray> m_anchors;
    QList<Fault> m_faults;
    QHash<QString, int> m_dataRequests;
    std::function<void(const QString& api, int n)> m_requestObserver;
    int m_tokenRequests = 0;
    int m_faultsInjected = 0;
    bool m_foreignNextLinks = false;
    bool m_cutOffNext = false; // the answer being built is a CutOffBody fault
    QList<QByteArray> m_exoBodies;
    qint64 m_streamedBytes = 0;
    int m_openStreams = 0;
    ExoLoadModel m_exoLoad;
    MailboxFilterCache m_mailboxFilters;
    qint64 m_answerDelayMsecs = 0; // the answer being built waits this long (ExoLoadModel), then is written
    std::unique_ptr<SyncEmulator> m_sync;
    OnDemandEmulator* m_onDemand = nullptr;
};

} // namespace sunset
