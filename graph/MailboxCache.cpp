// SPDX-License-Identifier: Apache-2.0
#include "MailboxCache.h"

#include "ExoMailboxJsonReader.h"
#include "ExoRescan.h"
#include "platform/OwnerOnlyFile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <algorithm>
#include <cctype>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr QByteArrayView kGuidMember = "{\"ExchangeGuid\":\"";
constexpr QByteArrayView kExternalMember = "\",\"ExternalDirectoryObjectId\":\"";

// Entra object ids as Graph names them: lower case, without the "User_" Get-Mailbox sometimes puts before them.
QByteArray normalizedExternalId(QByteArray id)
{
    id = std::move(id).toLower();
    if (id.startsWith("user_"))
        id.remove(0, 5);
    return id;
}

// A GUID's text: what the two key members may hold, so a line needs no JSON unescaping to be matched.
bool isPlainKeyText(QByteArrayView text)
{
    for (char c : text) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return false;
    }
    return true;
}

QByteArray header(const QByteArray& id)
{
    return "{\"sunsetMailboxCache\":" + QByteArray::number(MailboxCache::kFormat) + ",\"id\":\"" + id +
           "\",\"value\":[\n";
}

ImportError cacheError(const QString& path, qint64 line, const QString& what)
{
    return ImportError{path, line, {}, what};
}

// The changed mailboxes' keys in the order a merge writes them (and mergeKeptMailboxes lists them).
QList<QByteArray> keysInMergeOrder(const MailboxChanges& changes)
{
    QList<QByteArray> keys = changes.lines.keys();
    std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace

QString MailboxCache::path(const QString& directory)
{
    return QDir(directory).filePath(QString::fromLatin1(kFileName));
}

QByteArray MailboxCache::line(const QJsonObject& mailbox, Keys* keys)
{
    QJsonObject rest = mailbox;
    QByteArray guid = rest.take("ExchangeGuid"_L1).toString().toUtf8();
    QByteArray external = rest.take("ExternalDirectoryObjectId"_L1).toString().toUtf8();
    // Not GUID text (never seen from Exchange Online): left out of the keys rather than escaped into them.
    if (!isPlainKeyText(guid))
        guid.clear();
    if (!isPlainKeyText(external))
        external.clear();
    QByteArray out = kGuidMember.toByteArray() + guid + kExternalMember.toByteArray() + external + '"';
    const QByteArray others = QJsonDocument(rest).toJson(QJsonDocument::Compact); // "{…}", never a raw newline
    if (others.size() > 2)
        out += ',' + others.mid(1);
    else
        out += '}';
    if (keys) {
        keys->externalId = normalizedExternalId(external);
        keys->key = guid.isEmpty() ? keys->externalId : guid.toLower();
    }
    return out;
}

std::optional<MailboxCache::Keys> MailboxCache::keysOf(QByteArrayView line)
{
    if (!line.startsWith(kGuidMember))
        return std::nullopt;
    const qsizetype guidEnd = line.indexOf('"', kGuidMember.size());
    if (guidEnd < 0 || !line.sliced(guidEnd).startsWith(kExternalMember))
        return std::nullopt;
    const qsizetype externalStart = guidEnd + kExternalMember.size();
    const qsizetype externalEnd = line.indexOf('"', externalStart);
    if (externalEnd < 0 || !line.endsWith('}'))
        return std::nullopt;
    const QByteArrayView guid = line.sliced(kGuidMember.size(), guidEnd - kGuidMember.size());
    const QByteArrayView external = line.sliced(externalStart, externalEnd - externalStart);
    if (!isPlainKeyText(guid) || !isPlainKeyText(external))
        return std::nullopt;
    Keys keys;
    keys.externalId = normalizedExternalId(external.toByteArray());
    keys.key = guid.isEmpty() ? keys.externalId : guid.toByteArray().toLower();
    return keys;
}

MailboxCacheWriter::MailboxCacheWriter(const QString& directory)
    : m_directory(directory)
    , m_path(MailboxCache::path(directory))
{
}

MailboxCacheWriter::~MailboxCacheWriter() = default;

QString MailboxCacheWriter::open()
{
    if (auto made = makeOwnerOnlyDirectory(m_directory); !made)
        return made.error().message;
    // Not synced: a file a crash cut or left with zeroed blocks is refused when read (the header's id, each line's
    // keys, the closing line, the cursor's mailbox count, then the whole merged file parsed as JSON), and the
    // scan then reads every mailbox.
    m_file = std::make_unique<OwnerOnlyFile>(m_path, OwnerOnlyFile::Durability::CheckedOnRead);
    if (auto opened = m_file->open(); !opened) {
        m_file.reset();
        return opened.error().message;
    }
    // Random, not a hash of the contents: it only says which scan wrote the file, and tells nothing about it.
    m_id = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    m_count = 0;
    m_failed = m_file->device()->write(header(m_id)) < 0;
    return {};
}

void MailboxCacheWriter::add(QByteArrayView line)
{
    if (!m_file || m_failed)
        return;
    QIODevice* device = m_file->device();
    if (m_count > 0 && !device->putChar(','))
        m_failed = true;
    m_failed = m_failed || device->write(line.data(), line.size()) != line.size() || !device->putChar('\n');
    ++m_count;
}

void MailboxCacheWriter::addWritten(QByteArrayView lines, qint64 records)
{
    Q_ASSERT(m_count > 0 && lines.startsWith(',') && lines.endsWith('\n'));
    if (!m_file || m_failed)
        return;
    m_failed = m_file->device()->write(lines.data(), lines.size()) != lines.size();
    m_count += records;
}

QString MailboxCacheWriter::commit()
{
    if (!m_file)
        return u"the mailbox cache %1 was not opened"_s.arg(QDir::toNativeSeparators(m_path));
    if (m_failed || m_file->device()->write("]}\n") != 3)
        return u"Writing %1 failed: %2."_s.arg(QDir::toNativeSeparators(m_path), m_file->device()->errorString());
    const FileResult<void> committed = m_file->commit();
    m_file.reset();
    return committed ? QString() : committed.error().message;
}

QString checkMailboxCacheHeader(const QString& directory, const ExoRescanCursor& cursor)
{
    const QString path = MailboxCache::path(directory);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return u"the kept mailboxes %1 cannot be read (%2)"_s.arg(QDir::toNativeSeparators(path), file.errorString());
    if (file.readLine(4096) != header(cursor.cacheId))
        return u"the kept mailboxes %1 are not those of the kept scan (another scan's, or damaged)"_s.arg(
            QDir::toNativeSeparators(path));
    return {};
}

Result<MailboxMergeCounts> mergeMailboxCache(const QString& directory, const ExoRescanCursor& cursor,
                                             const MailboxChanges& changes, MailboxCacheWriter& out)
{
    const QString path = MailboxCache::path(directory);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return cacheError(path, 0, u"cannot read the kept mailboxes: "_s + file.errorString());
    // Mapped, not read line by line: the kept mailboxes are most of the file and are copied in runs as they are.
    QByteArray readInstead;
    const uchar* mapped = file.size() > 0 ? file.map(0, file.size()) : nullptr;
    if (!mapped)
        readInstead = file.readAll();
    const QByteArrayView bytes = mapped ? QByteArrayView(reinterpret_cast<const char*>(mapped), file.size())
                                        : QByteArrayView(readInstead);
    const QByteArray expectedHeader = header(cursor.cacheId);
    if (!bytes.startsWith(expectedHeader))
        return cacheError(path, 1, u"not the mailboxes of the kept scan (another scan's, or damaged)"_s);
    // The changed mailboxes first, in key order, then the kept ones in their kept order: the same changes give
    // the same file, and a rescan lists what changed first, as an incremental AD read does.
    const QList<QByteArray> changedKeys = keysInMergeOrder(changes);
    for (const QByteArray& key : changedKeys)
        out.add(changes.lines.value(key));
    MailboxMergeCounts counts;
    QSet<QByteArray> replaced;
    qint64 lineNumber = 1;
    qint64 records = 0;
    bool ended = false;
    // A run of kept lines not yet written: [runStart, runEnd) of bytes, each line ",{…}\n" as the writer's own.
    qsizetype runStart = 0;
    qsizetype runEnd = 0;
    qint64 runRecords = 0;
    const auto writeRun = [&] {
        if (runRecords > 0)
            out.addWritten(bytes.sliced(runStart, runEnd - runStart), runRecords);
        runRecords = 0;
    };
    qsizetype at = expectedHeader.size();
    while (at < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', at);
        ++lineNumber;
        if (ended)
            return cacheError(path, lineNumber, u"text after the end of the kept mailboxes"_s);
        if (newline < 0)
            return cacheError(path, lineNumber, u"the kept mailboxes end mid-way"_s);
        const qsizetype lineStart = at;
        at = newline + 1;
        QByteArrayView text = bytes.sliced(lineStart, newline - lineStart);
        if (text == "]}") {
            ended = true;
            continue;
        }
        const bool continued = records > 0; // every line but the first starts with its separator
        if (continued) {
            if (!text.startsWith(','))
                return cacheError(path, lineNumber, u"a kept mailbox line is damaged"_s);
            text = text.sliced(1);
        }
        const std::optional<MailboxCache::Keys> keys = MailboxCache::keysOf(text);
        if (!keys)
            return cacheError(path, lineNumber, u"a kept mailbox line is damaged"_s);
        ++records;
        if (changes.lines.contains(keys->key)) {
            writeRun();
            replaced.insert(keys->key);
            ++counts.replaced;
            counts.keptItems.push_back(false);
        } else if (!keys->externalId.isEmpty() && changes.removedExternalIds.contains(keys->externalId)) {
            writeRun();
            ++counts.removed;
            counts.keptItems.push_back(false);
        } else if (continued && (out.count() > 0 || runRecords > 0)) {
            if (runRecords == 0)
                runStart = lineStart;
            runEnd = at;
            ++runRecords;
            ++counts.kept;
            counts.keptItems.push_back(true);
        } else { // the new file's first line: written without its separator
            out.add(text);
            ++counts.kept;
            counts.keptItems.push_back(true);
        }
    }
    writeRun();
    if (!ended)
        return cacheError(path, lineNumber, u"the kept mailboxes end mid-way"_s);
    if (records != cursor.mailboxes)
        return cacheError(path, lineNumber,
                          u"%1 mailboxes kept where the kept scan read %2"_s.arg(records).arg(cursor.mailboxes));
    counts.added = qint64(changedKeys.size() - replaced.size());
    return counts;
}

Result<Snapshot> readKeptMailboxes(QFile& file, const GraphDirectory* graph)
{
    const QString path = file.fileName();
    if (!file.isOpen())
        return cacheError(path, 0, u"cannot read the kept mailboxes: "_s + file.errorString());
    const uchar* mapped = file.size() > 0 ? file.map(0, file.size()) : nullptr;
    if (!mapped)
        return cacheError(path, 0, u"cannot read the kept mailboxes: "_s + file.errorString());
    // The records own their values: the mapping may go with the file.
    return readExoMailboxesJson(QByteArrayView(reinterpret_cast<const char*>(mapped), file.size()), path, graph);
}

Result<std::optional<Snapshot>> mergeKeptMailboxes(Snapshot kept, const MailboxMergeCounts& counts,
                                                   const MailboxChanges& changes, const QString& source,
                                                   const GraphDirectory* graph)
{
    if (kept.records.size() != counts.keptItems.size())
        return std::optional<Snapshot>();
    QByteArray changedArray = "[";
    for (const QByteArray& key : keysInMergeOrder(changes)) {
        if (changedArray.size() > 1)
            changedArray += ',';
        changedArray += changes.lines.value(key);
    }
    changedArray += ']';
    Result<Snapshot> merged = readExoMailboxesJson(changedArray, source, graph);
    if (!merged)
        return merged.error();
    Snapshot& snapshot = merged.value();
    snapshot.records.reserve(snapshot.records.size() + size_t(counts.kept));
    for (size_t i = 0; i < kept.records.size(); ++i) {
        if (!counts.keptItems[i])
            continue;
        snapshot.newestChangeMsecs = std::max(snapshot.newestChangeMsecs, kept.records[i].whenChangedMsecs());
        snapshot.records.push_back(std::move(kept.records[i]));
    }
    return std::optional<Snapshot>(std::move(snapshot));
}

} // namespace sunset
