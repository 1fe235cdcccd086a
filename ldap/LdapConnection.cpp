// SPDX-License-Identifier: Apache-2.0
#include "LdapConnection.h"

#include "LdapLogging.h"
#include "ProxyAddress.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QUrl>

#include <ldap.h>
#include <sasl/sasl.h>

#include <cstring>
#include <deque>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Owners for what libldap allocates: each with the free function libldap documents for it.
struct LdapUnbind {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
    void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct ControlFree {
    void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsFree {
    void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
struct BerElementFree {
    void operator()(BerElement* ber) const { ber_free(ber, 0); } // 0: the buffer belongs to the message
};
struct BerMemFree {
    void operator()(void* memory) const { ber_memfree(memory); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
using ControlPtr = std::unique_ptr<LDAPControl, ControlFree>;
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsFree>;
using BerElementPtr = std::unique_ptr<BerElement, BerElementFree>;
using BerValuesPtr = std::unique_ptr<berval, BerMemFree>; // the array from ldap_get_attribute_ber
using LdapStringPtr = std::unique_ptr<char, BerMemFree>;

// A cookie of the paged-results control, owned.
class Cookie final {
public:
    Cookie() = default;
    ~Cookie() { ber_memfree(m_value.bv_val); }
    Cookie(const Cookie&) = delete;
    Cookie& operator=(const Cookie&) = delete;
    berval* get() { return &m_value; }
    bool isEmpty() const { return m_value.bv_len == 0; }
    void reset()
    {
        ber_memfree(m_value.bv_val);
        m_value = {0, nullptr};
    }

private:
    berval m_value{0, nullptr};
};

timeval toTimeval(std::chrono::milliseconds ms)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3) + u" s"_s;
}

LdapErrorCode codeForResult(int rc)
{
    switch (rc) {
    case LDAP_SERVER_DOWN:
        return LdapErrorCode::ServerUnreachable;
    case LDAP_CONNECT_ERROR:
        return LdapErrorCode::TlsFailure; // libldap's code for a failed TLS handshake
    case LDAP_INVALID_CREDENTIALS:
        return LdapErrorCode::InvalidCredentials;
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
        return LdapErrorCode::EncryptionRequired;
    case LDAP_INSUFFICIENT_ACCESS:
        return LdapErrorCode::InsufficientAccess;
    case LDAP_NO_SUCH_OBJECT:
        return LdapErrorCode::NoSuchObject;
    case LDAP_NO_SUCH_ATTRIBUTE:
        return LdapErrorCode::NoSuchAttribute;
    case LDAP_TYPE_OR_VALUE_EXISTS:
        return LdapErrorCode::AttributeOrValueExists;
    case LDAP_CONSTRAINT_VIOLATION:
        return LdapErrorCode::ConstraintViolation;
    case LDAP_INVALID_DN_SYNTAX:
        return LdapErrorCode::InvalidDnSyntax;
    case LDAP_FILTER_ERROR:
        return LdapErrorCode::FilterError;
    case LDAP_SIZELIMIT_EXCEEDED:
        return LdapErrorCode::SizeLimitExceeded;
    case LDAP_TIMELIMIT_EXCEEDED:
    case LDAP_TIMEOUT:
        return LdapErrorCode::TimeLimitExceeded;
    case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
    case LDAP_NOT_SUPPORTED:
        return LdapErrorCode::UnsupportedControl;
    case LDAP_BUSY:
    case LDAP_UNAVAILABLE:
    case LDAP_UNWILLING_TO_PERFORM:
        return LdapErrorCode::Busy;
    case LDAP_USER_CANCELLED:
        return LdapErrorCode::Cancelled;
    case LDAP_DECODING_ERROR:
    case LDAP_PROTOCOL_ERROR:
        return LdapErrorCode::InvalidResponse;
    default:
        return LdapErrorCode::Other;
    }
}

// AD's invalid-credentials diagnostics carry a Win32 code: "... AcceptSecurityContext error, data 52e, v4563".
QString whyCredentialsFailed(const QString& serverMessage)
{
    static const std::pair<QLatin1StringView, QLatin1StringView> kReasons[] = {
        {"data 525"_L1, "the user does not exist"_L1},
        {"data 52e"_L1, "the user name or password is wrong"_L1},
        {"data 530"_L1, "the account may not log on at this time"_L1},
        {"data 531"_L1, "the account may not log on from this workstation"_L1},
        {"data 532"_L1, "the password has expired"_L1},
        {"data 533"_L1, "the account is disabled"_L1},
        {"data 701"_L1, "the account has expired"_L1},
        {"data 773"_L1, "the password must be changed before the first logon"_L1},
        {"data 775"_L1, "the account is locked out"_L1},
    };
    for (const auto& [marker, reason] : kReasons) {
        if (serverMessage.contains(marker, Qt::CaseInsensitive))
            return reason;
    }
    return u"the user name or password is wrong, or the account cannot log on"_s;
}

struct RangeOption {
    QByteArray plainName; // the attribute name without ";range=L-H"
    qint64 low = 0;
    qint64 high = 0; // -1 for "*"
};

std::optional<qint64> parseBound(QByteArrayView text)
{
    if (text == "*")
        return -1;
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    return ok && n >= 0 && !text.isEmpty() && text[0] != '+' ? std::optional<qint64>(n) : std::nullopt;
}

// "proxyAddresses;range=0-1499" -> {"proxyAddresses", 0, 1499}; nullopt when the name has no range option.
// Malformed ranges set *malformed.
std::optional<RangeOption> parseRangeOption(QByteArrayView name, bool* malformed)
{
    *malformed = false;
    qsizetype at = name.indexOf(';');
    while (at >= 0) {
        const qsizetype next = name.indexOf(';', at + 1);
        const qsizetype end = next < 0 ? name.size() : next;
        const QByteArrayView option = name.sliced(at + 1, end - at - 1);
        if (option.size() > 6 && equalsCaseInsensitive(option.first(6), "range=")) {
            const QByteArrayView bounds = option.sliced(6);
            const qsizetype dash = bounds.indexOf('-');
            const auto low = dash <= 0 ? std::nullopt : parseBound(bounds.first(dash));
            const auto high = dash <= 0 ? std::nullopt : parseBound(bounds.sliced(dash + 1));
            if (!low || *low < 0 || !high || (*high >= 0 && *high < *low)) {
                *malformed = true;
                return std::nullopt;
            }
            RangeOption range;
            range.plainName = name.first(at).toByteArray() + name.sliced(end).toByteArray();
            range.low = *low;
            range.high = *high;
            return range;
        }
        at = next;
    }
    return std::nullopt;
}

} // namespace

QLatin1StringView ldapErrorCodeName(LdapErrorCode code)
{
    switch (code) {
    case LdapErrorCode::ServerUnreachable:
        return "serverUnreachable"_L1;
    case LdapErrorCode::TlsFailure:
        return "tlsFailure"_L1;
    case LdapErrorCode::InsecureBindRefused:
        return "insecureBindRefused"_L1;
    case LdapErrorCode::EncryptionRequired:
        return "encryptionRequired"_L1;
    case LdapErrorCode::InvalidCredentials:
        return "invalidCredentials"_L1;
    case LdapErrorCode::KerberosNoTicket:
        return "kerberosNoTicket"_L1;
    case LdapErrorCode::KerberosTicketExpired:
        return "kerberosTicketExpired"_L1;
    case LdapErrorCode::KerberosUnknownServer:
        return "kerberosUnknownServer"_L1;
    case LdapErrorCode::KerberosFailure:
        return "kerberosFailure"_L1;
    case LdapErrorCode::InsufficientAccess:
        return "insufficientAccess"_L1;
    case LdapErrorCode::NoSuchObject:
        return "noSuchObject"_L1;
    case LdapErrorCode::NoSuchAttribute:
        return "noSuchAttribute"_L1;
    case LdapErrorCode::AttributeOrValueExists:
        return "attributeOrValueExists"_L1;
    case LdapErrorCode::ConstraintViolation:
        return "constraintViolation"_L1;
    case LdapErrorCode::InvalidDnSyntax:
        return "invalidDnSyntax"_L1;
    case LdapErrorCode::FilterError:
        return "filterError"_L1;
    case LdapErrorCode::SizeLimitExceeded:
        return "sizeLimitExceeded"_L1;
    case LdapErrorCode::TimeLimitExceeded:
        return "timeLimitExceeded"_L1;
    case LdapErrorCode::UnsupportedControl:
        return "unsupportedControl"_L1;
    case LdapErrorCode::Busy:
        return "busy"_L1;
    case LdapErrorCode::Cancelled:
        return "cancelled"_L1;
    case LdapErrorCode::InvalidResponse:
        return "invalidResponse"_L1;
    case LdapErrorCode::Other:
        return "other"_L1;
    }
    return "other"_L1;
}

QString LdapError::toString() const
{
    if (serverMessage.isEmpty() || message.contains(serverMessage))
        return message;
    return message + u" (server: "_s + serverMessage + u')';
}

bool RootDse::supportsControl(QByteArrayView oid) const
{
    return std::any_of(supportedControls.begin(), supportedControls.end(),
                       [&](const QByteArray& c) { return QByteArrayView(c) == oid; });
}

class LdapConnection::Private final {
public:
    explicit Private(const LdapConnectionOptions& options)
        : options(options)
    {
        const QUrl url(options.uri);
        const bool ldaps = url.scheme().compare(u"ldaps"_s, Qt::CaseInsensitive) == 0;
        const QString host = url.host().contains(u':') ? u'[' + url.host() + u']' : url.host();
        hostName = host;
        hostPort = host + u':' + QString::number(url.port(ldaps ? 636 : 389));
    }

    const LdapConnectionOptions& options;
    QString hostName; // as the URI names it, which is what the certificate must name
    QString hostPort;
    std::unique_ptr<LDAP, LdapUnbind> ld;
    bool encrypted = false;
    // Set by libldap's TLS connect callback, which runs after the TCP connection and before the handshake:
    // tells a certificate that did not verify from a server that is not there (ldaps:// reports both as
    // "can't contact LDAP server").
    bool tlsHandshakeStarted = false;

    static void onTlsConnect(LDAP*, void*, void*, void* self)
    {
        static_cast<Private*>(self)->tlsHandshakeStarted = true;
    }

    // Per entry, reused: the attribute views handed to the caller and the bytes of follow-up reads.
    std::vector<LdifAttribute> attributes;
    std::deque<QByteArray> scratch; // a deque: growing it never moves what earlier views point into

    QString serverDiagnostic() const
    {
        char* raw = nullptr;
        if (!ld || ldap_get_option(ld.get(), LDAP_OPT_DIAGNOSTIC_MESSAGE, &raw) != LDAP_OPT_SUCCESS || !raw)
            return {};
        const LdapStringPtr owner(raw);
        const QString text = QString::fromUtf8(raw).trimmed();
        return text == u"(unknown error code)"_s ? QString() : text; // libldap's filler, not the server's
    }

    int lastResultCode() const
    {
        int rc = LDAP_OTHER;
        if (ld)
            ldap_get_option(ld.get(), LDAP_OPT_RESULT_CODE, &rc);
        return rc;
    }

    // An admin-readable error for libldap's rc; doing says what Sunset was doing ("Reading the root DSE").
    LdapError error(int rc, const QString& doing, QString serverMessage = {}) const
    {
        if (serverMessage.isEmpty())
            serverMessage = serverDiagnostic();
        LdapError e;
        e.code = codeForResult(rc);
        e.ldapResultCode = rc;
        e.serverMessage = serverMessage;
        // doing names the host with %1: "Connecting to %1", "Binding as admin@contoso.com on %1".
        const QString where = (doing.contains(u"%1"_s) ? doing.arg(hostPort) : doing + u" on "_s + hostPort) + u": "_s;
        switch (e.code) {
        case LdapErrorCode::ServerUnreachable:
            e.message = where + u"no LDAP server answered, or it closed the connection. Check that the domain "
                                "controller is running and that the port is reachable from here."_s;
            break;
        case LdapErrorCode::TlsFailure:
            e.message = where + tlsFailureText();
            break;
        case LdapErrorCode::InvalidCredentials:
            e.message =
                where + u"the domain controller refused the bind: "_s + whyCredentialsFailed(serverMessage) + u'.';
            break;
        case LdapErrorCode::EncryptionRequired:
            e.message = where + u"the domain controller requires an encrypted connection for this (it said: \""_s +
                        serverMessage + u"\"). Connect with ldaps:// or StartTLS."_s;
            break;
        case LdapErrorCode::InsufficientAccess:
            e.message = where + u"the bound account is not allowed to do this."_s;
            break;
        case LdapErrorCode::NoSuchObject:
            e.message = where + u"the entry does not exist (check the base DN)."_s;
            break;
        case LdapErrorCode::TimeLimitExceeded:
            e.message = where + u"no answer within "_s + seconds(options.operationTimeout) + u'.';
            break;
        case LdapErrorCode::UnsupportedControl:
            e.message = where + u"the server does not support a control Sunset needs (paged results)."_s;
            break;
        case LdapErrorCode::Busy:
            e.message = where + u"the server is busy or unwilling to do this; try again later."_s;
            break;
        default:
            e.message = where + QString::fromUtf8(ldap_err2string(rc)) + u'.';
            break;
        }
        return e;
    }

    QString tlsFailureText() const
    {
        const QString trust =
            options.caFile.isEmpty() ? u"the system's trusted CAs"_s : u"the CA file "_s + options.caFile;
        return u"the TLS connection could not be established: the certificate of %1 did not verify against %2, "
               "or does not name %3. Sunset never falls back to an unverified connection: give the PEM file of "
               "the CA that issued the domain controller's certificate, and connect by a name the certificate "
               "holds."_s.arg(hostPort, trust, hostName);
    }

    LdapError ownError(LdapErrorCode code, const QString& message) const
    {
        LdapError e;
        e.code = code;
        e.message = message;
        return e;
    }
};

LdapConnection::LdapConnection(LdapConnectionOptions options)
    : m_options(std::move(options))
    , d(new Private(m_options))
{
}

LdapConnection::~LdapConnection() = default;

QString LdapConnection::host() const
{
    return d->hostPort;
}

bool LdapConnection::isConnected() const
{
    return d->ld != nullptr;
}

bool LdapConnection::isEncrypted() const
{
    return d->encrypted;
}

std::optional<LdapError> LdapConnection::connect()
{
    if (d->ld)
        return std::nullopt;
    const QUrl url(m_options.uri);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (scheme != u"ldap"_s && scheme != u"ldaps"_s)) {
        return d->ownError(LdapErrorCode::Other, u"\"%1\" is not an LDAP address like ldaps://dc01.contoso.com "
                                                 "or ldap://dc01.contoso.com:389."_s.arg(m_options.uri));
    }
    const bool ldaps = scheme == u"ldaps"_s;
    if (!m_options.caFile.isEmpty() && !QFileInfo(m_options.caFile).isReadable()) {
        return d->ownError(LdapErrorCode::TlsFailure,
                           u"The CA file %1 cannot be read, so the certificate of %2 cannot be verified."_s.arg(
                               m_options.caFile, d->hostPort));
    }

    LDAP* raw = nullptr;
    const QByteArray uri = m_options.uri.toUtf8();
    int rc = ldap_initialize(&raw, uri.constData());
    std::unique_ptr<LDAP, LdapUnbind> ld(raw);
    if (rc != LDAP_SUCCESS || !ld)
        return d->ownError(LdapErrorCode::Other, u"libldap cannot use the address %1: "_s.arg(m_options.uri) +
                                                     QString::fromUtf8(ldap_err2string(rc)));

    if (!m_options.requireValidCertificate) {
        // The only way around certificate verification, and it must never pass unnoticed in a log.
        qCWarning(lcLdap).noquote() << u"TLS CERTIFICATE VERIFICATION IS OFF for %1 (requireValidCertificate = "
                                       "false): any machine on the network path can pose as this directory and "
                                       "read the bind password. Never outside tests."_s.arg(d->hostPort);
    }
    // The order matters: TLS options are read when the new TLS context is made, last.
    const int version = LDAP_VERSION3;
    const timeval network = toTimeval(m_options.networkTimeout);
    const timeval operation = toTimeval(m_options.operationTimeout);
    const int requireCertificate = m_options.requireValidCertificate ? LDAP_OPT_X_TLS_HARD : LDAP_OPT_X_TLS_NEVER;
    const int minimumTls = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    const int newContextIsClient = 0;
    const QByteArray caFile = QFile::encodeName(m_options.caFile);
    bool set = ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &network) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &operation) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_X_TLS_PROTOCOL_MIN, &minimumTls) == LDAP_OPT_SUCCESS &&
               (caFile.isEmpty() ||
                ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, caFile.constData()) == LDAP_OPT_SUCCESS) &&
               ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &requireCertificate) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CONNECT_CB, reinterpret_cast<void*>(&Private::onTlsConnect)) ==
                   LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CONNECT_ARG, d.get()) == LDAP_OPT_SUCCESS &&
               ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &newContextIsClient) == LDAP_OPT_SUCCESS;
    if (!set) {
        return d->ownError(LdapErrorCode::TlsFailure,
                           u"Setting up the connection to %1 failed: libldap did not accept the TLS settings "
                           "(is the CA file %2 a PEM file?)."_s.arg(d->hostPort, m_options.caFile));
    }

    d->ld = std::move(ld);
    d->tlsHandshakeStarted = false;
    if (ldaps || !m_options.startTls) {
        rc = ldap_connect(d->ld.get());
        if (rc != LDAP_SUCCESS) {
            if (rc == LDAP_SERVER_DOWN && d->tlsHandshakeStarted)
                rc = LDAP_CONNECT_ERROR; // the server answered; the TLS handshake failed
            LdapError e = d->error(rc, u"Connecting to %1"_s);
            d->ld.reset();
            return e;
        }
    } else {
        rc = ldap_start_tls_s(d->ld.get(), nullptr, nullptr);
        if (rc != LDAP_SUCCESS) {
            LdapError e = d->error(rc, u"Starting TLS (StartTLS) on %1"_s);
            if (rc == LDAP_PROTOCOL_ERROR || rc == LDAP_UNAVAILABLE || rc == LDAP_UNWILLING_TO_PERFORM) {
                e.code = LdapErrorCode::TlsFailure;
                e.message = u"Starting TLS (StartTLS) on %1: the server does not offer StartTLS. Use ldaps:// "
                            "instead."_s.arg(d->hostPort);
            }
            d->ld.reset();
            return e;
        }
    }
    d->encrypted = ldap_tls_inplace(d->ld.get()) != 0;
    qCDebug(lcLdap) << "connected to" << d->hostPort << (d->encrypted ? "with TLS" : "WITHOUT TLS");
    return std::nullopt;
}

::ldap* LdapConnection::handle() const
{
    return d->ld.get();
}

LdapError LdapConnection::errorFor(int ldapResultCode, const QString& doing, const QString& serverMessage) const
{
    return d->error(ldapResultCode, doing, serverMessage);
}

void LdapConnection::connectionLost()
{
    if (d->ld)
        qCWarning(lcLdap) << "connection to" << d->hostPort << "lost";
    d->ld.reset();
    d->encrypted = false;
}

std::optional<LdapError> LdapConnection::simpleBind(const QString& name, const QByteArray& password)
{
    if (auto failure = connect())
        return failure;
    if (!d->encrypted && !m_options.allowInsecurePlaintext) {
        return d->ownError(LdapErrorCode::InsecureBindRefused,
                           u"Sunset does not send the password of %1 to %2 over an unencrypted connection. Use "
                           "ldaps:// or StartTLS; only if you accept that anyone on the network can read the "
                           "password, allow an insecure bind explicitly."_s.arg(name, d->hostPort));
    }
    if (password.isEmpty()) {
        // An empty password makes a simple bind anonymous (RFC 4513 5.1.2): it would "succeed" as nobody.
        return d->ownError(LdapErrorCode::InvalidCredentials,
                           u"Binding to %1 as %2: the password is empty."_s.arg(d->hostPort, name));
    }
    const QByteArray who = name.toUtf8();
    berval credentials{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.constData())};
    const int rc =
        ldap_sasl_bind_s(d->ld.get(), who.constData(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS)
        return d->error(rc, u"Binding as "_s + name);
    qCDebug(lcLdap) << "bound to" << d->hostPort << "as" << name;
    return std::nullopt;
}

namespace {

// libldap's SASL prompts. GSSAPI asks only for an authorization identity: none, i.e. act as the ticket's
// principal.
int answerSaslPrompts(LDAP*, unsigned, void*, void* prompts)
{
    for (auto* prompt = static_cast<sasl_interact_t*>(prompts); prompt && prompt->id != SASL_CB_LIST_END; ++prompt) {
        const char* answer = prompt->defresult ? prompt->defresult : "";
        prompt->result = answer;
        prompt->len = static_cast<unsigned>(std::strlen(answer));
    }
    return LDAP_SUCCESS;
}

bool isIpAddress(const QString& host)
{
    return host.startsWith(u'[') ||
           std::all_of(host.begin(), host.end(), [](QChar c) { return c == u'.' || (c >= u'0' && c <= u'9'); });
}

// The realm a host name most likely belongs to, for advice: dc01.contoso.com -> CONTOSO.COM.
QString likelyRealm(const QString& host)
{
    const qsizetype dot = host.indexOf(u'.');
    if (dot <= 0 || isIpAddress(host))
        return u"YOUR.AD.DOMAIN"_s;
    return host.sliced(dot + 1).toUpper();
}

bool containsAny(const QString& text, std::initializer_list<QLatin1StringView> markers)
{
    return std::any_of(markers.begin(), markers.end(),
                       [&](QLatin1StringView m) { return text.contains(m, Qt::CaseInsensitive); });
}

} // namespace

std::optional<LdapError> LdapConnection::kerberosBind()
{
    if (auto failure = connect())
        return failure;
    const auto bindWith = [&](const char* securityProperties) {
        LDAP* const ld = d->ld.get();
        // The SPN is ldap/<host as written>: reverse DNS would turn 10.0.0.5 or an alias into another name.
        if (ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
            ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, securityProperties) != LDAP_OPT_SUCCESS)
            return LDAP_NOT_SUPPORTED;
        return ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET, answerSaslPrompts,
                                            nullptr);
    };
    // Without TLS, Kerberos must seal. Over TLS, AD and Samba refuse a security layer inside TLS ("Cannot bind
    // using sign/seal on a connection on which TLS or SSL is in effect").
    const int rc = bindWith(d->encrypted ? "maxssf=0" : "minssf=56");
    if (rc == LDAP_SUCCESS) {
        qCDebug(lcLdap) << "bound to" << d->hostPort << "with Kerberos";
        return std::nullopt;
    }

    const QString diagnostic = d->serverDiagnostic();
    LdapError e = d->error(rc, u"Binding with Kerberos to %1"_s, diagnostic);
    const QString where = u"Binding with Kerberos to %1: "_s.arg(d->hostPort);
    if (d->encrypted && e.code == LdapErrorCode::EncryptionRequired) {
        // Samba's default "ldap server require strong auth = yes" wants Kerberos signing or sealing even
        // inside TLS, where it also refuses them: no Kerberos bind over TLS can succeed there.
        e.code = LdapErrorCode::KerberosFailure;
        e.message = where + u"the domain controller accepts Kerberos only with its own signing or sealing, which "
                            "it refuses inside TLS (Samba's default \"ldap server require strong auth = yes\"). "
                            "Set it to allow_sasl_over_tls on the DC, or connect with ldap:// without StartTLS "
                            "(Kerberos then seals the connection)."_s;
        return e;
    }
    if (e.code == LdapErrorCode::ServerUnreachable || e.code == LdapErrorCode::InvalidCredentials ||
        e.code == LdapErrorCode::EncryptionRequired)
        return e; // the server's answer, explained as for any bind
    const QString host = d->hostName;
    const QString realm = likelyRealm(host);
    const QString cache = qEnvironmentVariable("KRB5CCNAME");
    const QString cacheText = cache.isEmpty() ? u"the default credential cache"_s : u"the credential cache "_s + cache;
    if (containsAny(diagnostic, {"No Kerberos credentials available"_L1, "No credentials cache found"_L1,
                                 "Credentials cache file"_L1, "No credentials were supplied"_L1,
                                 "Matching credential not found"_L1, "Can't find client principal"_L1})) {
        e.code = LdapErrorCode::KerberosNoTicket;
        e.message = where + u"there is no Kerberos ticket in %1. Get one with \"kinit you@%2\" (the realm is "
                            "the AD domain in capitals), or log on to a domain-joined machine with your domain "
                            "account, then try again."_s.arg(cacheText, realm);
    } else if (containsAny(diagnostic, {"Ticket expired"_L1, "have expired"_L1, "Credentials have expired"_L1})) {
        e.code = LdapErrorCode::KerberosTicketExpired;
        e.message = where + u"the Kerberos ticket in %1 has expired. Renew it with \"kinit -R\" or get a new one "
                            "with \"kinit you@%2\", then try again."_s.arg(cacheText, realm);
    } else if (containsAny(diagnostic, {"not found in Kerberos database"_L1, "Server not found"_L1})) {
        e.code = LdapErrorCode::KerberosUnknownServer;
        e.message = where + u"the Kerberos realm knows no service principal ldap/%1. Kerberos names the domain "
                            "controller by the host name of the address, exactly as given, so connect by the name "
                            "its SPN carries: its DNS name, e.g. ldaps://dc01.contoso.com"_s.arg(host);
        if (isIpAddress(host))
            e.message += u" (an IP address has no SPN)"_s;
        // The DC says its own name in the root DSE, which anyone may read: the most useful hint there is.
        const auto dse = readRootDse();
        if (dse.ok() && !dse->dnsHostName.isEmpty() &&
            QString::fromUtf8(dse->dnsHostName).compare(host, Qt::CaseInsensitive) != 0) {
            e.message +=
                u". This domain controller calls itself %1: connect to %1"_s.arg(QString::fromUtf8(dse->dnsHostName));
        }
        e.message += u". An alias needs its own SPN (setspn -S ldap/alias DC$). If the name is right, the "
                     "client maps it to the wrong realm: check [domain_realm] in krb5.conf."_s;
    } else if (containsAny(diagnostic, {"No worthy mechs"_L1, "no mechanism available"_L1}) ||
               rc == LDAP_AUTH_UNKNOWN) {
        e.code = LdapErrorCode::KerberosFailure;
        e.message = where + u"this machine has no SASL GSSAPI module; install it (Debian and Ubuntu: "
                            "libsasl2-modules-gssapi-mit) and try again."_s;
    } else if (containsAny(diagnostic, {"Cannot find KDC"_L1, "Cannot contact any KDC"_L1,
                                        "Cannot resolve network address for KDC"_L1})) {
        e.code = LdapErrorCode::KerberosFailure;
        e.message = where + u"no Kerberos KDC of the realm could be reached. Check that the realm in krb5.conf "
                            "(or DNS SRV records _kerberos._tcp.%1) names reachable domain controllers, and that "
                            "port 88 is open from here."_s.arg(realm.toLower());
    } else if (containsAny(diagnostic, {"Clock skew too great"_L1})) {
        e.code = LdapErrorCode::KerberosFailure;
        e.message = where + u"this machine's clock differs from the domain controller's by more than Kerberos "
                            "allows (5 minutes); synchronise the clock and try again."_s;
    } else {
        e.code = LdapErrorCode::KerberosFailure;
        e.message = where + u"Kerberos authentication failed: "_s +
                    (diagnostic.isEmpty() ? QString::fromUtf8(ldap_err2string(rc)) : diagnostic) + u'.';
    }
    return e;
}

LdapResult<RootDse> LdapConnection::readRootDse()
{
    LdapSearchRequest request;
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = {
        "defaultNamingContext", "configurationNamingContext", "schemaNamingContext", "rootDomainNamingContext",
        "dnsHostName",          "supportedControl",           "supportedLDAPVersion"};
    RootDse dse;
    bool found = false;
    const auto failure = search(request, [&](const LdifEntry& entry) -> std::optional<LdapError> {
        found = true;
        for (const LdifAttribute& attribute : entry.attributes) {
            const QByteArrayView name = attribute.name;
            const QByteArray value = attribute.value.toByteArray();
            if (equalsCaseInsensitive(name, "defaultNamingContext"))
                dse.defaultNamingContext = value;
            else if (equalsCaseInsensitive(name, "configurationNamingContext"))
                dse.configurationNamingContext = value;
            else if (equalsCaseInsensitive(name, "schemaNamingContext"))
                dse.schemaNamingContext = value;
            else if (equalsCaseInsensitive(name, "rootDomainNamingContext"))
                dse.rootDomainNamingContext = value;
            else if (equalsCaseInsensitive(name, "dnsHostName"))
                dse.dnsHostName = value;
            else if (equalsCaseInsensitive(name, "supportedControl"))
                dse.supportedControls << value;
            else if (equalsCaseInsensitive(name, "supportedLDAPVersion"))
                dse.supportedLdapVersions << value;
        }
        return std::nullopt;
    });
    if (failure)
        return *failure;
    if (!found)
        return d->ownError(LdapErrorCode::InvalidResponse,
                           u"Reading the root DSE of %1: the server returned no "
                           "entry; it may not be a directory server."_s.arg(d->hostPort));
    return dse;
}

std::optional<LdapError> LdapConnection::search(const LdapSearchRequest& request, const LdapEntryHandler& onEntry,
                                                const LdapSearchProgress& progress, LdapSearchStats* stats)
{
    if (auto failure = connect())
        return failure;
    LDAP* const ld = d->ld.get();
    LdapSearchStats local;
    LdapSearchStats& counts = stats ? *stats : local;
    counts = {};

    std::vector<char*> attributeList;
    for (const QByteArray& attribute : request.attributes)
        attributeList.push_back(const_cast<char*>(attribute.constData()));
    attributeList.push_back(nullptr);
    const int scope = request.scope == LdapScope::Base       ? LDAP_SCOPE_BASE
                      : request.scope == LdapScope::OneLevel ? LDAP_SCOPE_ONELEVEL
                                                             : LDAP_SCOPE_SUBTREE;
    const QString doing =
        u"Searching "_s + QString::fromUtf8(request.baseDn.isEmpty() ? "the root DSE" : request.baseDn);
    bool lost = false; // the handle is dropped on the way out, when nothing here uses it any more
    const auto dropIfLost = qScopeGuard([&] {
        if (lost)
            connectionLost();
    });
    const auto afterEntries = [&](LdapError e) {
        if (e.code == LdapErrorCode::ServerUnreachable) {
            // It was connected when the search began: the connection dropped mid-search.
            e.message = u"%1 on %2: the connection was lost after %3 entries (%4 complete pages) had arrived, so "
                        "the search is incomplete and nothing from it was kept. Check the network path to the "
                        "domain controller and read again."_s.arg(doing, d->hostPort, QString::number(counts.entries),
                                                                 QString::number(counts.pages));
            lost = true;
        } else if (counts.entries > 0) {
            e.message += u" The search stopped after %1 entries; nothing from it was kept."_s.arg(counts.entries);
        }
        return e;
    };

    const auto tooManyValues = [&](QByteArrayView dn) {
        return afterEntries(d->ownError(
            LdapErrorCode::SizeLimitExceeded,
            u"%1 on %2: the entry %3 has more than %4 values, the most Sunset reads for one entry; the server may "
            "be sending a range that never ends. Nothing of the search was kept; check the entry with ldapsearch."_s
                .arg(doing, d->hostPort, QString::fromUtf8(dn), QString::number(request.maxValuesPerEntry))));
    };

    // Follows "name;range=L-H" with base-scope reads until a range ends in "*"; appends the values.
    const auto readRestOfRange = [&](const QByteArray& dn, const QByteArray& plainName, qint64 next,
                                     qint64 entryNumber) -> std::optional<LdapError> {
        for (;;) {
            QByteArray wanted = plainName + ";range=" + QByteArray::number(next) + '-';
            wanted += request.rangeStep > 0 ? QByteArray::number(next + request.rangeStep - 1) : QByteArray("*");
            char* attrs[] = {wanted.data(), nullptr};
            timeval timeout = toTimeval(m_options.operationTimeout);
            LDAPMessage* raw = nullptr;
            const int rc = ldap_search_ext_s(ld, dn.constData(), LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, nullptr,
                                             nullptr, &timeout, 0, &raw);
            const MessagePtr result(raw);
            ++counts.rangeReads;
            if (rc != LDAP_SUCCESS) {
                return afterEntries(
                    d->error(rc, u"Reading the values of %1 from %2 of %3"_s.arg(
                                     QString::fromUtf8(plainName), QString::number(next), QString::fromUtf8(dn))));
            }
            LDAPMessage* entry = ldap_first_entry(ld, result.get());
            BerElement* berRaw = nullptr;
            berval entryDn{};
            if (!entry || ldap_get_dn_ber(ld, entry, &berRaw, &entryDn) != LDAP_SUCCESS) {
                return afterEntries(
                    d->ownError(LdapErrorCode::InvalidResponse,
                                u"Reading the values of %1 of %2: the entry is gone; it was deleted "
                                "during the read."_s.arg(QString::fromUtf8(plainName), QString::fromUtf8(dn))));
            }
            const BerElementPtr ber(berRaw);
            std::optional<RangeOption> got;
            for (;;) {
                berval name{};
                berval* values = nullptr;
                if (ldap_get_attribute_ber(ld, entry, ber.get(), &name, &values) != LDAP_SUCCESS)
                    break;
                const BerValuesPtr valuesOwner(values);
                if (!name.bv_val)
                    break;
                bool malformed = false;
                auto range = parseRangeOption(QByteArrayView(name.bv_val, qsizetype(name.bv_len)), &malformed);
                if (!range || !equalsCaseInsensitive(range->plainName, plainName))
                    continue;
                const QByteArray& stored = d->scratch.emplace_back(plainName);
                for (berval* v = values; v && v->bv_val; ++v) {
                    if (qint64(d->attributes.size()) >= request.maxValuesPerEntry)
                        return tooManyValues(dn);
                    const QByteArray& value = d->scratch.emplace_back(v->bv_val, qsizetype(v->bv_len));
                    d->attributes.push_back(LdifAttribute{stored, value, entryNumber});
                }
                got = std::move(range);
                break;
            }
            if (!got && request.rangeStep > 0) // asked past the last value with an explicit upper bound
                return std::nullopt;
            if (!got || got->low != next || (got->high >= 0 && got->high < next)) {
                return afterEntries(d->ownError(
                    LdapErrorCode::InvalidResponse,
                    u"Reading the values of %1 of %2 from %3 on: the server answered with a different range; "
                    "the values may have changed during the read. Read again."_s.arg(
                        QString::fromUtf8(plainName), QString::fromUtf8(dn), QString::number(next))));
            }
            if (got->high < 0)
                return std::nullopt;
            next = got->high + 1;
        }
    };

    const auto deliver = [&](LDAPMessage* message) -> std::optional<LdapError> {
        const qint64 entryNumber = ++counts.entries;
        BerElement* berRaw = nullptr;
        berval dn{};
        if (ldap_get_dn_ber(ld, message, &berRaw, &dn) != LDAP_SUCCESS)
            return afterEntries(d->error(d->lastResultCode(), doing));
        const BerElementPtr ber(berRaw);
        d->attributes.clear();
        d->scratch.clear();
        std::vector<BerValuesPtr> keepAlive; // value arrays of this entry, freed after the handler ran
        for (;;) {
            berval name{};
            berval* values = nullptr;
            if (ldap_get_attribute_ber(ld, message, ber.get(), &name, &values) != LDAP_SUCCESS)
                return afterEntries(d->error(d->lastResultCode(), doing));
            keepAlive.emplace_back(values);
            if (!name.bv_val)
                break;
            const QByteArrayView nameView(name.bv_val, qsizetype(name.bv_len));
            bool malformed = false;
            auto range = parseRangeOption(nameView, &malformed);
            if (malformed) {
                return afterEntries(
                    d->ownError(LdapErrorCode::InvalidResponse,
                                u"%1: the server sent a malformed ranged attribute %2 for %3."_s.arg(
                                    doing, QString::fromUtf8(nameView),
                                    QString::fromUtf8(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len))))));
            }
            QByteArrayView valueName = nameView;
            if (range) {
                if (range->low != 0) {
                    return afterEntries(
                        d->ownError(LdapErrorCode::InvalidResponse,
                                    u"%1: the server sent %2 of %3 without its first values."_s.arg(
                                        doing, QString::fromUtf8(nameView),
                                        QString::fromUtf8(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len))))));
                }
                valueName = d->scratch.emplace_back(range->plainName);
            }
            for (berval* v = values; v && v->bv_val; ++v) {
                if (qint64(d->attributes.size()) >= request.maxValuesPerEntry)
                    return tooManyValues(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len)));
                d->attributes.push_back(
                    LdifAttribute{valueName, QByteArrayView(v->bv_val, qsizetype(v->bv_len)), entryNumber});
            }
            if (range && range->high >= 0) {
                const QByteArray dnText(dn.bv_val, qsizetype(dn.bv_len));
                if (auto failure = readRestOfRange(dnText, range->plainName, range->high + 1, entryNumber))
                    return failure;
            }
        }
        const LdifEntry entry{QByteArrayView(dn.bv_val, qsizetype(dn.bv_len)), entryNumber, d->attributes};
        if (auto failure = onEntry(entry))
            return failure;
        return std::nullopt;
    };

    Cookie cookie;
    for (;;) {
        LDAPControl* pageRaw = nullptr;
        if (request.pageSize > 0) {
            const int rc =
                ldap_create_page_control(ld, request.pageSize, cookie.isEmpty() ? nullptr : cookie.get(), 1, &pageRaw);
            if (rc != LDAP_SUCCESS)
                return afterEntries(d->error(rc, doing));
        }
        const ControlPtr pageControl(pageRaw);
        LDAPControl* serverControls[] = {pageRaw, nullptr};
        int messageId = 0;
        int rc = ldap_search_ext(ld, request.baseDn.constData(), scope, request.filter.constData(),
                                 request.attributes.isEmpty() ? nullptr : attributeList.data(), 0,
                                 pageRaw ? serverControls : nullptr, nullptr, nullptr, 0, &messageId);
        if (rc != LDAP_SUCCESS)
            return afterEntries(d->error(rc, doing));

        for (;;) {
            timeval timeout = toTimeval(m_options.operationTimeout);
            LDAPMessage* raw = nullptr;
            const int type = ldap_result(ld, messageId, LDAP_MSG_ONE, &timeout, &raw);
            const MessagePtr message(raw);
            if (type == 0) {
                ldap_abandon_ext(ld, messageId, nullptr, nullptr);
                return afterEntries(d->error(LDAP_TIMEOUT, doing));
            }
            if (type < 0)
                return afterEntries(d->error(d->lastResultCode(), doing));
            if (type == LDAP_RES_SEARCH_ENTRY) {
                if (auto failure = deliver(message.get())) {
                    ldap_abandon_ext(ld, messageId, nullptr, nullptr);
                    return failure;
                }
                continue;
            }
            if (type != LDAP_RES_SEARCH_RESULT)
                continue; // referrals (chasing is off) and intermediate responses

            int resultCode = LDAP_SUCCESS;
            char* matchedRaw = nullptr;
            char* diagnosticRaw = nullptr;
            LDAPControl** controlsRaw = nullptr;
            rc = ldap_parse_result(ld, message.get(), &resultCode, &matchedRaw, &diagnosticRaw, nullptr, &controlsRaw,
                                   0);
            const LdapStringPtr matched(matchedRaw);
            const LdapStringPtr diagnostic(diagnosticRaw);
            const ControlsPtr controls(controlsRaw);
            if (rc != LDAP_SUCCESS)
                return afterEntries(d->error(rc, doing));
            if (resultCode != LDAP_SUCCESS) {
                return afterEntries(d->error(resultCode, doing,
                                             diagnosticRaw ? QString::fromUtf8(diagnosticRaw).trimmed() : QString()));
            }
            ++counts.pages;
            cookie.reset();
            if (request.pageSize > 0) {
                LDAPControl* pageResponse = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controlsRaw, nullptr);
                ber_int_t estimate = 0;
                if (pageResponse &&
                    ldap_parse_pageresponse_control(ld, pageResponse, &estimate, cookie.get()) != LDAP_SUCCESS) {
                    return afterEntries(d->ownError(LdapErrorCode::InvalidResponse,
                                                    doing + u": the server's paged-results answer is malformed."_s));
                }
            }
            break;
        }
        if (progress && !progress(counts.entries)) {
            return d->ownError(LdapErrorCode::Cancelled,
                               doing + u": cancelled after %1 entries."_s.arg(counts.entries));
        }
        if (cookie.isEmpty())
            return std::nullopt;
    }
}

} // namespace sunset
