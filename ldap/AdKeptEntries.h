// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LdifReader.h"
#include "Sha256Digest.h"
#include "platform/OwnerOnlyFile.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace sunset {

// The AD entries a live scan keeps for the next incremental rescan (<profile>/ad-entries.bin, owner-only, a cache:
// safe to delete), in a binary form so that a rescan neither parses text nor encodes it again: an unchanged
// entry's record is copied to the next file as it is. The file:
//   "SUNSET-AD-ENTRIES 1\n", then per entry one record:
//   u32 size of the rest of the record | u32 DN size | DN | u32 value count |
//   per value: u32 attribute name size | name | u32 value size | value
// little-endian; the values as the server sent them (a ranged attribute's name keeps its ";range=L-H"). The
// cursor (AdScanCursor) holds the file's SHA-256 and record count, checked before anything is read from it.
class AdEntryRecords;

class AdKeptEntriesWriter final {
public:
    explicit AdKeptEntriesWriter(const QString& path);

    // Ok, or why the temporary file could not be created.
    Expected<void, QString> open();
    void write(const LdifEntry& entry);
    // A record handed out by AdKeptEntries::read, copied as it is.
    void writeRecord(QByteArrayView record);
    // Entries collected in memory, copied as they are.
    void writeRecords(const AdEntryRecords& records);
    qint64 entries() const { return m_entries; }
    // Puts the file in place and gives its SHA-256 (hex); why not, else.
    Expected<void, QString> commit(QByteArray& sha256);

private:
    void flushIfFull();
    void flush();

    OwnerOnlyFile m_file;
    Sha256Digest m_hash;
    QByteArray m_buffer; // written and hashed a MiB at a time
    qint64 m_entries = 0;
    bool m_failed = false;
    QString m_withoutGuid; // an entry without the objectGUID a merge needs
};

// Entries encoded as kept records in memory (the file's record format, without its header): what an incremental
// rescan reads again while another thread merges the kept entries, handed to the snapshot and the new file after.
class AdEntryRecords final {
public:
    explicit AdEntryRecords(QString name) : m_name(std::move(name)) {}
    void add(const LdifEntry& entry);
    qint64 size() const { return m_count; }
    QByteArrayView bytes() const { return m_bytes; }
    // Each entry in the order added, as AdKeptEntries::read hands them out.
    Result<void> read(const std::function<Result<void>(const LdifEntry& entry)>& onEntry) const;
    // The first entry added without the objectGUID a merge needs (its DN), empty when none.
    QString withoutGuid() const { return m_withoutGuid; }

private:
    QString m_name; // for errors: what the records are
    QByteArray m_bytes;
    qint64 m_count = 0;
    QString m_withoutGuid;
};

// The kept entries, mapped, checked against the cursor's digest and record count before anything is read.
class AdKeptEntries final {
public:
    explicit AdKeptEntries(const QString& path) : m_file(path) {}

    // Ok, or why the file cannot be used (unreadable, damaged). Hashes the whole file: tens of milliseconds at
    // 20,000 mailboxes, so an incremental read does it on a thread of its own while the DC answers.
    Expected<void, QString> open(const QByteArray& expectedSha256, qint64 expectedEntries);
    // Each entry in file order with its record's bytes (for AdKeptEntriesWriter::writeRecord); the views are valid
    // during the call. A damaged record is an error naming the file and the record's number.
    using EntryHandler = std::function<Result<void>(const LdifEntry& entry, QByteArrayView record)>;
    Result<void> read(const EntryHandler& onEntry) const;
    QString fileName() const { return m_file.fileName(); }

private:
    QFile m_file;
    QByteArrayView m_data;
};

} // namespace sunset
