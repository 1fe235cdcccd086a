// SPDX-License-Identifier: Apache-2.0
#include "AdScanCursor.h"

#include "LdapSnapshotReader.h"
#include "platform/OwnerOnlyFile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {
constexpr int kCursorVersion = 1;
// The kept entries as format 1 wrote them (LDIF); a cursor of that format is not continued (adReadSignature).
QString legacyEntriesPath(const QString& directory) { return QDir(directory).filePath(u"ad-entries.ldif"_s); }
}

QByteArray adReadSignature(bool replicationMetadata)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    // The kept entries' format: version 2 is AdKeptEntries' binary file (1 was LDIF, ad-entries.ldif), so a cursor
    // of an earlier version is not continued.
    hash.addData(QByteArrayView("kept entries 2\n"));
    hash.addData(QByteArrayView(kAdMailboxFilter));
    for (const QByteArray& attribute : adSnapshotAttributes())
        hash.addData(QByteArray(attribute + '\n'));
    if (replicationMetadata) {
        for (const QByteArray& attribute : adReplicationMetadataAttributes())
            hash.addData(QByteArray(attribute + '\n'));
    }
    return hash.result().toHex().left(16);
}

QString adCursorPath(const QString& directory) { return QDir(directory).filePath(u"ad-cursor.json"_s); }
QString adEntriesPath(const QString& directory) { return QDir(directory).filePath(u"ad-entries.bin"_s); }

Result<std::optional<AdScanCursor>> loadAdScanCursor(const QString& directory)
{
    const QString path = adCursorPath(directory);
    QFile file(path);
    if (!file.exists())
        return std::optional<AdScanCursor>();
    if (!file.open(QIODevice::ReadOnly))
        return ImportError{path, 0, {}, u"cannot read the AD scan cursor: "_s + file.errorString()};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value("version"_L1).toInt() != kCursorVersion)
        return ImportError{path, 0, {}, u"not an AD scan cursor Sunset wrote"_s};
    AdScanCursor cursor;
    cursor.dcHost = root.value("dcHost"_L1).toString();
    cursor.invocationId = root.value("invocationId"_L1).toString().toUtf8();
    cursor.highestCommittedUsn = root.value("highestCommittedUSN"_L1).toString().toLongLong();
    cursor.baseDn = root.value("baseDn"_L1).toString().toUtf8();
    cursor.readSignature = root.value("readSignature"_L1).toString().toUtf8();
    cursor.savedAt = QDateTime::fromString(root.value("savedAt"_L1).toString(), Qt::ISODate);
    cursor.entries = root.value("entries"_L1).toInteger(-1);
    cursor.entriesSha256 = root.value("entriesSha256"_L1).toString().toUtf8();
    if (cursor.dcHost.isEmpty() || cursor.invocationId.isEmpty() || cursor.highestCommittedUsn <= 0 ||
        !cursor.savedAt.isValid() || cursor.entries < 0 || cursor.entriesSha256.isEmpty())
        return ImportError{path, 0, {}, u"the AD scan cursor is incomplete"_s};
    return std::optional<AdScanCursor>(std::move(cursor));
}

Result<void> saveAdScanCursor(const QString& directory, const AdScanCursor& cursor)
{
    const QJsonObject root{
        {u"version"_s, kCursorVersion},
        {u"dcHost"_s, cursor.dcHost},
        {u"invocationId"_s, QString::fromUtf8(cursor.invocationId)},
        // As text: a USN is a 64-bit number, more than a JSON double holds exactly.
        {u"highestCommittedUSN"_s, QString::number(cursor.highestCommittedUsn)},
        {u"baseDn"_s, QString::fromUtf8(cursor.baseDn)},
        {u"readSignature"_s, QString::fromUtf8(cursor.readSignature)},
        {u"savedAt"_s, cursor.savedAt.toUTC().toString(Qt::ISODateWithMs)},
        {u"entries"_s, cursor.entries},
        {u"entriesSha256"_s, QString::fromUtf8(cursor.entriesSha256)},
    };
    // Not synced, like the entries it names: a sync here would also wait for the entries' tens of megabytes (ext4's
    // ordered mode commits their data with the journal), about 100 ms a rescan. A cursor a crash damaged or lost
    // is refused or missing (loadAdScanCursor), one older than its entries fails their digest: a full read.
    if (auto written = writeOwnerOnlyFile(adCursorPath(directory), QJsonDocument(root).toJson(QJsonDocument::Indented),
                                          OwnerOnlyFile::Durability::CheckedOnRead);
        !written)
        return ImportError{
            adCursorPath(directory), 0, {}, u"cannot write the AD scan cursor: "_s + written.error().message};
    QFile::remove(legacyEntriesPath(directory)); // never read again
    return {};
}

void removeAdScanState(const QString& directory)
{
    QFile::remove(adCursorPath(directory));
    QFile::remove(adEntriesPath(directory));
    QFile::remove(legacyEntriesPath(directory));
}

} // namespace sunset
