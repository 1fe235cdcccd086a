// SPDX-License-Identifier: Apache-2.0
#include "AdKeptEntries.h"

#include "ProxyAddress.h"

#include <QtEndian>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr QByteArrayView kMagic = "SUNSET-AD-ENTRIES 1\n";
constexpr qsizetype kFlushBytes = 1 << 20;

void appendU32(QByteArray& out, quint32 value)
{
    const quint32 le = qToLittleEndian(value);
    out.append(reinterpret_cast<const char*>(&le), sizeof le);
}

// Reads the fields of one record, never past its end.
class RecordCursor final {
public:
    explicit RecordCursor(QByteArrayView bytes) : m_bytes(bytes) {}
    bool u32(quint32& value)
    {
        if (m_bytes.size() - m_at < 4)
            return false;
        value = qFromLittleEndian<quint32>(m_bytes.data() + m_at);
        m_at += 4;
        return true;
    }
    bool bytes(QByteArrayView& out)
    {
        quint32 size = 0;
        if (!u32(size) || quint64(m_bytes.size() - m_at) < size)
            return false;
        out = m_bytes.sliced(m_at, size);
        m_at += size;
        return true;
    }
    bool atEnd() const { return m_at == m_bytes.size(); }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
};

bool hasGuid(const LdifEntry& entry)
{
    return std::any_of(entry.attributes.begin(), entry.attributes.end(), [](const LdifAttribute& a) {
        return equalsCaseInsensitive(a.name, "objectGUID") && a.value.size() == 16;
    });
}

// One entry as a record: u32 size of the rest | u32 DN size | DN | u32 value count | (u32 name size | name |
// u32 value size | value)...
void appendRecord(QByteArray& out, const LdifEntry& entry)
{
    const qsizetype start = out.size();
    appendU32(out, 0); // the record's size, filled in below
    appendU32(out, quint32(entry.dn.size()));
    out.append(entry.dn);
    appendU32(out, quint32(entry.attributes.size()));
    for (const LdifAttribute& attribute : entry.attributes) {
        appendU32(out, quint32(attribute.name.size()));
        out.append(attribute.name);
        appendU32(out, quint32(attribute.value.size()));
        out.append(attribute.value);
    }
    qToLittleEndian(quint32(out.size() - start - 4), out.data() + start);
}

// Hands out the records of data from `at` to `end`, each decoded into an entry; their sizes must have been
// checked to stay inside data. `name` and the records' numbers (the first is `number` + 1) name them in errors.
Result<void> readRecords(QByteArrayView data, qsizetype at, qsizetype end, qint64 number, const QString& name,
                         const std::function<Result<void>(const LdifEntry&, QByteArrayView)>& onEntry)
{
    std::vector<LdifAttribute> attributes;
    while (at < end) {
        ++number;
        const quint32 size = qFromLittleEndian<quint32>(data.data() + at);
        const QByteArrayView record = data.sliced(at, 4 + qsizetype(size));
        at += record.size();
        RecordCursor fields(record.sliced(4));
        LdifEntry entry;
        entry.line = number;
        quint32 count = 0;
        bool ok = fields.bytes(entry.dn) && fields.u32(count) && count <= quint32(LdifReader::kMaxValuesPerEntry);
        attributes.resize(ok ? count : 0);
        for (LdifAttribute& attribute : attributes) {
            ok = ok && fields.bytes(attribute.name) && fields.bytes(attribute.value);
            attribute.line = number;
        }
        if (!ok || !fields.atEnd())
            return ImportError{name, number, {}, u"kept entry %1 is damaged"_s.arg(number)};
        entry.attributes = attributes;
        if (auto handled = onEntry(entry, record); !handled)
            return handled;
    }
    return {};
}

} // namespace

// Not synced: open() checks the digest and the record count the cursor holds, so a file a crash cut reads as
// damaged, and the scan then reads in full.
AdKeptEntriesWriter::AdKeptEntriesWriter(const QString& path) : m_file(path, OwnerOnlyFile::Durability::CheckedOnRead)
{
}

Expected<void, QString> AdKeptEntriesWriter::open()
{
    if (auto opened = m_file.open(); !opened)
        return opened.error().message;
    m_buffer.reserve(kFlushBytes + 64 * 1024);
    m_buffer.append(kMagic);
    return {};
}

void AdKeptEntriesWriter::write(const LdifEntry& entry)
{
    if (m_withoutGuid.isEmpty() && !hasGuid(entry))
        m_withoutGuid = QString::fromUtf8(entry.dn);
    appendRecord(m_buffer, entry);
    ++m_entries;
    flushIfFull();
}

void AdKeptEntriesWriter::writeRecords(const AdEntryRecords& records)
{
    if (m_withoutGuid.isEmpty())
        m_withoutGuid = records.withoutGuid();
    m_buffer.append(records.bytes());
    m_entries += records.size();
    flushIfFull();
}

void AdKeptEntriesWriter::writeRecord(QByteArrayView record)
{
    m_buffer.append(record);
    ++m_entries;
    flushIfFull();
}

void AdKeptEntriesWriter::flushIfFull()
{
    if (m_buffer.size() >= kFlushBytes)
        flush();
}

void AdKeptEntriesWriter::flush()
{
    m_hash.addData(m_buffer);
    if (!m_failed && m_file.device()->write(m_buffer) != m_buffer.size())
        m_failed = true;
    m_buffer.resize(0); // keeps the capacity
}

Expected<void, QString> AdKeptEntriesWriter::commit(QByteArray& sha256)
{
    if (!m_withoutGuid.isEmpty())
        return u"%1 has no objectGUID to merge changes by"_s.arg(m_withoutGuid);
    flush();
    if (m_failed)
        return m_file.device()->errorString();
    if (auto committed = m_file.commit(); !committed)
        return committed.error().message;
    sha256 = m_hash.result().toHex();
    return {};
}

Expected<void, QString> AdKeptEntries::open(const QByteArray& expectedSha256, qint64 expectedEntries)
{
    if (!m_file.open(QIODevice::ReadOnly))
        return u"the kept entries %1 cannot be read (%2)"_s.arg(m_file.fileName(), m_file.errorString());
    if (m_file.size() > 0) {
        const uchar* bytes = m_file.map(0, m_file.size());
        if (!bytes)
            return u"the kept entries %1 cannot be read (%2)"_s.arg(m_file.fileName(), m_file.errorString());
        m_data = QByteArrayView(reinterpret_cast<const char*>(bytes), m_file.size());
    }
    if (Sha256Digest::hash(m_data).toHex() != expectedSha256)
        return u"the kept entries %1 are damaged (their SHA-256 is not the one the cursor recorded)"_s.arg(
            m_file.fileName());
    // The records' count, in one pass over their sizes: read() then needs no check of the file's end.
    qint64 records = 0;
    if (!m_data.startsWith(kMagic))
        return u"the kept entries %1 are not Sunset's (no header)"_s.arg(m_file.fileName());
    for (qsizetype at = kMagic.size(); at < m_data.size(); ++records) {
        if (m_data.size() - at < 4)
            return u"the kept entries %1 end mid-way"_s.arg(m_file.fileName());
        const quint32 size = qFromLittleEndian<quint32>(m_data.data() + at);
        if (quint64(m_data.size() - at - 4) < size)
            return u"the kept entries %1 end mid-way"_s.arg(m_file.fileName());
        at += 4 + qsizetype(size);
    }
    if (records != expectedEntries)
        return u"the kept entries %1 hold %2 entries where the cursor recorded %3"_s.arg(m_file.fileName())
            .arg(records)
            .arg(expectedEntries);
    return {};
}

Result<void> AdKeptEntries::read(const EntryHandler& onEntry) const
{
    // The sizes were checked by open().
    return readRecords(m_data, kMagic.size(), m_data.size(), 0, m_file.fileName(), onEntry);
}

void AdEntryRecords::add(const LdifEntry& entry)
{
    if (m_withoutGuid.isEmpty() && !hasGuid(entry))
        m_withoutGuid = QString::fromUtf8(entry.dn);
    appendRecord(m_bytes, entry);
    ++m_count;
}

Result<void> AdEntryRecords::read(const std::function<Result<void>(const LdifEntry& entry)>& onEntry) const
{
    return readRecords(m_bytes, 0, m_bytes.size(), 0, m_name,
                       [&](const LdifEntry& entry, QByteArrayView) { return onEntry(entry); });
}

} // namespace sunset
