// SPDX-License-Identifier: Apache-2.0
#include "LdapConnection.h"

#include "DcConnectionSettings.h"
#include "LdapErrorText.h"
#include "LdapHandles.h"
#include "LdapLogging.h"
#include "LdapSearch.h"
#include "ProxyAddress.h"

#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <ldap.h>
#include <sasl/sasl.h>

#include <csignal>
#include <cstring>
#include <mutex>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

LdapConnectionOptions connectionOptionsFor(const DcConnectionSettings& dc)
{
    LdapConnectionOptions options;
    options.uri = dc.uri;
    options.startTls = dc.startTls; // connect() ignores it for ldaps://
    options.caFile = dc.caFile;
    options.allowInsecurePlaintext = dc.allowInsecurePlaintext;
    return options;
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
        , hostName(hostOf(options.uri))
        , hostPort(hostName + u':' + QString::number(QUrl(options.uri).port(isLdaps(options.uri) ? 636 : 389)))
        , errorText(options, hostPort, hostName)
    {
    }

    static QString hostOf(const QString& uri)
    {
        const QUrl url(uri);
        return url.host().contains(u':') ? u'[' + url.host() + u']' : url.host();
    }
    static bool isLdaps(const QString& uri)
    {
        return QUrl(uri).scheme().compare(u"ldaps"_s, Qt::CaseInsensitive) == 0;
    }

    const LdapConnectionOptions& options;
    QString hostName; // as the URI names it, which is what the certificate must name
    QString hostPort;
    LdapErrorText errorText;
    std::unique_ptr<LDAP, LdapUnbind> ld;
    bool encrypted = false;
    std::optional<RootDse> rootDse; // read on this connection since its last bind
    // Set by libldap's TLS connect callback, which runs after the TCP connection and before the handshake:
    // tells a certificate that did not verify from a server that is not there (ldaps:// reports both as
    // "can't contact LDAP server").
    bool tlsHandshakeStarted = false;

    static void onTlsConnect(LDAP*, void*, void*, void* self)
    {
        static_cast<Private*>(self)->tlsHandshakeStarted = true;
    }

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

    // An admin-readable error for libldap's rc, with the server's diagnostic when none is given.
    LdapError error(int rc, const QString& doing, QString serverMessage = {}) const
    {
        if (serverMessage.isEmpty())
            serverMessage = serverDiagnostic();
        return errorText.forResult(rc, doing, serverMessage);
    }
    static LdapError ownError(LdapErrorCode code, const QString& message) { return LdapErrorText::own(code, message); }
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

LdapResult<void> LdapConnection::connect()
{
    // libldap writes with plain write(): on a connection the DC has closed (an idle timeout: AD's MaxConnIdleTime
    // is 900 s by default, documented; Samba's "ldap server idle timeout" 15 minutes) the second write of a
    // pipeline gets SIGPIPE, whose default ends the process: sunset-cli or the GUI would vanish instead of saying
    // the connection was lost (exit status 141, reproduced with libldap 2.5 against a server that closes; seen
    // when make bench-ldap wrote on a connection idle for 18 minutes). Ignored process-wide, once, before the first
    // connection: such a write then fails with EPIPE, which libldap reports as LDAP_SERVER_DOWN. (Qt's sockets
    // send with MSG_NOSIGNAL and need nothing.)
    static std::once_flag sigpipeIgnored;
    std::call_once(sigpipeIgnored, [] { std::signal(SIGPIPE, SIG_IGN); });
    if (d->ld)
        return {};
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
    d->rootDse.reset();
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
    return {};
}

::ldap* LdapConnection::handle() const
{
    return d->ld.get();
}

LdapError LdapConnection::errorFor(int ldapResultCode, const QString& doing, const QString& serverMessage) const
{
    return d->error(ldapResultCode, doing, serverMessage);
}

int LdapConnection::lastResultCode() const
{
    return d->lastResultCode();
}

void LdapConnection::connectionLost()
{
    if (d->ld)
        qCWarning(lcLdap) << "connection to" << d->hostPort << "lost";
    d->ld.reset();
    d->encrypted = false;
    d->rootDse.reset();
}

LdapResult<void> LdapConnection::simpleBind(const QString& name, const QByteArray& password)
{
    if (auto connected = connect(); !connected)
        return connected;
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
    d->rootDse.reset(); // what it says may depend on who is bound
    const QByteArray who = name.toUtf8();
    berval credentials{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.constData())};
    const int rc =
        ldap_sasl_bind_s(d->ld.get(), who.constData(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS)
        return d->error(rc, u"Binding as "_s + name);
    qCDebug(lcLdap) << "bound to" << d->hostPort << "as" << name;
    return {};
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

LdapResult<void> LdapConnection::kerberosBind()
{
    if (auto connected = connect(); !connected)
        return connected;
    const auto bindWith = [&](const char* securityProperties) {
        LDAP* const ld = d->ld.get();
        // The SPN is ldap/<host as written>: reverse DNS would turn 10.0.0.5 or an alias into another name.
        if (ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
            ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, securityProperties) != LDAP_OPT_SUCCESS)
            return LDAP_NOT_SUPPORTED;
        return ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET, answerSaslPrompts,
                                            nullptr);
    };
    d->rootDse.reset(); // what it says may depend on who is bound
    // Without TLS, Kerberos must seal. Over TLS, AD and Samba refuse a security layer inside TLS ("Cannot bind
    // using sign/seal on a connection on which TLS or SSL is in effect").
    const int rc = bindWith(d->encrypted ? "maxssf=0" : "minssf=56");
    if (rc == LDAP_SUCCESS) {
        qCDebug(lcLdap) << "bound to" << d->hostPort << "with Kerberos";
        return {};
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
    if (d->rootDse && d->ld)
        return *d->rootDse;
    LdapSearchRequest request;
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = {
        "defaultNamingContext", "configurationNamingContext", "schemaNamingContext", "rootDomainNamingContext",
        "dnsHostName",          "supportedControl",           "supportedLDAPVersion", "dsServiceName",
        "namingContexts",       "highestCommittedUSN"};
    RootDse dse;
    bool found = false;
    const auto searched = search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
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
            else if (equalsCaseInsensitive(name, "dsServiceName"))
                dse.dsServiceName = value;
            else if (equalsCaseInsensitive(name, "namingContexts"))
                dse.namingContexts << value;
            else if (equalsCaseInsensitive(name, "highestCommittedUSN"))
                dse.highestCommittedUsn = value.toLongLong();
        }
        return {};
    });
    if (!searched)
        return searched.error();
    if (!found)
        return d->ownError(LdapErrorCode::InvalidResponse,
                           u"Reading the root DSE of %1: the server returned no "
                           "entry; it may not be a directory server."_s.arg(d->hostPort));
    d->rootDse = dse;
    return dse;
}

LdapResult<RootDse> LdapConnection::readRootDseAgain()
{
    d->rootDse.reset();
    return readRootDse();
}

LdapResult<void> LdapConnection::search(const LdapSearchRequest& request, const LdapEntryHandler& onEntry,
                                        const LdapSearchProgress& progress, LdapSearchStats* stats)
{
    return LdapSearch(*this).run(request, onEntry, progress, stats);
}

std::vector<LdapResult<void>> LdapConnection::searchTogether(const std::vector<LdapSearchJob>& searches)
{
    std::vector<LdapResult<void>> results(searches.size());
    std::vector<std::unique_ptr<LdapSearch>> running;
    for (size_t i = 0; i < searches.size(); ++i) {
        running.push_back(std::make_unique<LdapSearch>(*this));
        results[i] = running[i]->start(searches[i].request);
    }
    for (size_t i = 0; i < searches.size(); ++i) {
        if (results[i])
            results[i] = running[i]->run(searches[i].request, searches[i].onEntry, searches[i].progress, nullptr);
    }
    return results;
}

} // namespace sunset
