#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what Sunset needs to build and test on Debian 12, and nothing that is already there.
# Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

packages=(
  # toolchain; mold links in a fraction of GNU ld's time (cmake/SunsetBuildSpeed.cmake uses it when present)
  cmake ninja-build g++ make pkg-config mold
  # Qt 6.4 from Debian: Core, Gui, Widgets, Network, Sql (+ SQLite driver), Test
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite
  # SQLite's own header and library: TestHistoryWorkflow hooks the connection QSQLITE opens (same libsqlite3)
  libsqlite3-dev
  # OpenLDAP client library (pkg-config "ldap"); Cyrus SASL's header and its GSSAPI module for Kerberos binds
  libldap-dev libsasl2-dev libsasl2-modules-gssapi-mit
  # The test domain (tests/support/samba): a Samba AD DC on loopback, TLS files made with openssl, ldapsearch as the
  # baseline. Their system services, where a service manager starts them, use 139/445 and /etc/samba, never
  # the private DC's 389/636 and directory.
  samba samba-ad-dc samba-ad-provision winbind ldap-utils krb5-user openssl
  # nss_wrapper, preloaded into the Kerberos test only: the DC's DNS name resolves to loopback without /etc/hosts
  libnss-wrapper
  # samba-dc.sh checks its ports with ss and detaches the DC with setsid
  iproute2 util-linux
  # OpenSSL signs the certificate client assertions for Entra sign-in (graph/TokenProvider)
  libssl-dev
  # Qt Charts for the drift overview (its -dev package needs Qt OpenGL's headers); QtKeychain keeps a secret
  # the admin asks Sunset to remember in the desktop keyring, never on disk in clear
  qt6-charts-dev libqt6opengl6-dev qtkeychain-qt6-dev
  # QtKeychain reaches the Secret Service through libsecret (loaded at run time); the keyring test runs a
  # private D-Bus session (dbus-run-session, dbus-send) with a throwaway GNOME Keyring (tests/support/with-keyring.sh)
  libsecret-1-0 dbus-daemon dbus-bin gnome-keyring
  # The sanitizer build and the libFuzzer targets (tests/fuzz) use Debian's clang 14 and its runtimes
  clang-14 libclang-rt-14-dev llvm-14
  # The PDF batch report (app/history/HistoryExport): a font for QPdfWriter on the offscreen platform, and
  # pdftotext/pdfinfo, with which tests/app/history checks the report's text and page count
  fonts-dejavu-core poppler-utils
  # The Debian package (make package, CPack): dpkg-shlibdeps finds its dependencies, and needs file to spot the
  # binaries. make check-package checks it with lintian, desktop-file-validate, appstreamcli, man, and jq to
  # compare the installed sunset-cli's report with the planted drift
  dpkg-dev file lintian desktop-file-utils appstream man-db jq
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
