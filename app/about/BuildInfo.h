// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace sunset {

// What `--version` and the About dialog say: Sunset's own version (worked out from git at build time,
// cmake/SunsetVersion.cmake), its licence, and the versions of the libraries it runs with.
QString buildVersion();

// SPDX identifier of Sunset's licence (LICENSE at the top of the source tree).
inline constexpr char16_t kSunsetLicence[] = u"Apache-2.0";

struct ComponentVersion final {
    QString name;    // "Qt", "OpenLDAP libldap", …
    QString version; // the version loaded at run time
    QString detail;  // what else matters: the version built against when it differs, libldap's TLS library
    QString licence; // as Debian ships it (SPDX, or "public domain")
};

// The libraries in use in this process, asked at run time (the package may run with newer ones than the build
// saw): Qt, libldap (and the TLS library it was built with), OpenSSL's libcrypto, and the SQLite behind Qt's
// QSQLITE driver (needs a QCoreApplication for the driver plugin; "not available" without one).
QList<ComponentVersion> componentVersions();

// One line per component: "OpenLDAP libldap 2.5.13 (TLS by GnuTLS; OLDAP-2.8)".
QStringList componentLines();

// The text of `<program> --version`: program and version, licence, then one line per component.
QString versionText(const QString& program);

} // namespace sunset
