// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace sunset {

// One "name: value" line of an LDIF content record.
struct LdifAttribute {
    QByteArrayView name;  // as written, options included: "proxyAddresses;range=0-1499"
    QByteArrayView value; // decoded: base64 undone, folding removed, CR stripped; trailing spaces kept
    qint64 line = 0;      // 1-based line where the attribute starts
};

// One directory entry. The views are only valid during the callback that receives it.
struct LdifEntry {
    QByteArrayView dn;
    qint64 line = 0; // line of the dn:
    std::span<const LdifAttribute> attributes;
};

// The offending text as an error message quotes it: in double quotes, cut at about 60 bytes.
QString quotedForMessage(QByteArrayView text);

// Reads RFC 2849 content records as written by OpenLDAP ldapsearch (-L, -LLL and plain) and Microsoft ldifde.
// Zero-copy: plain values are views into the input; only folded or base64 values are decoded, into a scratch
// buffer reused from record to record. Change records are rejected: Sunset reads exports, not change files.
class LdifReader final {
public:
    // Called per entry. Returning an error stops the read with that error (its file is filled in if empty).
    using EntryHandler = std::function<Result<void>(const LdifEntry&)>;

    // data: the whole file, e.g. memory-mapped by the caller. Must outlive the reader. A UTF-16 file with a
    // byte-order mark (ldifde -u) is converted to UTF-8 here, into a buffer the reader owns.
    LdifReader(QByteArrayView data, QString fileName);

    // Bounds that keep a damaged or hostile file from costing unbounded time and memory, far above any real
    // export (AD hands out at most 1,500 values per range, the seeded test mailbox has 1,600 proxyAddresses):
    // a longer line or a bigger entry fails the read with an error naming the line.
    static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024; // one logical line, folding undone
    static constexpr qsizetype kMaxValuesPerEntry = 50'000;      // attribute lines (values) of one entry
    Q_DISABLE_COPY_MOVE(LdifReader) // m_data may point into m_converted

    // Reads the whole input. progress is called with the input bytes consumed about every MiB (bytes before
    // that offset are not touched again) and once at the end; returning false fails the read with
    // "cancelled".
    Result<void> read(const EntryHandler& onEntry, const ReadProgress& progress = {});

private:
    // A slice of the input or of m_scratch; offsets, because m_scratch may grow within a record.
    struct Ref {
        qsizetype offset = 0;
        qsizetype size = 0;
        bool inScratch = false;
    };
    struct Line {
        Ref text;          // the logical line: folding undone, CR stripped
        qint64 number = 0; // of its first physical line
    };
    struct PendingAttribute {
        Ref name;
        Ref value;
        qint64 line = 0;
    };
    enum class LineKind : quint8 { End, Blank, Text };

    Result<void> nextLine(LineKind& kind, Line& line);
    ImportError lineTooLong(qint64 line) const;
    qsizetype physicalLineEnd(qsizetype start, qsizetype& next) const;
    Result<void> parseAttribute(const Line& line, PendingAttribute& out);
    Result<void> readEntry(const PendingAttribute& dn, const EntryHandler& onEntry);
    Result<void> skipResultRecord(const PendingAttribute& first);
    Result<void> checkResultLine(const PendingAttribute& attribute) const;
    QByteArrayView view(Ref ref) const
    {
        return {(ref.inScratch ? m_scratch.constData() : m_data.data()) + ref.offset, ref.size};
    }
    ImportError error(qint64 line, QString message) const;
    qint64 consumedInputBytes() const;

    QString m_fileName;
    QByteArray m_converted;     // UTF-8 copy of a UTF-16 input
    QByteArrayView m_data;      // what is parsed: the input without BOM, or m_converted
    qint64 m_inputSize = 0;     // of the caller's data, for progress
    qint64 m_skippedPrefix = 0; // UTF-8 BOM
    QString m_setupError;       // the input could not be converted

    qsizetype m_pos = 0;
    qint64 m_lineNumber = 1; // of the physical line at m_pos
    // Decoded values of the current record. Grows, never shrinks, and never calls out of line per value.
    class Scratch {
    public:
        qsizetype size() const { return m_size; }
        const char* constData() const { return m_bytes.data(); }
        char* data() { return m_bytes.data(); }
        void clear() { m_size = 0; }
        void resize(qsizetype size)
        {
            if (size_t(size) > m_bytes.size())
                m_bytes.resize(std::max(size_t(size), m_bytes.size() * 2 + 256));
            m_size = size;
        }
        void append(const char* bytes, qsizetype count)
        {
            const qsizetype at = m_size;
            resize(at + count);
            if (count > 0)
                std::memcpy(m_bytes.data() + at, bytes, size_t(count));
        }

    private:
        std::vector<char> m_bytes;
        qsizetype m_size = 0;
    };
    Scratch m_scratch;
    std::vector<PendingAttribute> m_pending;
    std::vector<LdifAttribute> m_attributes;
};

} // namespace sunset
