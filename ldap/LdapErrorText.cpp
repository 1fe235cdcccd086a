// SPDX-License-Identifier: Apache-2.0
#include "LdapErrorText.h"

#include <ldap.h>

#include <chrono>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3) + u" s"_s;
}

} // namespace

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

namespace {

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

LdapErrorText::LdapErrorText(const LdapConnectionOptions& options, QString hostPort, QString hostName)
    : m_options(options)
    , m_hostPort(std::move(hostPort))
    , m_hostName(std::move(hostName))
{
}

LdapError LdapErrorText::forResult(int rc, const QString& doing, const QString& serverMessage) const
{
    LdapError e;
    e.code = codeForResult(rc);
    e.ldapResultCode = rc;
    e.serverMessage = serverMessage;
    // doing names the host with %1: "Connecting to %1", "Binding as admin@contoso.com on %1".
    const QString where = (doing.contains(u"%1"_s) ? doing.arg(m_hostPort) : doing + u" on "_s + m_hostPort) + u": "_s;
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
        e.message = where + u"no answer within "_s + seconds(m_options.operationTimeout) + u'.';
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

QString LdapErrorText::tlsFailureText() const
{
    const QString trust =
        m_options.caFile.isEmpty() ? u"the system's trusted CAs"_s : u"the CA file "_s + m_options.caFile;
    return u"the TLS connection could not be established: the certificate of %1 did not verify against %2, "
           "or does not name %3. Sunset never falls back to an unverified connection: give the PEM file of "
           "the CA that issued the domain controller's certificate, and connect by a name the certificate "
           "holds."_s.arg(m_hostPort, trust, m_hostName);
}

LdapError LdapErrorText::own(LdapErrorCode code, const QString& message)
{
    LdapError e;
    e.code = code;
    e.message = message;
    return e;
}

} // namespace sunset
