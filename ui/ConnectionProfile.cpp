// SPDX-License-Identifier: Apache-2.0
#include "ConnectionProfile.h"

#include "CloudTenantSettingsKeys.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QUrl>
#include <QUuid>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("sunset::ConnectionProfile", text);
}

constexpr auto kProfilesGroup = "profiles"_L1;
constexpr auto kLastUsedKey = "connection/lastProfile"_L1;

// A file the scan will read: it must exist and be readable. what: the field's label as the dialog shows it.
void checkFile(QList<ProfileProblem>& problems, const QString& field, const QString& path, const QString& what,
               const QString& fix)
{
    if (path.trimmed().isEmpty()) {
        problems.append({field, tr("%1: choose a file. %2").arg(what, fix)});
        return;
    }
    const QFileInfo info(path);
    if (!info.exists())
        problems.append({field, tr("%1: %2 does not exist. Choose the file with Browse…").arg(what, path)});
    else if (!info.isFile() || !info.isReadable())
        problems.append({field, tr("%1: %2 is not a readable file. Check its permissions or choose another.")
                                    .arg(what, path)});
}

void checkHttpsUrl(QList<ProfileProblem>& problems, const QString& field, const QString& text, const QString& what,
                   const QString& example)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (text.trimmed().isEmpty() || !url.isValid() || url.host().isEmpty())
        problems.append({field, tr("%1: enter an https:// address such as %2.").arg(what, example)});
    else if (url.scheme() != u"https"_s)
        problems.append({field, tr("%1: %2 is not https://. Tokens and mailbox data only travel over TLS; use "
                                   "https://%3.").arg(what, text.trimmed(), url.host())});
}

QString keyFor(const QString& name)
{
    // A group name must not contain '/' (QSettings' separator): the name is stored percent-encoded.
    return kProfilesGroup + u'/' + QString::fromLatin1(QUrl::toPercentEncoding(name));
}

bool isGuid(const QString& text)
{
    return !QUuid::fromString(text).isNull() && text.size() == 36;
}

} // namespace

ConnectionProfile ConnectionProfile::fromFiles(const ReportSources& files, const QString& name)
{
    ConnectionProfile p;
    p.name = name;
    p.ad.ldifFile = files.ad;
    p.cloud.exoFile = files.exo;
    p.cloud.graphFile = files.graph;
    return p;
}

QString ConnectionProfile::adLabel() const
{
    if (ad.kind == AdSourceProfile::Kind::Snapshot)
        return QFileInfo(ad.ldifFile).fileName();
    return QUrl(ad.dc.uri).host();
}

QString ConnectionProfile::cloudLabel() const
{
    if (cloud.kind == CloudSourceProfile::Kind::Snapshot) {
        QString label = QFileInfo(cloud.exoFile).fileName();
        if (!cloud.graphFile.isEmpty())
            label += u" + "_s + QFileInfo(cloud.graphFile).fileName();
        return label;
    }
    return cloud.connection.tenant;
}

QList<ProfileProblem> validateProfile(const ConnectionProfile& p)
{
    QList<ProfileProblem> problems;
    if (p.ad.kind == AdSourceProfile::Kind::Snapshot) {
        checkFile(problems, u"adLdifFile"_s, p.ad.ldifFile, tr("AD export (LDIF)"),
                  tr("Export it with ldifde -f ad.ldif -r \"(objectClass=user)\"."));
    } else {
        const QString text = p.ad.dc.uri.trimmed();
        const QUrl url(text, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (text.isEmpty() || !url.isValid() || url.host().isEmpty() ||
            (scheme != u"ldaps"_s && scheme != u"ldap"_s)) {
            problems.append({u"adUrl"_s, tr("Domain controller: enter ldaps://dc01.contoso.com (or ldap://… with "
                                           "StartTLS).")});
        } else if (!url.path().isEmpty() && url.path() != u"/"_s) {
            problems.append({u"adUrl"_s, tr("Domain controller: give only the server (ldaps://%1); put the DN to "
                                           "read under in Base DN.").arg(url.host())});
        } else if (scheme == u"ldap"_s && !p.ad.dc.startTls && !p.ad.dc.allowInsecurePlaintext &&
                   !p.ad.dc.kerberos) {
            problems.append({u"adStartTls"_s, tr("Domain controller: ldap:// without StartTLS would send the password "
                                                "in clear. Tick StartTLS, use ldaps://, or (only on an isolated "
                                                "test network) tick \"Allow plaintext\".")});
        }
        if (scheme == u"ldaps"_s && p.ad.dc.allowInsecurePlaintext)
            problems.append({u"adAllowPlaintext"_s, tr("Allow plaintext applies to ldap:// only; ldaps:// is "
                                                      "encrypted. Untick it.")});
        if (!p.ad.dc.kerberos && p.ad.dc.bindName.trimmed().isEmpty())
            problems.append({u"adBindDn"_s, tr("Bind as: enter the account to bind with, as a UPN "
                                              "(admin@contoso.com) or a DN, or choose Kerberos.")});
        if (p.ad.dc.kerberos && !url.host().isEmpty() && !url.host().contains(u'.'))
            problems.append({u"adUrl"_s, tr("Domain controller: Kerberos needs the server's full DNS name "
                                           "(dc01.contoso.com), since the ticket is for ldap/<that name>.")});
        const QString base = p.ad.dc.baseDn.trimmed();
        if (!base.isEmpty() && !base.contains(u'='))
            problems.append({u"adBaseDn"_s, tr("Base DN: %1 is not a DN; write it like OU=Staff,DC=contoso,DC=com "
                                              "or leave it empty for the whole domain.").arg(base)});
        if (!p.ad.dc.caFile.trimmed().isEmpty())
            checkFile(problems, u"adCaFile"_s, p.ad.dc.caFile, tr("CA certificate"), {});
    }

    if (p.cloud.kind == CloudSourceProfile::Kind::Snapshot) {
        checkFile(problems, u"cloudExoFile"_s, p.cloud.exoFile, tr("Exchange Online export (JSON or CSV)"),
                  tr("Export it with Get-Mailbox -ResultSize Unlimited | ConvertTo-Json -Depth 4."));
        if (!p.cloud.graphFile.trimmed().isEmpty())
            checkFile(problems, u"cloudGraphFile"_s, p.cloud.graphFile, tr("Graph users export"), {});
    } else {
        const CloudTenantSettings& c = p.cloud.connection;
        const QString tenant = c.tenant.trimmed();
        if (tenant.isEmpty() || (!isGuid(tenant) && !tenant.contains(u'.')))
            problems.append({u"cloudTenant"_s, tr("Tenant: enter the tenant id (a GUID) or its domain, such as "
                                                 "contoso.onmicrosoft.com.")});
        if (!isGuid(c.clientId.trimmed()))
            problems.append({u"cloudClientId"_s, tr("Client id: enter the app registration's Application (client) "
                                                   "ID, a GUID like 00000000-0000-0000-0000-000000000000, from Entra "
                                                   "admin center › App registrations.")});
        if (c.signIn == CloudTenantSettings::SignIn::Certificate)
            checkFile(problems, u"cloudCertificateFile"_s, c.certificateFile, tr("Certificate"),
                      tr("Choose the PEM file with the certificate and its private key, or the .pfx."));
        checkHttpsUrl(problems, u"cloudAuthority"_s, c.authority, tr("Authority"),
                      CloudTenantSettings::kDefaultAuthority);
        checkHttpsUrl(problems, u"cloudGraphEndpoint"_s, c.graphEndpoint, tr("Graph endpoint"),
                      CloudTenantSettings::kDefaultGraphEndpoint);
        checkHttpsUrl(problems, u"cloudExoEndpoint"_s, c.exoEndpoint, tr("Exchange Online endpoint"),
                      CloudTenantSettings::kDefaultExoEndpoint);
    }
    return problems;
}

QStringList ConnectionProfileStore::names() const
{
    m_settings.beginGroup(kProfilesGroup);
    QStringList encoded = m_settings.childGroups();
    m_settings.endGroup();
    QStringList names;
    for (const QString& e : encoded)
        names << QUrl::fromPercentEncoding(e.toLatin1());
    names.sort(Qt::CaseInsensitive);
    return names;
}

ConnectionProfile ConnectionProfileStore::load(const QString& name) const
{
    ConnectionProfile p;
    p.name = name;
    m_settings.beginGroup(keyFor(name));
    auto text = [this](const char* key, const QString& fallback = {}) {
        return m_settings.value(QLatin1StringView(key), fallback).toString();
    };
    p.ad.kind = text("ad/kind") == u"live"_s ? AdSourceProfile::Kind::Live : AdSourceProfile::Kind::Snapshot;
    p.ad.ldifFile = text("ad/ldifFile");
    p.ad.dc.uri = text("ad/url");
    p.ad.dc.startTls = m_settings.value(u"ad/startTls"_s, true).toBool();
    p.ad.dc.kerberos = text("ad/bind") == u"kerberos"_s;
    p.ad.dc.bindName = text("ad/bindDn");
    p.ad.dc.baseDn = text("ad/baseDn");
    p.ad.dc.caFile = text("ad/caFile");
    p.ad.dc.allowInsecurePlaintext = m_settings.value(u"ad/allowPlaintext"_s, false).toBool();
    p.ad.rememberPassword = m_settings.value(u"ad/bindInKeyring"_s, false).toBool();

    p.cloud.kind = text("cloud/kind") == u"live"_s ? CloudSourceProfile::Kind::Live : CloudSourceProfile::Kind::Snapshot;
    p.cloud.exoFile = text("cloud/exoFile");
    p.cloud.graphFile = text("cloud/graphFile");
    m_settings.beginGroup(u"cloud"_s);
    p.cloud.connection = readCloudTenantSettings(m_settings);
    m_settings.endGroup();
    p.cloud.rememberClientSecret = m_settings.value(u"cloud/clientSecretInKeyring"_s, false).toBool();
    p.cloud.rememberCertificatePassword = m_settings.value(u"cloud/pfxInKeyring"_s, false).toBool();
    m_settings.endGroup();
    return p;
}

void ConnectionProfileStore::save(const ConnectionProfile& p)
{
    m_settings.remove(keyFor(p.name)); // no stale keys from an older shape of the profile
    m_settings.beginGroup(keyFor(p.name));
    m_settings.setValue(u"name"_s, p.name);
    m_settings.setValue(u"ad/kind"_s, p.ad.kind == AdSourceProfile::Kind::Live ? u"live"_s : u"snapshot"_s);
    m_settings.setValue(u"ad/ldifFile"_s, p.ad.ldifFile);
    m_settings.setValue(u"ad/url"_s, p.ad.dc.uri);
    m_settings.setValue(u"ad/startTls"_s, p.ad.dc.startTls);
    m_settings.setValue(u"ad/bind"_s, p.ad.dc.kerberos ? u"kerberos"_s : u"simple"_s);
    m_settings.setValue(u"ad/bindDn"_s, p.ad.dc.bindName);
    m_settings.setValue(u"ad/baseDn"_s, p.ad.dc.baseDn);
    m_settings.setValue(u"ad/caFile"_s, p.ad.dc.caFile);
    m_settings.setValue(u"ad/allowPlaintext"_s, p.ad.dc.allowInsecurePlaintext);
    m_settings.setValue(u"ad/bindInKeyring"_s, p.ad.rememberPassword); // a flag: the secret is in the keyring
    m_settings.setValue(u"cloud/kind"_s, p.cloud.kind == CloudSourceProfile::Kind::Live ? u"live"_s : u"snapshot"_s);
    m_settings.setValue(u"cloud/exoFile"_s, p.cloud.exoFile);
    m_settings.setValue(u"cloud/graphFile"_s, p.cloud.graphFile);
    m_settings.beginGroup(u"cloud"_s);
    writeCloudTenantSettings(m_settings, p.cloud.connection);
    m_settings.endGroup();
    m_settings.setValue(u"cloud/clientSecretInKeyring"_s, p.cloud.rememberClientSecret);
    m_settings.setValue(u"cloud/pfxInKeyring"_s, p.cloud.rememberCertificatePassword);
    m_settings.endGroup();
}

void ConnectionProfileStore::remove(const QString& name)
{
    m_settings.remove(keyFor(name));
}

QString ConnectionProfileStore::lastUsed() const
{
    return m_settings.value(kLastUsedKey).toString();
}

void ConnectionProfileStore::setLastUsed(const QString& name)
{
    m_settings.setValue(kLastUsedKey, name);
}

} // namespace sunset
