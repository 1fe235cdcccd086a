// SPDX-License-Identifier: Apache-2.0
#include "BuildInfo.h"

#include "SunsetVersion.h" // generated: SUNSET_BUILD_VERSION

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUuid>

#include <ldap.h>
#include <openssl/crypto.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// OpenLDAP's vendor version is major * 10000 + minor * 100 + patch (ldap_features.h: 20513 is 2.5.13).
QString dottedLdapVersion(int vendorVersion)
{
    return u"%1.%2.%3"_s.arg(vendorVersion / 10000).arg(vendorVersion / 100 % 100).arg(vendorVersion % 100);
}

ComponentVersion libldapVersion()
{
    ComponentVersion result{u"OpenLDAP libldap"_s, dottedLdapVersion(LDAP_VENDOR_VERSION), {}, u"OLDAP-2.8"_s};
    LDAPAPIInfo info{};
    info.ldapai_info_version = LDAP_API_INFO_VERSION;
    if (ldap_get_option(nullptr, LDAP_OPT_API_INFO, &info) == LDAP_OPT_SUCCESS) {
        result.version = dottedLdapVersion(info.ldapai_vendor_version);
        ldap_memfree(info.ldapai_vendor_name);
        ber_memvfree(reinterpret_cast<void**>(info.ldapai_extensions));
    }
    // Debian's libldap does TLS with GnuTLS, not OpenSSL: worth knowing when a certificate is refused.
    char* tls = nullptr;
    if (ldap_get_option(nullptr, LDAP_OPT_X_TLS_PACKAGE, &tls) == LDAP_OPT_SUCCESS && tls) {
        result.detail = u"TLS by %1"_s.arg(QString::fromUtf8(tls));
        ldap_memfree(tls);
    }
    return result;
}

// The SQLite library Qt's QSQLITE driver uses (Debian's Qt links the system libsqlite3), asked from SQLite itself.
QString sqliteVersion()
{
    if (!QCoreApplication::instance() || !QSqlDatabase::isDriverAvailable(u"QSQLITE"_s))
        return u"not available (Qt's QSQLITE driver is missing)"_s;
    const QString connection = u"sunset-version-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString version;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(u":memory:"_s);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(u"SELECT sqlite_version()"_s) && query.next())
                version = query.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return version.isEmpty() ? u"unknown"_s : version;
}

} // namespace

QString buildVersion()
{
    return QStringLiteral(SUNSET_BUILD_VERSION);
}

QList<ComponentVersion> componentVersions()
{
    const QString qtRuntime = QString::fromLatin1(qVersion());
    const QString qtBuild = QStringLiteral(QT_VERSION_STR);
    // Licences as Debian ships them: Qt 6 under LGPL-3 (or GPL), OpenSSL 3 under Apache-2.0, SQLite in the
    // public domain (debian/copyright of qt6-base, openssl, sqlite3).
    return {
        {u"Qt"_s, qtRuntime, qtRuntime == qtBuild ? QString() : u"built with %1"_s.arg(qtBuild), u"LGPL-3.0-only"_s},
        libldapVersion(),
        {u"OpenSSL"_s, QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION_STRING)), {}, u"Apache-2.0"_s},
        {u"SQLite"_s, sqliteVersion(), {}, u"public domain"_s},
    };
}

QStringList componentLines()
{
    QStringList lines;
    for (const ComponentVersion& component : componentVersions()) {
        const QString notes = (component.detail.isEmpty() ? QString() : component.detail + u"; "_s) + component.licence;
        lines.append(component.name + u' ' + component.version + u" ("_s + notes + u')');
    }
    return lines;
}

QString versionText(const QString& program)
{
    return program + u' ' + buildVersion() + u"\nLicence: "_s + QString::fromUtf16(kSunsetLicence) + u'\n' +
           componentLines().join(u'\n') + u'\n';
}

} // namespace sunset
