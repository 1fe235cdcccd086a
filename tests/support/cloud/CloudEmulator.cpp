// SPDX-License-Identifier: Apache-2.0
#include "CloudEmulator.h"
#include "DirectoryObjectsEmulator.h"
#include "OnDemandEmulator.h"
#include "HybridCmdlets.h"
#include "MailboxChanges.h"
#include "SyncEmulator.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTimer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QUuid>

#include <memory>
#include <utility>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Header = std::pair<QByteArray, QByteArray>;

QByteArray base64Url(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray fromBase64Url(QByteArrayView text)
{
    return QByteArray::fromBase64(text.toByteArray(), QByteArray::Base64UrlEncoding);
}

QByteArray digest(QByteArrayView data, const EVP_MD* md)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()), &length, md, nullptr);
    out.resize(length);
    return out;
}

bool verifySignature(const QByteArray& certificateDer, QByteArrayView signingInput, QByteArrayView signature, bool pss)
{
    const unsigned char* p = reinterpret_cast<const unsigned char*>(certificateDer.constData());
    X509* cert = d2i_X509(nullptr, &p, long(certificateDer.size()));
    if (!cert)
        return false;
    EVP_PKEY* key = X509_get0_pubkey(cert);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = key && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), size_t(signature.size()),
                                reinterpret_cast<const unsigned char*>(signingInput.data()),
                                size_t(signingInput.size())) == 1;
    EVP_MD_CTX_free(ctx);
    X509_free(cert);
    return ok;
}

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 410:
        return "Gone";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

const QByteArray kODataJson =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

} // namespace

CloudEmulator::CloudEmulator(QObject* parent)
    : QObject(parent)
    , m_sync(std::make_unique<SyncEmulator>())
{
    m_uptime.start();
}

CloudEmulator::~CloudEmulator()
{
    // The server deletes its open sockets as it goes, and each socket says "disconnected" on its way out. Members
    // declared after m_server (m_buffers among them) are gone by then, so those signals must not reach this object:
    // cut the sockets loose first, then close the server while every member is still alive.
    if (!m_server)
        return;
    m_server->disconnect(this);
    for (QTcpSocket* socket : m_server->findChildren<QTcpSocket*>())
        socket->disconnect(this);
    m_server.reset();
}

bool CloudEmulator::listen()
{
    m_server = std::make_unique<QTcpServer>();
    m_tls = false;
    connect(m_server.get(), &QTcpServer::newConnection, this, &CloudEmulator::onNewConnection);
    return m_server->listen(QHostAddress::LocalHost, 0);
}

bool CloudEmulator::listenTls(const QSslConfiguration& tls, quint16 port)
{
    auto server = std::make_unique<QSslServer>();
    server->setSslConfiguration(tls);
    // A connection is handed over once its handshake is done; one that fails the handshake (a client that
    // does not trust the certificate) never reaches the request parser.
    connect(server.get(), &QTcpServer::pendingConnectionAvailable, this, &CloudEmulator::onNewConnection);
    m_server = std::move(server);
    m_tls = true;
    return m_server->listen(QHostAddress::LocalHost, port);
}

QUrl CloudEmulator::baseUrl() const
{
    const quint16 port = m_server ? m_server->serverPort() : 0;
    return QUrl(m_tls ? u"https://localhost:%1"_s.arg(port) : u"http://127.0.0.1:%1"_s.arg(port));
}

void CloudEmulator::setTenant(const QStringList& names, const QByteArray& graphUsersJson,
                              const QByteArray& exoMailboxesJson)
{
    m_tenantNames = names;
    m_users = {};
    const QJsonDocument graph = QJsonDocument::fromJson(graphUsersJson);
    const QJsonArray pages = graph.isArray() ? graph.array() : QJsonArray{graph.object()};
    for (const QJsonValue& page : pages) {
        const QJsonObject o = page.toObject();
        if (o.contains("value"_L1)) {
            for (const QJsonValue& user : o.value("value"_L1).toArray())
                m_users.append(user);
        } else {
            m_users.append(o);
        }
    }
    m_mailboxes = QJsonDocument::fromJson(exoMailboxesJson).array();
    m_mailboxFilters.reset(&m_mailboxes);
    m_userVersion = QList<int>(m_users.size(), 1);
    m_removed.clear();
    m_version = 1;
}

void CloudEmulator::changeMailbox(const QString& exchangeGuid, const QString& property, const QJsonValue& value)
{
    changeMailboxProperty(m_mailboxes, exchangeGuid, property, value, m_clock->nowMsecs());
    m_mailboxFilters.reset(&m_mailboxes); // the selections cached per -Filter are stale
}

void CloudEmulator::addMailbox(const QJsonObject& mailbox)
{
    sunset::addMailbox(m_mailboxes, mailbox, m_clock->nowMsecs());
    m_mailboxFilters.reset(&m_mailboxes); // the selections cached per -Filter are stale
}

void CloudEmulator::removeMailbox(const QString& exchangeGuid)
{
    sunset::removeMailbox(m_mailboxes, exchangeGuid);
    m_mailboxFilters.reset(&m_mailboxes); // the selections cached per -Filter are stale
}

qsizetype CloudEmulator::userIndex(const QString& id) const
{
    for (qsizetype i = 0; i < m_users.size(); ++i) {
        if (m_userVersion[i] >= 0 && m_users.at(i).toObject().value("id"_L1).toString() == id)
            return i;
    }
    return -1;
}

void CloudEmulator::changeUser(const QString& id, const QString& property, const QJsonValue& value)
{
    const qsizetype i = userIndex(id);
    if (i < 0)
        return;
    QJsonObject user = m_users.at(i).toObject();
    user.insert(property, value);
    m_users.replace(i, user);
    m_userVersion[i] = ++m_version;
}

void CloudEmulator::removeUser(const QString& id)
{
    const qsizetype i = userIndex(id);
    if (i < 0)
        return;
    m_userVersion[i] = -1;
    m_removed.append({id, ++m_version});
}

void CloudEmulator::registerApp(const QString& clientId, const QString& secret, const QByteArray& certificateDer)
{
    m_apps.insert(clientId, App{secret, certificateDer});
}

void CloudEmulator::onNewConnection()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        m_arrivedAt.insert(socket, m_uptime.elapsed());
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            m_arrivedAt.remove(socket);
            socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0) // arrived with the TLS handshake, before the connection was handed over
            onReadyRead(socket);
    }
}

void CloudEmulator::onReadyRead(QTcpSocket* socket)
{
    QByteArray& buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    Request request;
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request.method = first.value(0);
    request.target = first.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
    if (buffer.size() < headerEnd + 4 + length)
        return;
    request.body = buffer.mid(headerEnd + 4, length);
    buffer.clear();
    socket->disconnect(this, nullptr); // one request per connection; keep the disconnected handler below
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    m_buffers.remove(socket);
    const qint64 arrived = m_arrivedAt.take(socket);
    Response response = dispatch(request);
    response.cutOff = std::exchange(m_cutOffNext, false);
    if (const qint64 cost = std::exchange(m_answerDelayMsecs, 0); cost > 0) {
        // The cost model: the answer leaves its cost after the request came, the request in flight until then (or
        // until the client gives up on it). The time this one thread spent on other requests before it got to
        // this one, and building this answer, counts: the service it stands for serves requests side by side, and
        // its cost does not grow with its callers' concurrency.
        const int delay = int(std::max<qint64>(1, cost - (m_uptime.elapsed() - arrived)));
        QTimer::singleShot(delay, Qt::PreciseTimer, this, [this, socket = QPointer<QTcpSocket>(socket), response] {
            m_exoLoad.release();
            if (socket && socket->state() == QAbstractSocket::ConnectedState)
                write(socket, response);
        });
        return;
    }
    write(socket, response);
}

void CloudEmulator::write(QTcpSocket* socket, const Response& response)
{
    if (response.special == Response::Special::Drop) {
        socket->close(); // the connection ends without an answer
        return;
    }
    if (response.special == Response::Special::Endless || response.special == Response::Special::Trickle ||
        response.special == Response::Special::Stall) {
        stream(socket, response);
        return;
    }
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reason(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    const qsizetype announced = response.cutOff ? response.body.size() * 2 : response.body.size();
    out += "Content-Length: " + QByteArray::number(announced) + "\r\nConnection: close\r\n\r\n";
    out += response.body;
    socket->write(out);
    socket->disconnectFromHost();
}

void CloudEmulator::stream(QTcpSocket* socket, const Response& response)
{
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json;odata.metadata=minimal\r\n";
    if (response.announceHuge)
        head += "Content-Length: 2147483648\r\n";
    head += "Connection: close\r\n\r\n";
    socket->write(head);
    ++m_openStreams;
    connect(socket, &QObject::destroyed, this, [this] { --m_openStreams; });
    // Closing the socket (the client aborting) ends the stream: the handlers below die with it.
    switch (response.special) {
    case Response::Special::Endless: {
        // A page that never ends: records generated in 64 KiB chunks, topped up only when what was written has
        // drained below 256 KiB, so the emulator's own memory stays flat however long the client reads.
        QByteArray record = R"({"id":"5f0a6a3e-7c39-4a55-9bb1-000000000000","userPrincipalName":"endless@contoso.com",)"
                            R"("DisplayName":"Endless","EmailAddresses":["SMTP:endless@contoso.com"]},)";
        QByteArray chunk;
        while (chunk.size() < (64 << 10))
            chunk += record;
        socket->write("{\"value\":[");
        auto topUp = [this, socket, chunk] {
            while (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() < (256 << 10)) {
                socket->write(chunk);
                m_streamedBytes += chunk.size();
            }
        };
        connect(socket, &QTcpSocket::bytesWritten, socket, topUp);
        topUp();
        break;
    }
    case Response::Special::Trickle: {
        auto* timer = new QTimer(socket);
        auto bytes = std::make_shared<QByteArray>(R"({"value":[{"id":"5f0a6a3e-7c39-4a55-9bb1-000000000000"})");
        connect(timer, &QTimer::timeout, socket, [this, socket, bytes, sent = qsizetype(0)]() mutable {
            socket->write(sent < bytes->size() ? bytes->mid(sent, 1) : QByteArray(" "));
            ++sent;
            ++m_streamedBytes;
        });
        timer->start(50);
        break;
    }
    default: // Stall: the headers, then silence until the client gives up
        break;
    }
}

void CloudEmulator::spoilFirstRecord(QJsonArray& value, Fault::Kind kind, bool mailbox)
{
    if (value.isEmpty())
        return;
    QJsonObject record = value.at(0).toObject();
    if (kind == Fault::Kind::HugeAttribute) {
        QJsonArray many;
        for (int i = 0; i < 100000; ++i)
            many.append(mailbox ? u"smtp:alias%1@contoso.com"_s.arg(i) : u"+1 555 %1"_s.arg(i));
        record.insert(mailbox ? u"EmailAddresses"_s : u"businessPhones"_s, many);
    } else {
        record.insert(mailbox ? u"DisplayName"_s : u"userPrincipalName"_s, QString(2 << 20, u'x'));
    }
    value[0] = record;
}

CloudEmulator::Response CloudEmulator::json(int status, const QJsonObject& body)
{
    Response r;
    r.status = status;
    r.headers.append(Header{"Content-Type", kODataJson});
    r.headers.append(Header{"request-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)});
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

CloudEmulator::Response CloudEmulator::aadError(int status, const QString& error, int code, const QString& description)
{
    const QString trace = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString correlation = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd HH:mm:ss'Z'"_s);
    Response r = json(status, QJsonObject{
                                  {u"error"_s, error},
                                  {u"error_description"_s, u"AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\n"
                                                           "Timestamp: %5"_s.arg(QString::number(code), description,
                                                                                 trace, correlation, stamp)},
                                  {u"error_codes"_s, QJsonArray{code}},
                                  {u"timestamp"_s, stamp},
                                  {u"trace_id"_s, trace},
                                  {u"correlation_id"_s, correlation},
                                  {u"error_uri"_s, u"https://login.microsoftonline.com/error?code=%1"_s.arg(code)},
                              });
    r.headers[0].second = "application/json; charset=utf-8";
    return r;
}

CloudEmulator::Response CloudEmulator::graphError(int status, const QString& code, const QString& message)
{
    return json(
        status,
        QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code},
                                             {u"message"_s, message},
                                             {u"innerError"_s,
                                              QJsonObject{
                                                  {u"date"_s, nowText()},
                                                  {u"request-id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
                                              }}}}});
}

// The Exchange admin API's error answer [O]: {"error":{"code","message","details":[{"message"}]}} (a 404 seen in
// captured traffic); CIPP reads error.innererror.internalException.message, so that is there too. Which
// message goes where for a parameter binding error is [U]: the PowerShell text is put in all three.
CloudEmulator::Response CloudEmulator::exoError(int status, const QString& code, const QString& message)
{
    return json(
        status,
        QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code},
                                             {u"message"_s, message},
                                             {u"details"_s, QJsonArray{QJsonObject{{u"message"_s, message}}}},
                                             {u"innererror"_s, QJsonObject{{u"internalException"_s,
                                                                            QJsonObject{{u"message"_s, message}}}}}}}});
}

CloudEmulator::Response CloudEmulator::dispatch(const Request& request)
{
    const QUrl url = QUrl::fromEncoded(baseUrl().toEncoded() + request.target);
    const QStringList parts = url.path().split(u'/', Qt::SkipEmptyParts);
    // /{tenant}/oauth2/v2.0/token
    if (request.method == "POST" && parts.size() == 4 && parts[1] == "oauth2"_L1 && parts[2] == "v2.0"_L1 &&
        parts[3] == "token"_L1)
        return token(parts[0], request);
    if (request.method == "POST" && parts.size() == 4 && parts[1] == "oauth2"_L1 && parts[2] == "v2.0"_L1 &&
        parts[3] == "devicecode"_L1)
        return deviceCode(parts[0], request);
    if (request.method == "GET" && parts == QStringList{u"v1.0"_s, u"users"_s})
        return users(request, url);
    if (request.method == "GET" && parts == QStringList{u"v1.0"_s, u"users"_s, u"$count"_s})
        return userCount(request);
    if (request.method == "GET" && parts == QStringList{u"v1.0"_s, u"users"_s, u"delta"_s})
        return usersDelta(request, url);
    // Graph beta groups and contacts with their source of authority (DirectoryObjectsEmulator.cpp).
    if (request.method == "GET" && parts.size() == 2 && parts[0] == "beta"_L1 &&
        (parts[1] == "groups"_L1 || parts[1] == "contacts"_L1)) {
        if (auto denied = authorize(request, QLatin1StringView(kGraphResource)))
            return *denied;
        const DirectoryObjectsAnswer answer =
            answerDirectoryObjects(this, parts[1], QUrlQuery(url), request.headers.value("consistencylevel"));
        return json(answer.status, answer.body);
    }
    // /adminapi/beta/{tenant}/InvokeCommand and /adminapi/v2.0/{tenant}/Mailbox
    if (request.method == "POST" && parts.size() == 4 && parts[0] == "adminapi"_L1 && parts[1] == "beta"_L1 &&
        parts[3].compare("InvokeCommand"_L1, Qt::CaseInsensitive) == 0)
        return mailboxes(request, url, parts[2], false);
    if (request.method == "POST" && parts.size() == 4 && parts[0] == "adminapi"_L1 && parts[1] == "v2.0"_L1 &&
        parts[3].compare("Mailbox"_L1, Qt::CaseInsensitive) == 0)
        return mailboxes(request, url, parts[2], true);
    // The on-demand endpoint (and its own job's schema) first: the synchronization API answers the rest.
    if (m_onDemand && m_onDemand->handles(request.method, url.path())) {
        if (std::optional<Response> denied = authorize(request, QLatin1StringView(kGraphResource)))
            return *denied;
        // Each provisionOnDemand POST is a data request of its own API (the job's schema is not): a test throttles
        // or stalls the n-th one, or acts when it arrives.
        if (request.method == "POST") {
            countDataRequest(u"provisionOnDemand"_s);
            if (std::optional<Response> fault = injectFault(u"provisionOnDemand"_s))
                return *fault;
        }
        const OnDemandEmulator::Answer answer = m_onDemand->handle(request.method, url.path(), request.body);
        Response r;
        r.status = answer.status;
        r.headers = answer.headers;
        r.body = answer.body;
        return r;
    }
    if (SyncEmulator::handles(request.method, url)) {
        if (std::optional<Response> refused = authorize(request, QLatin1StringView(kGraphResource)))
            return *refused;
        const QString clientId = m_tokens.value(request.headers.value("authorization").mid(7)).clientId;
        SyncEmulator::Answer answer = m_sync->handle(request.method, url, clientId, *m_clock);
        return Response{answer.status, std::move(answer.headers), std::move(answer.body)};
    }
    return graphError(404, u"NotFound"_s, u"Resource not found for the segment '%1'."_s.arg(parts.value(0)));
}

CloudEmulator::Response CloudEmulator::token(const QString& tenant, const Request& request)
{
    ++m_tokenRequests;
    countDataRequest(u"token"_s);
    if (std::optional<Response> fault = injectFault(u"token"_s); fault && fault->special != Response::Special::Record)
        return *fault;
    QByteArray form = request.body;
    form.replace('+', "%20"); // application/x-www-form-urlencoded spells spaces '+'
    const QUrlQuery query(QString::fromLatin1(form));
    auto field = [&](const char* name) { return query.queryItemValue(QLatin1StringView(name), QUrl::FullyDecoded); };
    if (!m_tenantNames.contains(tenant, Qt::CaseInsensitive))
        return aadError(400, u"invalid_request"_s, 90002,
                        u"Tenant '%1' not found. Check to make sure you have the correct tenant ID and are signing "
                        "into the correct cloud."_s.arg(tenant));
    if (field("grant_type") == "urn:ietf:params:oauth:grant-type:device_code"_L1)
        return deviceToken(query);
    if (field("grant_type") == "refresh_token"_L1)
        return refreshToken(tenant, query);
    if (field("grant_type") != "client_credentials"_L1)
        return aadError(400, u"unsupported_grant_type"_s, 70003,
                        u"The app requested an unsupported grant type '%1'."_s.arg(field("grant_type")));
    const QString clientId = field("client_id");
    const auto app = m_apps.constFind(clientId);
    if (app == m_apps.constEnd())
        return aadError(
            400, u"unauthorized_client"_s, 700016,
            u"Application with identifier '%1' was not found in the directory '%2'."_s.arg(clientId, tenant));
    const QStringList scopes = field("scope").split(u' ', Qt::SkipEmptyParts);
    if (scopes.size() != 1 || !scopes[0].endsWith("/.default"_L1))
        return aadError(400, u"invalid_scope"_s, scopes.size() > 1 ? 28000 : 70011,
                        scopes.size() > 1 ? u"Provided value for the input parameter scope is not valid because it "
                                            "contains more than one resource."_s
                                          : u"The provided value for the input parameter 'scope' is not valid."_s);
    const QString resource = scopes[0].chopped(int(strlen("/.default")));
    if (resource != QLatin1StringView(kGraphResource) && resource != QLatin1StringView(kExoResource))
        return aadError(
            400, u"invalid_resource"_s, 500011,
            u"The resource principal named %1 was not found in the tenant named %2."_s.arg(resource, tenant));
    if (query.hasQueryItem(u"client_secret"_s)) {
        if (app->secret.isEmpty() || field("client_secret") != app->secret)
            return aadError(
                401, u"invalid_client"_s, 7000215,
                u"Invalid client secret provided. Ensure the secret being sent in the request is the "
                "client secret value, not the client secret ID, for a secret added to app '%1'."_s.arg(clientId));
    } else if (query.hasQueryItem(u"client_assertion"_s)) {
        if (field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_L1)
            return aadError(400, u"invalid_request"_s, 50027, u"Invalid client_assertion_type."_s);
        const QUrl tokenUrl = baseUrl().resolved(QUrl(u"/%1/oauth2/v2.0/token"_s.arg(tenant)));
        if (const QString problem = verifyAssertion(tenant, clientId, field("client_assertion").toLatin1(), tokenUrl);
            !problem.isEmpty()) {
            const int code = problem.section(u':', 0, 0).toInt();
            return aadError(401, u"invalid_client"_s, code, problem.section(u':', 1).trimmed());
        }
    } else {
        return aadError(400, u"invalid_client"_s, 7000218,
                        u"The request body must contain the following parameter: 'client_assertion' or "
                        "'client_secret'."_s);
    }
    return issueToken(resource, false, clientId);
}

CloudEmulator::Response CloudEmulator::issueToken(const QString& resource, bool withRefreshToken,
                                                  const QString& clientId, bool withIdToken)
{
    const QByteArray accessToken =
        "emu." + QByteArray::number(QRandomGenerator::global()->generate64(), 16) + '.' + base64Url(resource.toUtf8());
    m_tokens.insert(accessToken, {resource, m_clock->nowMsecs() + m_tokenLifetime * 1000LL, clientId});
    QJsonObject answer{{u"token_type"_s, u"Bearer"_s},
                       {u"expires_in"_s, m_tokenLifetime},
                       {u"ext_expires_in"_s, m_tokenLifetime},
                       {u"access_token"_s, QString::fromLatin1(accessToken)}};
    if (withRefreshToken || withIdToken)
        answer.insert(u"scope"_s, QString(resource + u"/.default"_s));
    if (withRefreshToken) {
        const QByteArray refresh = "emu-refresh." + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
        m_refreshTokens.insert(refresh, clientId);
        answer.insert(u"refresh_token"_s, QString::fromLatin1(refresh));
    }
    if (withIdToken) { // unsigned here; real ones are signed, but the client reads only the user's name
        const QJsonObject claims{{u"preferred_username"_s, m_admin}, {u"aud"_s, clientId}};
        answer.insert(u"id_token"_s,
                      QString::fromLatin1(base64Url(R"({"alg":"none","typ":"JWT"})") + '.' +
                                          base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.'));
    }
    Response r = json(200, answer);
    r.headers[0].second = "application/json; charset=utf-8";
    return r;
}

namespace {

// The one resource a delegated scope list names ("https://graph.microsoft.com/.default offline_access openid"),
// and whether offline_access and openid were asked for. Empty resource: none, or more than one (ambiguous).
struct DelegatedScope {
    QString resource;
    int resources = 0;
    bool offline = false;
    bool openid = false;
};

DelegatedScope parseDelegatedScope(const QStringList& scopes)
{
    DelegatedScope d;
    for (const QString& scope : scopes) {
        if (scope == "offline_access"_L1)
            d.offline = true;
        else if (scope == "openid"_L1)
            d.openid = true;
        else if (scope.contains(u'/') && d.resource != scope.section(u'/', 0, 2)) {
            ++d.resources;
            d.resource = scope.section(u'/', 0, 2);
        }
    }
    if (d.resources != 1)
        d.resource.clear();
    return d;
}

} // namespace

CloudEmulator::Response CloudEmulator::refreshToken(const QString& tenant, const QUrlQuery& query)
{
    Q_UNUSED(tenant);
    ++m_refreshGrants;
    const QByteArray presented = query.queryItemValue(u"refresh_token"_s, QUrl::FullyDecoded).toLatin1();
    const QString clientId = query.queryItemValue(u"client_id"_s, QUrl::FullyDecoded);
    const auto it = m_refreshTokens.constFind(presented);
    if (it == m_refreshTokens.constEnd() || it.value() != clientId)
        return aadError(400, u"invalid_grant"_s, 70008,
                        u"The provided authorization code or refresh token has expired due to inactivity. Send a new "
                        "interactive authorization request for this user and resource."_s);
    const DelegatedScope scope =
        parseDelegatedScope(query.queryItemValue(u"scope"_s, QUrl::FullyDecoded).split(u' ', Qt::SkipEmptyParts));
    if (scope.resource.isEmpty())
        return aadError(400, u"invalid_scope"_s, scope.resources > 1 ? 28000 : 70011,
                        scope.resources > 1 ? u"Provided value for the input parameter scope is not valid because "
                                              "it contains more than one resource."_s
                                            : u"The provided value for the input parameter 'scope' is not valid."_s);
    if (scope.resource != QLatin1StringView(kGraphResource) && scope.resource != QLatin1StringView(kExoResource))
        return aadError(400, u"invalid_resource"_s, 500011,
                        u"The resource principal named %1 was not found in the tenant."_s.arg(scope.resource));
    m_refreshTokens.remove(presented); // rotated: the answer carries the next one
    return issueToken(scope.resource, true, clientId, scope.openid);
}

CloudEmulator::Response CloudEmulator::deviceCode(const QString& tenant, const Request& request)
{
    ++m_tokenRequests;
    countDataRequest(u"token"_s);
    if (std::optional<Response> fault = injectFault(u"token"_s); fault && fault->special != Response::Special::Record)
        return *fault;
    QByteArray form = request.body;
    form.replace('+', "%20");
    const QUrlQuery query(QString::fromLatin1(form));
    if (!m_tenantNames.contains(tenant, Qt::CaseInsensitive))
        return aadError(400, u"invalid_request"_s, 90002, u"Tenant '%1' not found."_s.arg(tenant));
    const QString clientId = query.queryItemValue(u"client_id"_s, QUrl::FullyDecoded);
    if (!m_apps.contains(clientId))
        return aadError(
            400, u"unauthorized_client"_s, 700016,
            u"Application with identifier '%1' was not found in the directory '%2'."_s.arg(clientId, tenant));
    const QStringList scopes = query.queryItemValue(u"scope"_s, QUrl::FullyDecoded).split(u' ', Qt::SkipEmptyParts);
    m_deviceScopes.append(scopes.join(u' '));
    if (parseDelegatedScope(scopes).resources > 1)
        return aadError(400, u"invalid_scope"_s, 28000,
                        u"Provided value for the input parameter scope is not valid because it contains more than "
                        "one resource."_s);
    const QByteArray code = "emu-device." + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    const QString userCode = u"EMU%1"_s.arg(QRandomGenerator::global()->bounded(100000, 999999));
    m_deviceGrants.insert(code, {clientId, scopes, 0, false});
    const QString uri = u"https://microsoft.com/devicelogin"_s;
    Response r = json(200, QJsonObject{
                               {u"device_code"_s, QString::fromLatin1(code)},
                               {u"user_code"_s, userCode},
                               {u"verification_uri"_s, uri},
                               {u"expires_in"_s, 900},
                               {u"interval"_s, m_deviceInterval},
                               {u"message"_s, u"To sign in, use a web browser to open the page %1 and enter the code "
                                              "%2 to authenticate."_s.arg(uri, userCode)},
                           });
    r.headers[0].second = "application/json; charset=utf-8";
    return r;
}

CloudEmulator::Response CloudEmulator::deviceToken(const QUrlQuery& query)
{
    const QByteArray code = query.queryItemValue(u"device_code"_s, QUrl::FullyDecoded).toLatin1();
    const QString clientId = query.queryItemValue(u"client_id"_s, QUrl::FullyDecoded);
    // client_id is a required parameter of the poll [C] (v2-oauth2-device-code.md); its absence is answered
    // AADSTS900144 as for any missing parameter [O].
    if (clientId.isEmpty())
        return aadError(400, u"invalid_request"_s, 900144,
                        u"The request body must contain the following parameter: 'client_id'."_s);
    auto grant = m_deviceGrants.find(code);
    if (grant == m_deviceGrants.end())
        return aadError(400, u"bad_verification_code"_s, 70019, u"Verification code is not recognized."_s);
    // A code polled for by another application than the one it was issued to: refused [U] (the error the
    // service gives is not documented; invalid_grant is what a code that does not fit the request gets).
    if (grant->clientId != clientId)
        return aadError(
            400, u"invalid_grant"_s, 70000,
            u"The provided value for the input parameter 'device_code' is not valid for client '%1'."_s.arg(clientId));
    if (m_deviceSlowDown && !grant->slowedDown) {
        grant->slowedDown = true;
        return aadError(400, u"slow_down"_s, 70016, u"Polling too fast; slow down."_s);
    }
    if (grant->polls++ < m_devicePending)
        return aadError(
            400, u"authorization_pending"_s, 70016,
            u"The provided request has not yet been authorized by the user. The user must input their code."_s);
    if (m_deviceOutcome == DeviceOutcome::Decline)
        return aadError(400, u"authorization_declined"_s, 70000, u"The user declined the sign-in request."_s);
    if (m_deviceOutcome == DeviceOutcome::Expire)
        return aadError(400, u"expired_token"_s, 70020,
                        u"The provided value for the input parameter 'device_code' is not valid. This device code "
                        "has expired."_s);
    const DelegatedScope scope = parseDelegatedScope(grant->scopes);
    m_deviceGrants.erase(grant);
    return issueToken(scope.resource, scope.offline, clientId, scope.openid);
}

// Empty when the assertion is good; else "<AADSTS code>: <description>".
QString CloudEmulator::verifyAssertion(const QString& tenant, const QString& clientId, const QByteArray& assertion,
                                       const QUrl& tokenUrl)
{
    Q_UNUSED(tenant);
    const QList<QByteArray> parts = assertion.split('.');
    if (parts.size() != 3)
        return u"50027: JWT token is invalid or malformed."_s;
    const QJsonObject header = QJsonDocument::fromJson(fromBase64Url(parts[0])).object();
    const QJsonObject claims = QJsonDocument::fromJson(fromBase64Url(parts[1])).object();
    const QByteArray certificate = m_apps.value(clientId).certificateDer;
    if (certificate.isEmpty())
        return u"700027: Client assertion contains an invalid signature. [Reason - The key was not found.]"_s;
    const QString alg = header.value("alg"_L1).toString();
    if (alg != "PS256"_L1 && alg != "RS256"_L1)
        return u"5002738: Invalid JWT token. '%1' is not a supported signature algorithm."_s.arg(alg);
    const bool byS256 = header.contains("x5t#S256"_L1);
    const QByteArray thumbprint = header.value(byS256 ? "x5t#S256"_L1 : "x5t"_L1).toString().toLatin1();
    const QByteArray expected = base64Url(digest(certificate, byS256 ? EVP_sha256() : EVP_sha1()));
    if (thumbprint.isEmpty() || thumbprint != expected)
        return u"700027: Client assertion contains an invalid signature. [Reason - The key was not found., "
               "Thumbprint of key used by client: '%1']"_s.arg(QString::fromLatin1(thumbprint));
    if (!verifySignature(certificate, QByteArray(parts[0] + '.' + parts[1]), fromBase64Url(parts[2]),
                         alg == "PS256"_L1))
        return u"700027: Client assertion failed signature validation."_s;
    if (claims.value("aud"_L1).toString() != tokenUrl.toString())
        return u"700212: No matching federated identity record found for presented assertion audience '%1'."_s.arg(
            claims.value("aud"_L1).toString());
    if (claims.value("iss"_L1).toString() != clientId || claims.value("sub"_L1).toString() != clientId)
        return u"700021: Client assertion application identifier doesn't match 'client_id' parameter."_s;
    const qint64 now = m_clock->nowSecs();
    const qint64 nbf = qint64(claims.value("nbf"_L1).toDouble());
    const qint64 exp = qint64(claims.value("exp"_L1).toDouble());
    if (nbf > now + 300 || exp <= now || exp <= nbf)
        return u"700024: Client assertion is not within its valid time range."_s;
    if (claims.value("jti"_L1).toString().isEmpty())
        return u"50027: JWT token is invalid or malformed. The 'jti' claim is missing."_s;
    return {};
}

std::optional<CloudEmulator::Response> CloudEmulator::authorize(const Request& request, const QString& resource)
{
    const QByteArray header = request.headers.value("authorization");
    const QByteArray presented = header.startsWith("Bearer ") ? header.mid(7) : QByteArray();
    const auto it = m_tokens.constFind(presented);
    if (it != m_tokens.constEnd() && it->resource == resource && it->expiresAtMsecs > m_clock->nowMsecs())
        return std::nullopt;
    Response r = graphError(401, u"InvalidAuthenticationToken"_s,
                            presented.isEmpty() ? u"Access token is empty."_s
                                                : u"Access token has expired or is not yet valid."_s);
    r.headers.append(Header{"WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\""});
    return r;
}

std::optional<CloudEmulator::Fault::Kind> CloudEmulator::takeRecordFault(std::optional<Response>& fault)
{
    if (!fault || fault->special != Response::Special::Record)
        return std::nullopt;
    const auto kind = Fault::Kind(fault->status);
    fault.reset();
    return kind;
}

void CloudEmulator::countDataRequest(const QString& api)
{
    const int n = ++m_dataRequests[api];
    if (m_requestObserver)
        m_requestObserver(api, n);
}

std::optional<CloudEmulator::Response> CloudEmulator::injectFault(const QString& api)
{
    const int n = m_dataRequests.value(api);
    for (const Fault& f : std::as_const(m_faults)) {
        if (f.api != api || n < f.onRequest || n >= f.onRequest + f.times)
            continue;
        ++m_faultsInjected;
        Response r;
        switch (f.kind) {
        case Fault::Kind::TooManyRequests:
            r = graphError(429, u"TooManyRequests"_s, u"Please retry again later."_s);
            r.headers.append(Header{"Retry-After", f.retryAfter});
            return r;
        case Fault::Kind::ServiceUnavailable:
            r = graphError(503, u"serviceNotAvailable"_s, u"Service unavailable."_s);
            r.headers.append(Header{"Retry-After", f.retryAfter});
            return r;
        case Fault::Kind::DropConnection:
            r.special = Response::Special::Drop;
            return r;
        case Fault::Kind::HtmlPage:
            r.headers.append(Header{"Content-Type", "text/html; charset=utf-8"});
            r.body = "<!DOCTYPE html><html><head><title>Web Proxy - Authentication Required</title></head>"
                     "<body><h1>Please sign in to the proxy</h1></body></html>";
            return r;
        case Fault::Kind::EndlessPage:
        case Fault::Kind::HugeAnnouncedPage:
            r.special = Response::Special::Endless;
            r.announceHuge = f.kind == Fault::Kind::HugeAnnouncedPage;
            return r;
        case Fault::Kind::TricklePage:
            r.special = Response::Special::Trickle;
            return r;
        case Fault::Kind::StalledPage:
            r.special = Response::Special::Stall;
            return r;
        case Fault::Kind::HugeAttribute:
        case Fault::Kind::HugeValue:
            r.special = Response::Special::Record; // applied by the caller to the page it builds
            r.status = int(f.kind);
            return r;
        case Fault::Kind::CutOffBody: // the page cut in half like TruncatedJson, announced whole by write()
            m_cutOffNext = true;
            r.special = Response::Special::Truncate;
            r.status = int(Fault::Kind::TruncatedJson);
            return r;
        case Fault::Kind::ExpiredToken:
        case Fault::Kind::TruncatedJson:
            r.special = Response::Special::Truncate; // handled by the caller, which knows the token / page
            r.status = int(f.kind);
            return r;
        }
    }
    return std::nullopt;
}

namespace {

// The properties of microsoft.graph.user in v1.0 [C] (api-reference/v1.0/resources/user.md), the names $select
// may ask for (Graph matches them regardless of case [O]).
bool isUserProperty(const QString& name)
{
    // A list, not one name a line:
    // clang-format off
    static const QStringList properties{
        u"id"_s, u"aboutMe"_s, u"accountEnabled"_s, u"ageGroup"_s, u"assignedLicenses"_s, u"assignedPlans"_s,
        u"birthday"_s, u"businessPhones"_s, u"city"_s, u"companyName"_s, u"consentProvidedForMinor"_s,
        u"country"_s, u"createdDateTime"_s, u"creationType"_s, u"deletedDateTime"_s, u"department"_s,
        u"displayName"_s, u"employeeHireDate"_s, u"employeeId"_s, u"employeeLeaveDateTime"_s,
        u"employeeOrgData"_s, u"employeeType"_s, u"externalUserState"_s, u"externalUserStateChangeDateTime"_s,
        u"faxNumber"_s, u"givenName"_s, u"hireDate"_s, u"identities"_s, u"imAddresses"_s, u"interests"_s,
        u"isResourceAccount"_s, u"jobTitle"_s, u"lastPasswordChangeDateTime"_s,
        u"legalAgeGroupClassification"_s, u"licenseAssignmentStates"_s, u"mail"_s, u"mailboxSettings"_s,
        u"mailNickname"_s, u"mobilePhone"_s, u"mySite"_s, u"officeLocation"_s,
        u"onPremisesDistinguishedName"_s, u"onPremisesDomainName"_s, u"onPremisesExtensionAttributes"_s,
        u"onPremisesImmutableId"_s, u"onPremisesLastSyncDateTime"_s, u"onPremisesProvisioningErrors"_s,
        u"onPremisesSamAccountName"_s, u"onPremisesSecurityIdentifier"_s, u"onPremisesSyncEnabled"_s,
        u"onPremisesUserPrincipalName"_s, u"otherMails"_s, u"passwordPolicies"_s, u"passwordProfile"_s,
        u"pastProjects"_s, u"postalCode"_s, u"preferredDataLocation"_s, u"preferredLanguage"_s,
        u"preferredName"_s, u"provisionedPlans"_s, u"proxyAddresses"_s, u"responsibilities"_s, u"schools"_s,
        u"securityIdentifier"_s, u"showInAddressList"_s, u"signInActivity"_s,
        u"signInSessionsValidFromDateTime"_s, u"skills"_s, u"state"_s, u"streetAddress"_s, u"surname"_s,
        u"usageLocation"_s, u"userPrincipalName"_s, u"userType"_s};
    // clang-format on
    return properties.contains(name, Qt::CaseInsensitive);
}

} // namespace

// Graph's answer to a $select naming something a user does not have [O]: 400, code BadRequest.
std::optional<CloudEmulator::Response> CloudEmulator::refuseUnknownSelect(const QStringList& select)
{
    for (const QString& name : select) {
        if (!isUserProperty(name))
            return graphError(400, u"BadRequest"_s,
                              u"Could not find a property named '%1' on type 'microsoft.graph.user'."_s.arg(name));
    }
    return std::nullopt;
}

CloudEmulator::Response CloudEmulator::users(const Request& request, const QUrl& url)
{
    countDataRequest(u"users"_s);
    std::optional<Response> fault = injectFault(u"users"_s);
    const std::optional<Fault::Kind> recordFault = takeRecordFault(fault);
    const bool truncate =
        fault && fault->special == Response::Special::Truncate && fault->status == int(Fault::Kind::TruncatedJson);
    if (fault && fault->special == Response::Special::Truncate && !truncate) {
        m_tokens.remove(request.headers.value("authorization").mid(7)); // the token "expires" now
        fault.reset();
    }
    if (fault && !truncate)
        return *fault;
    if (auto denied = authorize(request, QLatin1StringView(kGraphResource)))
        return *denied;
    const QUrlQuery query(url);
    int top = 100;
    if (query.hasQueryItem(u"$top"_s)) {
        bool ok = false;
        top = query.queryItemValue(u"$top"_s).toInt(&ok);
        if (!ok || top < 1 || top > 999)
            return graphError(400, u"Request_UnsupportedQuery"_s,
                              u"Invalid page size specified: '%1'. Must be between 1 and 999 inclusive."_s.arg(
                                  query.queryItemValue(u"$top"_s)));
    }
    if (query.hasQueryItem(u"$skip"_s))
        return graphError(400, u"Request_UnsupportedQuery"_s, u"'$skip' is not supported by the service."_s);
    qsizetype offset = 0;
    if (query.hasQueryItem(u"$skiptoken"_s)) {
        const QByteArray decoded = fromBase64Url(query.queryItemValue(u"$skiptoken"_s).toLatin1());
        if (!decoded.startsWith("users:"))
            return graphError(400, u"Directory_InvalidSkipToken"_s, u"The specified skip token is invalid."_s);
        offset = decoded.mid(6).toLongLong();
    }
    QStringList select = query.queryItemValue(u"$select"_s, QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    if (std::optional<Response> refused = refuseUnknownSelect(select))
        return *refused;
    const bool eventual = request.headers.value("consistencylevel").compare("eventual", Qt::CaseInsensitive) == 0;
    // $count on directory objects needs ConsistencyLevel: eventual [C] (aad-advanced-queries.md); without it
    // Graph answers 400 with this message [O] (microsoft-graph-docs issue 15067).
    if (query.hasQueryItem(u"$count"_s) && !eventual)
        return graphError(400, u"Request_BadRequest"_s, u"$count is not currently supported."_s);
    if (select.isEmpty())
        select = {u"businessPhones"_s,
                  u"displayName"_s,
                  u"givenName"_s,
                  u"jobTitle"_s,
                  u"mail"_s,
                  u"mobilePhone"_s,
                  u"officeLocation"_s,
                  u"preferredLanguage"_s,
                  u"surname"_s,
                  u"userPrincipalName"_s,
                  u"id"_s};
    QJsonArray value;
    const qsizetype end = std::min<qsizetype>(m_users.size(), offset + top);
    for (qsizetype i = offset; i < end; ++i) {
        if (m_userVersion[i] < 0)
            continue;
        const QJsonObject user = m_users.at(i).toObject();
        QJsonObject out;
        for (const QString& name : std::as_const(select))
            out.insert(name, user.value(name).isUndefined() ? QJsonValue() : user.value(name));
        value.append(out);
    }
    if (recordFault)
        spoilFirstRecord(value, *recordFault, false);
    QJsonObject page{
        {u"@odata.context"_s, QString(baseUrl().toString() + u"/v1.0/$metadata#users("_s + select.join(u',') + u')')}};
    const bool counted = eventual && query.queryItemValue(u"$count"_s) == "true"_L1;
    if (counted && offset == 0)
        page.insert(u"@odata.count"_s, qint64(m_users.size()));
    if (end < m_users.size()) {
        QUrlQuery next;
        if (query.hasQueryItem(u"$select"_s))
            next.addQueryItem(u"$select"_s, query.queryItemValue(u"$select"_s));
        next.addQueryItem(u"$top"_s, QString::number(top));
        if (query.hasQueryItem(u"$count"_s))
            next.addQueryItem(u"$count"_s, query.queryItemValue(u"$count"_s));
        next.addQueryItem(u"$skiptoken"_s,
                          QString::fromLatin1(base64Url(QByteArray("users:" + QByteArray::number(end)))));
        QUrl nextUrl = baseUrl();
        nextUrl.setPath(u"/v1.0/users"_s);
        nextUrl.setQuery(next);
        if (m_foreignNextLinks)
            nextUrl.setHost(u"graph.example.net"_s);
        page.insert(u"@odata.nextLink"_s, nextUrl.toString(QUrl::FullyEncoded));
    }
    page.insert(u"value"_s, value);
    Response r = json(200, page);
    if (truncate)
        r.body.truncate(r.body.size() / 2);
    return r;
}

CloudEmulator::Response CloudEmulator::userCount(const Request& request)
{
    ++m_countRequests;
    if (auto denied = authorize(request, QLatin1StringView(kGraphResource)))
        return *denied;
    if (request.headers.value("consistencylevel").compare("eventual", Qt::CaseInsensitive) != 0)
        return graphError(400, u"Request_BadRequest"_s,
                          u"Count is not currently supported without the ConsistencyLevel header set to eventual."_s);
    qint64 live = 0;
    for (const int version : std::as_const(m_userVersion))
        live += version >= 0 ? 1 : 0;
    Response r;
    r.headers.append(Header{"Content-Type", "text/plain"});
    r.body = QByteArray::number(live);
    return r;
}

CloudEmulator::Response CloudEmulator::usersDelta(const Request& request, const QUrl& url)
{
    countDataRequest(u"users"_s);
    std::optional<Response> fault = injectFault(u"users"_s);
    [[maybe_unused]] const std::optional<Fault::Kind> recordFault = takeRecordFault(fault); // /users only
    const bool truncate =
        fault && fault->special == Response::Special::Truncate && fault->status == int(Fault::Kind::TruncatedJson);
    if (fault && fault->special == Response::Special::Truncate && !truncate) {
        m_tokens.remove(request.headers.value("authorization").mid(7)); // the token "expires" now
        fault.reset();
    }
    if (fault && !truncate)
        return *fault;
    if (auto denied = authorize(request, QLatin1StringView(kGraphResource)))
        return *denied;
    const QUrlQuery query(url);
    int since = 0;
    qsizetype offset = 0;
    if (query.hasQueryItem(u"$deltatoken"_s)) {
        const QByteArray token = fromBase64Url(query.queryItemValue(u"$deltatoken"_s).toLatin1());
        if (!token.startsWith("delta:"))
            return graphError(400, u"Directory_InvalidDeltaToken"_s, u"The specified delta token is invalid."_s);
        since = token.mid(6).toInt();
        if (since < m_deltaGoneBelow) {
            // Where Graph says to start over: the initial round with the same $select.
            QUrl restart = baseUrl();
            restart.setPath(u"/v1.0/users/delta"_s);
            QUrlQuery fresh;
            if (query.hasQueryItem(u"$select"_s))
                fresh.addQueryItem(u"$select"_s, query.queryItemValue(u"$select"_s));
            restart.setQuery(fresh);
            Response r = graphError(410, u"resyncRequired"_s,
                                    u"The delta token is no longer valid; a full synchronization is required."_s);
            r.headers.append(Header{"Location", restart.toEncoded()});
            return r;
        }
    } else if (query.hasQueryItem(u"$skiptoken"_s)) {
        const QList<QByteArray> token = fromBase64Url(query.queryItemValue(u"$skiptoken"_s).toLatin1()).split(':');
        if (token.size() != 3 || token[0] != "dskip")
            return graphError(400, u"Directory_InvalidSkipToken"_s, u"The specified skip token is invalid."_s);
        since = token[1].toInt();
        offset = token[2].toLongLong();
    }
    const QStringList select = query.queryItemValue(u"$select"_s, QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    if (std::optional<Response> refused = refuseUnknownSelect(select))
        return *refused;
    // Everything changed after `since`: the users (by row), then the removals; the initial round (since 0) has no
    // removals. Only this page's are built as JSON: building every change for every page made a full read
    // quadratic in the emulator, which then outweighed the client in the benchmarks.
    std::vector<qsizetype> changedRows;
    for (qsizetype i = 0; i < m_users.size(); ++i) {
        if (m_userVersion[i] > since)
            changedRows.push_back(i);
    }
    QStringList removedIds;
    if (since > 0) {
        for (const auto& [id, version] : std::as_const(m_removed)) {
            if (version > since)
                removedIds.append(id);
        }
    }
    const qsizetype changeCount = qsizetype(changedRows.size()) + removedIds.size();
    QJsonArray value;
    const qsizetype end = std::min<qsizetype>(changeCount, offset + m_deltaPageSize);
    for (qsizetype i = offset; i < end; ++i) {
        if (i >= qsizetype(changedRows.size())) {
            value.append(QJsonObject{{u"id"_s, removedIds.at(i - qsizetype(changedRows.size()))},
                                     {u"@removed"_s, QJsonObject{{u"reason"_s, u"changed"_s}}}});
            continue;
        }
        const QJsonObject user = m_users.at(changedRows[size_t(i)]).toObject();
        QJsonObject out;
        for (const QString& name : select)
            out.insert(name, user.value(name).isUndefined() ? QJsonValue() : user.value(name));
        out.insert(u"id"_s, user.value("id"_L1));
        value.append(out);
    }
    QJsonObject page{{u"@odata.context"_s, QString(baseUrl().toString() + u"/v1.0/$metadata#users"_s)}};
    QUrl link = baseUrl();
    link.setPath(u"/v1.0/users/delta"_s);
    QUrlQuery next;
    if (end < changeCount) {
        next.addQueryItem(u"$skiptoken"_s, QString::fromLatin1(base64Url(QByteArray(
                                               "dskip:" + QByteArray::number(since) + ':' + QByteArray::number(end)))));
        if (!select.isEmpty())
            next.addQueryItem(u"$select"_s, select.join(u','));
        link.setQuery(next);
        page.insert(u"@odata.nextLink"_s, link.toString(QUrl::FullyEncoded));
    } else {
        next.addQueryItem(u"$deltatoken"_s,
                          QString::fromLatin1(base64Url(QByteArray("delta:" + QByteArray::number(m_version)))));
        if (!select.isEmpty())
            next.addQueryItem(u"$select"_s, select.join(u','));
        link.setQuery(next);
        page.insert(u"@odata.deltaLink"_s, link.toString(QUrl::FullyEncoded));
    }
    page.insert(u"value"_s, value);
    Response r = json(200, page);
    if (truncate)
        r.body.truncate(r.body.size() / 2);
    return r;
}

QString CloudEmulator::checkAnchorMailbox(const QByteArray& anchor) const
{
    // App-only: the system mailbox EXO V3 anchors on, "APP:SystemMailbox{bb558c35-…}@<tenant>" [C] for the v2
    // API (admin-api-get-started) and [O] for beta (CIPP, with the tenant GUID), or the same as
    // "UPN:…@<tenant>.onmicrosoft.com" [O] (ExoHelper). Delegated: "UPN:<admin's UPN>" [C].
    static const QByteArray systemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@";
    if (anchor.isEmpty())
        return u"none was sent"_s;
    const QByteArray kind = anchor.left(4);
    const QByteArray address = anchor.mid(4);
    const qsizetype at = address.lastIndexOf('@');
    if ((kind != "APP:" && kind != "UPN:") || at <= 0 || at == address.size() - 1)
        return u"'%1' is not APP:<system mailbox>@<tenant> or UPN:<user principal name>"_s.arg(
            QString::fromUtf8(anchor));
    const QString domain = QString::fromUtf8(address.mid(at + 1));
    if (kind == "APP:") {
        if (!address.startsWith(systemMailbox))
            return u"an APP: anchor names the system mailbox %1<tenant>"_s.arg(QString::fromLatin1(systemMailbox));
        if (!m_tenantNames.contains(domain, Qt::CaseInsensitive))
            return u"'%1' is not this tenant"_s.arg(domain);
    }
    return {};
}

CloudEmulator::Response CloudEmulator::mailboxes(const Request& request, const QUrl& url, const QString& tenant,
                                                 bool v2)
{
    countDataRequest(u"mailboxes"_s);
    m_exoBodies.append(request.body);
    m_exoPaths.append(url.path().toUtf8());
    m_anchors.append(request.headers.value("x-anchormailbox"));
    std::optional<Response> fault = injectFault(u"mailboxes"_s);
    const std::optional<Fault::Kind> recordFault = takeRecordFault(fault);
    const bool truncate =
        fault && fault->special == Response::Special::Truncate && fault->status == int(Fault::Kind::TruncatedJson);
    if (fault && fault->special == Response::Special::Truncate && !truncate) {
        m_tokens.remove(request.headers.value("authorization").mid(7));
        fault.reset();
    }
    if (fault && !truncate)
        return *fault;
    if (auto denied = authorize(request, QLatin1StringView(kExoResource)))
        return *denied;
    if (!m_tenantNames.contains(tenant, Qt::CaseInsensitive))
        return graphError(404, u"NotFound"_s, u"Tenant '%1' not found."_s.arg(tenant));
    // What the service answers to an anchor it cannot route is [U]; the emulator refuses it like a bad request.
    if (const QString problem = checkAnchorMailbox(request.headers.value("x-anchormailbox")); !problem.isEmpty())
        return graphError(400, u"BadRequest"_s,
                          u"The X-AnchorMailbox header is missing or invalid: %1."_s.arg(problem));
    const QJsonObject input = QJsonDocument::fromJson(request.body).object().value("CmdletInput"_L1).toObject();
    if (std::optional<QJsonObject> hybrid = answerHybridCmdlet(this, input)) // HybridCmdlets.cpp
        return json(200, *hybrid);
    if (input.value("CmdletName"_L1).toString().compare("Get-Mailbox"_L1, Qt::CaseInsensitive) != 0)
        return graphError(
            400, u"BadRequest"_s,
            u"The term '%1' is not recognized as a cmdlet."_s.arg(input.value("CmdletName"_L1).toString()));
    // Parameters are bound as PowerShell binds them: a name Get-Mailbox does not have is refused with
    // PowerShell's own message [O] (the text of ParameterBindingException). The emulator implements ResultSize
    // only and refuses every other name the same way, so that a client sending one it relies on fails here
    // rather than being silently ignored. The v2 Mailbox endpoint allows Identity, ResultSize and
    // IncludeGrantSendOnBehalfToWithDisplayNames [C] (admin-api-endpoints-mailbox).
    const QJsonValue parametersValue = input.value("Parameters"_L1);
    if (!parametersValue.isUndefined() && !parametersValue.isObject())
        return exoError(400, u"BadRequest"_s, u"CmdletInput.Parameters must be an object."_s);
    const QJsonObject parameters = parametersValue.toObject();
    // -Filter (OPATH) is a Get-Mailbox parameter [documented: filter-properties lists Get-Mailbox for Exchange
    // Online], evaluated by OpathFilter.cpp; the v2.0 Mailbox endpoint does not list it [documented], so there it is
    // refused like any name the endpoint does not have.
    QString filter;
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (!v2 && it.key().compare("Filter"_L1, Qt::CaseInsensitive) == 0 && it.value().isString()) {
            filter = it.value().toString();
            continue;
        }
        if (it.key().compare("ResultSize"_L1, Qt::CaseInsensitive) != 0)
            return exoError(400, u"BadRequest"_s,
                            u"A parameter cannot be found that matches parameter name '%1'."_s.arg(it.key()));
    }
    // -ResultSize: "Unlimited" or a number; without it Get-Mailbox returns the first 1000 objects [C]
    // (Get-Mailbox reference: "The default value is 1000"), with a warning that more exist. The warning's text
    // is Exchange's [O] (Exchange Management Shell and EXO V1 sessions print it); that the admin API puts it in
    // @adminapi.warnings on the last page is [U].
    qsizetype resultSize = 1000;
    if (const QJsonValue size = parameters.value(u"ResultSize"_s); !size.isUndefined()) {
        bool ok = false;
        const QString text = size.isDouble() ? QString::number(size.toInteger()) : size.toString();
        const qint64 n = text.toLongLong(&ok);
        if (text.compare("Unlimited"_L1, Qt::CaseInsensitive) == 0)
            resultSize = m_mailboxes.size();
        else if (ok && n > 0)
            resultSize = qsizetype(n);
        else
            return exoError(400, u"BadRequest"_s,
                            u"Cannot process argument transformation on parameter 'ResultSize'. Cannot convert value "
                            "\"%1\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\"."_s.arg(text));
    }
    QString filterError;
    const QList<qsizetype>* selected = filter.isEmpty() ? nullptr : m_mailboxFilters.select(filter, &filterError);
    if (!filter.isEmpty() && !selected)
        return exoError(400, u"BadRequest"_s, filterError);
    const qsizetype matching = selected ? selected->size() : m_mailboxes.size();
    if (resultSize == m_mailboxes.size()) // Unlimited
        resultSize = matching;
    const qsizetype available = std::min<qsizetype>(matching, resultSize);
    int pageSize = 1000;
    const QByteArray prefer = request.headers.value("prefer");
    if (const qsizetype at = prefer.indexOf("odata.maxpagesize="); at >= 0)
        pageSize = std::clamp(prefer.mid(at + 18).toInt(), 1, 1000);
    const QUrlQuery query(url);
    qsizetype offset = 0;
    if (query.hasQueryItem(u"$skiptoken"_s)) {
        // A token this emulator did not give is refused, never read as page 1 (which would read the first
        // pages twice without anyone noticing). The service's answer to a damaged token is [U].
        const QByteArray decoded = fromBase64Url(query.queryItemValue(u"$skiptoken"_s).toLatin1());
        bool ok = false;
        offset = decoded.mid(10).toLongLong(&ok);
        if (!decoded.startsWith("mailboxes:") || !ok || offset < 0 || offset > matching)
            return exoError(400, u"BadRequest"_s, u"The skip token is not valid."_s);
    }
    bool admitted = false; // under the load model: in flight until its delayed answer is written
    if (m_exoLoad.settings().enabled || m_exoLoad.settings().rateLimit > 0) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (const std::optional<QByteArray> retryAfter = m_exoLoad.admit(now)) {
            Response refused = graphError(429, u"TooManyRequests"_s, u"Too many concurrent requests."_s);
            refused.headers.append(Header{"Retry-After", *retryAfter});
            refused.headers.append(m_exoLoad.rateLimitHeaders(now, m_dataRequests.value(u"mailboxes"_s)));
            return refused;
        }
        admitted = true;
    }
    const QStringList select = query.queryItemValue(u"$select"_s, QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    QJsonArray value;
    const qsizetype end = std::min<qsizetype>(available, offset + pageSize);
    for (qsizetype i = offset; i < end; ++i) {
        QJsonObject mailbox = m_mailboxes.at(selected ? selected->at(i) : i).toObject();
        ++m_mailboxesServed;
        if (!select.isEmpty()) {
            for (auto it = mailbox.begin(); it != mailbox.end();) {
                const QString property = it.key().section(u'@', 0, 0);
                if (select.contains(property, Qt::CaseInsensitive))
                    ++it;
                else
                    it = mailbox.erase(it);
            }
        }
        value.append(mailbox);
    }
    if (recordFault)
        spoilFirstRecord(value, *recordFault, true);
    const QString base = baseUrl().toString() + (v2 ? u"/adminapi/v2.0/"_s : u"/adminapi/beta/"_s) + tenant;
    QJsonArray warnings;
    if (end == available && available < matching)
        warnings.append(u"There are more results available than are currently displayed. To view them, increase the "
                        "value for the ResultSize parameter."_s);
    QJsonObject page{{u"@odata.context"_s, QString(base + u"/$metadata#Collection(Exchange.GenericHashTable)"_s)},
                     {u"adminapi.warnings@odata.type"_s, u"#Collection(String)"_s},
                     {u"@adminapi.warnings"_s, warnings}};
    if (end < available) {
        QUrlQuery next;
        if (query.hasQueryItem(u"$select"_s))
            next.addQueryItem(u"$select"_s, query.queryItemValue(u"$select"_s));
        next.addQueryItem(u"$skiptoken"_s,
                          QString::fromLatin1(base64Url(QByteArray("mailboxes:" + QByteArray::number(end)))));
        QUrl nextUrl(base + (v2 ? u"/Mailbox"_s : u"/InvokeCommand"_s));
        nextUrl.setQuery(next);
        page.insert(u"@odata.nextLink"_s, nextUrl.toString(QUrl::FullyEncoded));
    }
    page.insert(u"value"_s, value);
    Response r = json(200, page);
    r.headers.append(m_exoLoad.rateLimitHeaders(QDateTime::currentMSecsSinceEpoch(),
                                                m_dataRequests.value(u"mailboxes"_s)));
    if (admitted)
        m_answerDelayMsecs = std::max<qint64>(1, m_exoLoad.answerDelayMsecs(value.size()));
    if (truncate)
        r.body.truncate(r.body.size() / 2);
    return r;
}

} // namespace sunset
