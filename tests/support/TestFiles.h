// SPDX-License-Identifier: Apache-2.0
#pragma once

// Files the tests write and read back: inputs for sunset-cli, secrets, reports. A test that needs a file to be
// owner-only from its first byte (as Sunset's own writers do) says so with writeOwnerOnlyFile; these helpers only
// make fixtures, they are not what Sunset ships.
#include <QByteArray>
#include <QFile>
#include <QString>

namespace sunset::test {

// Writes (or replaces) path with bytes; false when the file cannot be written whole.
inline bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// The same, then readable and writable by its owner only (a secret file: sunset-cli refuses one others can read).
inline bool writeOwnerOnlyFile(const QString& path, const QByteArray& bytes)
{
    return writeFile(path, bytes) && QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

// The whole file, or "(unreadable)" so that a comparison with it fails saying why.
inline QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)");
}

} // namespace sunset::test
