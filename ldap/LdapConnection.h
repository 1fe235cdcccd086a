// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdifReader.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>
#include <utility>

struct ldap; // libldap's LDAP, for LdapConnection's friends; ldap.h stays out of headers

namespace sunset {

// What went wrong talking to a directory, in Sunset's terms (libldap's codes never leave ldap/).
enum class LdapErrorCode : quint8 {
    ServerUnreachable,      // nothing answered at host:port, or the connection was lost
    TlsFailure,             // the TLS handshake failed, e.g. the certificate did not verify
    InsecureBindRefused,    // Sunset refused to send a password without TLS (allowInsecurePlaintext is off)
    EncryptionRequired,     // the server refused a bind without TLS ("Transport encryption required")
    InvalidCredentials,     // wrong user name or password, or the account cannot log on
    KerberosNoTicket,       // Kerberos bind: no ticket in the credential cache (run kinit)
    KerberosTicketExpired,  // Kerberos bind: the ticket has expired (kinit again)
    KerberosUnknownServer,  // Kerberos bind: the realm has no ldap/<host> service principal (wrong host name)
    KerberosFailure,        // Kerberos bind: anything else (KDC unreachable, clock skew, GSSAPI module missing)
    InsufficientAccess,     // the bound account may not read or write this
    NoSuchObject,           // the base DN (or the entry) does not exist
    NoSuchAttribute,        // a modify deleted a value that is not there (a write conflict)
    AttributeOrValueExists, // a modify added a value that is already there (a write conflict)
    ConstraintViolation,
    InvalidDnSyntax,
    FilterError,
    SizeLimitExceeded,
    TimeLimitExceeded,  // the server's or our operation timeout
    UnsupportedControl, // e.g. the server does not page results
    Busy,               // busy, unavailable or unwilling to perform
    Cancelled,          // the caller cancelled
    InvalidResponse,    // the server answered something Sunset cannot use
    Other,
};
QLatin1StringView ldapErrorCodeName(LdapErrorCode code);

struct LdapError {
    LdapErrorCode code = LdapErrorCode::Other;
    int ldapResultCode = 0; // libldap's number, for support (0 when Sunset decided)
    QString message;        // for an admin: what failed, where, and what to do about it
    QString serverMessage;  // the server's diagnostic text, if any (AD: "80090308: LdapErr: ... data 52e")

    QString toString() const;
};

// A value or the LdapError that prevented it.
template <typename T>
using LdapResult = Expected<T, LdapError>;

struct DcConnectionSettings;

struct LdapConnectionOptions {
    QString uri;                         // ldaps://host[:port] (TLS from the start) or ldap://host[:port]
    bool startTls = true;                // for ldap://: upgrade with StartTLS before anything else
    QString caFile;                      // PEM file of the CA(s) to trust; empty: the system's trust store
    bool requireValidCertificate = true; // never turn off outside tests: a certificate that fails is an error
    bool allowInsecurePlaintext = false; // allow a password bind without TLS (the server may still refuse)
    std::chrono::milliseconds networkTimeout{10'000};    // to connect
    std::chrono::milliseconds operationTimeout{120'000}; // for any one answer from the server
};

// The connection's options for the domain controller dc (timeouts and certificate checking at their defaults).
LdapConnectionOptions connectionOptionsFor(const DcConnectionSettings& dc);

// What a directory says about itself (the root DSE).
struct RootDse {
    QByteArray defaultNamingContext;
    QByteArray configurationNamingContext;
    QByteArray schemaNamingContext;
    QByteArray rootDomainNamingContext;
    QByteArray dnsHostName;
    QByteArrayList supportedControls;
    QByteArrayList supportedLdapVersions;
    QByteArray dsServiceName;    // the DN of this DC's nTDSDSA object [MS-ADTS 3.1.1.3.2.1, documented]
    QByteArrayList namingContexts;
    qint64 highestCommittedUsn = 0; // as of the read (readRootDseAgain for a current one)

    bool supportsControl(QByteArrayView oid) const;
};

enum class LdapScope : quint8 { Base, OneLevel, Subtree };

struct LdapSearchRequest {
    QByteArray baseDn;
    LdapScope scope = LdapScope::Subtree;
    QByteArray filter = "(objectClass=*)"; // escape values with escapeFilterValue
    QByteArrayList attributes;             // empty: all user attributes. "name;range=0-999" forces a range.
    int pageSize = 1000;                   // paged results (1.2.840.113556.1.4.319); 0: one plain search
    // Ranged retrieval: an attribute answered as "name;range=L-H" is completed by base-scope reads of the same
    // entry until a range ends in "*". 0 asks "name;range=N-*" and lets the server cut (AD: 1,500 values);
    // N > 0 asks N values at a time, to force several follow-ups.
    int rangeStep = 0;
    // A bound on the values one entry may bring (ranged follow-ups included), so that a damaged or hostile server
    // that never ends a range ("0-1499", "1500-2999", ... without "*") cannot keep the read going and growing:
    // the search fails with SizeLimitExceeded naming the entry. Far above AD's real entries.
    qint64 maxValuesPerEntry = 50'000;
    // Also return deleted objects (tombstones, under CN=Deleted Objects): the show-deleted control
    // 1.2.840.113556.1.4.417, documented by Microsoft [MS-ADTS 3.1.1.3.4.1.14]; Samba supports it too.
    bool showDeleted = false;
};

struct LdapSearchStats {
    qint64 entries = 0;
    qint64 pages = 0;
    qint64 rangeReads = 0; // follow-up reads for ranged attributes
};

// Receives each entry of a search. The entry's views are valid only during the call. An attribute that came
// back ranged arrives complete under its plain name ("proxyAddresses"), each value as one LdifAttribute, so
// the entry is what an LDIF reader would have produced for the same object (line is the entry's 1-based
// number in the search). Returning an error stops the search with that error.
using LdapEntryHandler = std::function<LdapResult<void>(const LdifEntry& entry)>;
// Called after each page with the number of entries so far; returning false cancels the search.
using LdapSearchProgress = std::function<bool(qint64 entries)>;

// One search of LdapConnection::searchTogether: what to ask, and who receives the answer.
struct LdapSearchJob {
    LdapSearchRequest request;
    LdapEntryHandler onEntry;
    LdapSearchProgress progress;
};

// One connection to a directory server, owned: unbinds on destruction. Not thread-safe; a worker thread that
// searches owns its own LdapConnection. Options are applied in a fixed order (protocol version, referrals,
// timeouts, CA file, certificate requirement, new TLS context), then TLS is established before any bind.
class LdapConnection final {
public:
    explicit LdapConnection(LdapConnectionOptions options);
    ~LdapConnection();
    LdapConnection(const LdapConnection&) = delete;
    LdapConnection& operator=(const LdapConnection&) = delete;

    const LdapConnectionOptions& options() const { return m_options; }
    QString host() const; // "host:port" of the URI, for messages

    // Opens the connection and establishes TLS (ldaps://, or StartTLS on ldap:// unless startTls is off).
    // A certificate that does not verify fails here, naming the host.
    LdapResult<void> connect();
    bool isConnected() const;
    bool isEncrypted() const; // TLS is in place

    // Simple bind with a UPN ("admin@contoso.com") or a DN and a password. Refused without TLS unless
    // allowInsecurePlaintext. Connects first if needed.
    LdapResult<void> simpleBind(const QString& name, const QByteArray& password);

    // Kerberos bind (SASL GSSAPI) with the ticket of the user running Sunset (kinit, or the logon of a
    // domain-joined machine); no password passes through Sunset. The domain controller is asked for as the
    // service principal ldap/<host of the URI>, exactly as written (no reverse DNS), so the URI must name the DC
    // as its SPN does: by its DNS name (dc01.contoso.com, its dnsHostName), not by an IP address or an alias
    // without an SPN. Over TLS, Kerberos adds no signing or sealing of its own (AD refuses a security layer on
    // top of TLS: maxssf=0); without TLS it requires sealing (minssf=56), so the traffic is encrypted either
    // way. The credential cache is KRB5CCNAME's or the default; krb5.conf is KRB5_CONFIG's or the system's.
    // Connects first if needed.
    LdapResult<void> kerberosBind();

    // Read once per bound connection: what it holds does not change while the connection lives, and each read
    // is a round trip (a scan asks for it from several places).
    LdapResult<RootDse> readRootDse();
    // Reads it again, e.g. for a current highestCommittedUSN; readRootDse() then answers this one.
    LdapResult<RootDse> readRootDseAgain();

    // Runs a search, paged and with ranged attributes completed, handing each entry to onEntry as it arrives.
    LdapResult<void> search(const LdapSearchRequest& request, const LdapEntryHandler& onEntry,
                            const LdapSearchProgress& progress = {}, LdapSearchStats* stats = nullptr);
    // Several searches for the round trip of one: every first page is asked for before any answer is read, then
    // each search is read to its end in turn, in the order given, so each handler sees its entries after the
    // searches before it are complete, as with search() one after the other. One result per search (ok:
    // complete), so that a search the caller can do without does not stop the others; a lost connection fails
    // the rest.
    std::vector<LdapResult<void>> searchTogether(const std::vector<LdapSearchJob>& searches);

private:
    // For the search (LdapSearch.cpp) and the modify pipeline (LdapModify.cpp), which drive the same handle.
    friend class LdapSearch;
    friend class LdapModifyPipeline;
    ::ldap* handle() const; // nullptr until connect()
    // serverMessage empty: the server's diagnostic of the last operation, if it gave one.
    LdapError errorFor(int ldapResultCode, const QString& doing, const QString& serverMessage = {}) const;
    int lastResultCode() const; // of the last operation on the handle
    // The server closed the connection: drop the handle so that nothing is sent on it again (libldap would
    // otherwise reconnect by itself on the next request, unbound and, for StartTLS, without TLS).
    void connectionLost();

    class Private;
    LdapConnectionOptions m_options;
    std::unique_ptr<Private> d;
};

} // namespace sunset
