// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QSet>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

class QFile;
class QJsonObject;

namespace sunset {
class OwnerOnlyFile;
}

namespace sunset {

struct ExoRescanCursor;
struct GraphDirectory;
struct Snapshot;

// The mailboxes of the last complete Exchange Online read of a profile, kept for the next incremental rescan:
// <profile>/cloud-mailboxes.json, owner-only, beside cloud-state.json. The file is an admin API page as
// Exchange Online sends it, so the ordinary Get-Mailbox reader streams it back (readExoMailboxesJson, with the
// Graph users of the new scan for the anchors), one mailbox object per line:
//   {"sunsetMailboxCache":1,"id":"<random>","value":[
//   {"ExchangeGuid":"…","ExternalDirectoryObjectId":"…", …the other selected properties…}
//   ,{"ExchangeGuid":"…", …}
//   ]}
// The two keys come first on each line so that a merge finds them without parsing the rest. The raw objects are
// kept, not Sunset's records: what Graph adds (anchors) is joined again on every read, as in a full read.
class MailboxCache final {
public:
    static constexpr int kFormat = 1;
    static constexpr auto kFileName = "cloud-mailboxes.json";
    static QString path(const QString& directory);

    // What a merge matches a line by: the mailbox's ExchangeGuid (lower case; else its ExternalDirectoryObjectId),
    // and its Entra object id (lower case, without "User_"), which Graph's @removed names.
    struct Keys {
        QByteArray key;
        QByteArray externalId;
    };
    // One mailbox object as a cache line (no separator, no newline), keys first.
    static QByteArray line(const QJsonObject& mailbox, Keys* keys = nullptr);
    // The keys of a line written by line(); nullopt when it is not one.
    static std::optional<Keys> keysOf(QByteArrayView line);
};

// Writes a new cache whole: owner-only from the first byte, put in place by commit() (OwnerOnlyFile).
class MailboxCacheWriter final {
public:
    explicit MailboxCacheWriter(const QString& directory);
    ~MailboxCacheWriter();
    MailboxCacheWriter(const MailboxCacheWriter&) = delete;
    MailboxCacheWriter& operator=(const MailboxCacheWriter&) = delete;

    // Creates the directory owner-only and writes the header; why not, empty when it could.
    [[nodiscard]] QString open();
    void add(QByteArrayView line);                 // a line from MailboxCache::line()
    // Lines of another cache as they are, after this one's first (count() > 0): each ",{…}\n", as add() writes
    // them, so that a merge copies a run of kept mailboxes in one write instead of line by line.
    void addWritten(QByteArrayView lines, qint64 records);
    [[nodiscard]] QString commit(); // empty when the file is in place
    qint64 count() const { return m_count; }
    QByteArray id() const { return m_id; }
    QString path() const { return m_path; }

private:
    QString m_directory;
    QString m_path;
    std::unique_ptr<OwnerOnlyFile> m_file;
    QByteArray m_id;
    qint64 m_count = 0;
    bool m_failed = false;
};

// The changes an incremental read found: mailboxes changed or added (by key), users Graph reported removed.
struct MailboxChanges {
    QHash<QByteArray, QByteArray> lines; // key -> line
    QSet<QByteArray> removedExternalIds; // lower-case Entra object ids
};

struct MailboxMergeCounts {
    qint64 kept = 0;
    qint64 replaced = 0;
    qint64 removed = 0;
    qint64 added = 0;
    std::vector<bool> keptItems; // per mailbox of the kept file, in its order: whether the merge kept it
};

// Writes the changed mailboxes (in key order) into out, then streams the kept cache of `directory` after them,
// leaving out the changed mailboxes and those of removed users. The kept file must be the cursor's (format, id and count): anything else is an
// error naming the file, and the caller reads everything instead.
Result<MailboxMergeCounts> mergeMailboxCache(const QString& directory, const ExoRescanCursor& cursor,
                                             const MailboxChanges& changes, MailboxCacheWriter& out);
// A quick look before a rescan: the kept file exists and its header is the cursor's. Empty when it is.
QString checkMailboxCacheHeader(const QString& directory, const ExoRescanCursor& cursor);

// The kept mailboxes as a snapshot (joined to graph's users as a full read's are): what a rescan merges with the
// changed ones instead of reading the merged file back. Read on a thread of its own while Exchange Online answers
// the rescan's requests, from `file` (MailboxCache::path, opened by the caller before the read starts: the merge
// later puts a new file in its place, and an open file keeps the old one's bytes). Its records are the kept
// file's mailboxes in order.
Result<Snapshot> readKeptMailboxes(QFile& file, const GraphDirectory* graph);
// The rescan's mailboxes: the changed ones (parsed from changes, in key order, as mergeMailboxCache writes them),
// then the kept ones the merge kept (counts.keptItems), as reading the merged file back gives them. nullopt when
// `kept` does not hold one record per kept mailbox (then the merged file is read back instead).
Result<std::optional<Snapshot>> mergeKeptMailboxes(Snapshot kept, const MailboxMergeCounts& counts,
                                                   const MailboxChanges& changes, const QString& source,
                                                   const GraphDirectory* graph);

} // namespace sunset
