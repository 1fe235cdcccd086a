// SPDX-License-Identifier: Apache-2.0
#include "LdifReader.h"

#include <QStringDecoder>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kProgressInterval = qint64(1) << 20;
constexpr qsizetype kQuoteLimit = 60;

// RFC 2849 AttributeDescription: letters, digits, '-', options after ';'. Range options add '=' and '*';
// '.' for OIDs; '_' is not legal but harmless, and some exporters write it.
constexpr std::array<bool, 256> kNameChar = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[size_t(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                       || c == ';' || c == '.' || c == '=' || c == '*' || c == '_';
    return t;
}();

// How many bytes from p on are attribute-name characters (the scan stops at the colon, which is not one).
qsizetype nameLength(const char* p, qsizetype size)
{
    qsizetype i = 0;
#if defined(__SSE2__)
    // Sixteen bytes at a time: letters (either case), digits, and - . ; = * _ .
    const auto within = [](__m128i v, char low, char count) { // low <= v < low + count, unsigned
        const __m128i x = _mm_sub_epi8(v, _mm_set1_epi8(low));
        return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(char(count - 1))), x);
    };
    while (size - i >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
        const __m128i digit = within(v, '0', 10);
        const __m128i dashDot = within(v, '-', 2);
        const __m128i other = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')),
                                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('='))),
                                           _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('*')),
                                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
        const __m128i ok = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(dashDot, other));
        const unsigned mask = unsigned(_mm_movemask_epi8(ok));
        if (mask != 0xffff)
            return i + __builtin_ctz(~mask);
        i += 16;
    }
#endif
    while (i < size && kNameChar[static_cast<unsigned char>(p[i])])
        ++i;
    return i;
}

// The first '\n' at or after p, or end. Lines are short (a few dozen bytes), so this runs inline rather than as
// a memchr call per line.
const char* findNewline(const char* p, const char* end)
{
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n');
    while (end - p >= 16) {
        const int mask =
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), newline));
        if (mask != 0)
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
    while (p < end && *p != '\n')
        ++p;
    return p;
}

char asciiLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView lowerCaseB)
{
    if (a.size() != lowerCaseB.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != lowerCaseB[i])
            return false;
    return true;
}

constexpr std::array<qint8, 256> kBase64Values = [] {
    std::array<qint8, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 26; ++i) {
        t[size_t('A' + i)] = qint8(i);
        t[size_t('a' + i)] = qint8(26 + i);
    }
    for (int i = 0; i < 10; ++i)
        t[size_t('0' + i)] = qint8(52 + i);
    t[size_t('+')] = 62;
    t[size_t('/')] = 63;
    return t;
}();

qint8 base64Value(char c)
{
    return kBase64Values[static_cast<unsigned char>(c)];
}

// Strict: whole quads, padding only at the very end. Returns the decoded size, or -1.
qsizetype decodeBase64(const char* in, qsizetype size, char* out)
{
    if (size % 4 != 0)
        return -1;
    const auto* u = reinterpret_cast<const unsigned char*>(in);
    qsizetype o = 0;
    // Whole quads without padding: one check of the four values together.
    const qsizetype plain = size == 0 ? 0 : (in[size - 1] == '=' ? size - 4 : size);
    for (qsizetype i = 0; i < plain; i += 4) {
        const int a = kBase64Values[u[i]], b = kBase64Values[u[i + 1]];
        const int c = kBase64Values[u[i + 2]], d = kBase64Values[u[i + 3]];
        if ((a | b | c | d) < 0)
            return -1;
        const quint32 bits = quint32(a) << 18 | quint32(b) << 12 | quint32(c) << 6 | quint32(d);
        out[o] = char(bits >> 16);
        out[o + 1] = char(bits >> 8);
        out[o + 2] = char(bits);
        o += 3;
    }
    if (plain == size)
        return o;
    // The last quad ends in padding: "xx==" or "xxx=".
    const qsizetype i = plain;
    const int a = base64Value(in[i]);
    const int b = base64Value(in[i + 1]);
    const char c2 = in[i + 2];
    if (a < 0 || b < 0)
        return -1;
    if (c2 == '=') {
        out[o++] = char((a << 2) | (b >> 4));
        return o;
    }
    const int c = base64Value(c2);
    if (c < 0)
        return -1;
    out[o++] = char((a << 2) | (b >> 4));
    out[o++] = char(((b & 0xf) << 4) | (c >> 2));
    return o;
}

QString quoted(QByteArrayView text)
{
    return quotedForMessage(text);
}

bool isResultRecordName(QByteArrayView name)
{
    // What ldapsearch without -L prints after the entries (and after each page with paged results).
    for (QByteArrayView known : {QByteArrayView("search"), QByteArrayView("result"), QByteArrayView("matcheddn"),
                                 QByteArrayView("text"), QByteArrayView("ref"), QByteArrayView("control")})
        if (equalsIgnoringCase(name, known))
            return true;
    return false;
}

} // namespace

QString quotedForMessage(QByteArrayView text)
{
    const bool cut = text.size() > kQuoteLimit;
    if (cut) {
        qsizetype n = kQuoteLimit;
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80)
            --n;
        text = text.first(n);
    }
    QString result = u"\""_s;
    result += QString::fromUtf8(text);
    result += cut ? u"…\""_s : u"\""_s;
    return result;
}

LdifReader::LdifReader(QByteArrayView data, QString fileName)
    : m_fileName(std::move(fileName))
    , m_data(data)
    , m_inputSize(data.size())
{
    const auto byte = [&](qsizetype i) { return i < data.size() ? static_cast<unsigned char>(data[i]) : 0; };
    if (byte(0) == 0xef && byte(1) == 0xbb && byte(2) == 0xbf) {
        m_skippedPrefix = 3;
        m_data = data.sliced(3);
    } else if ((byte(0) == 0xff && byte(1) == 0xfe) || (byte(0) == 0xfe && byte(1) == 0xff)) {
        // ldifde -u writes UTF-16LE with a BOM. Converting up front keeps the parser byte-oriented.
        // In slices, so that the peak is about the UTF-8 size rather than input + QString + UTF-8.
        constexpr qsizetype kSlice = qsizetype(4) << 20;
        QStringDecoder decoder(byte(0) == 0xff ? QStringDecoder::Utf16LE : QStringDecoder::Utf16BE);
        m_converted.reserve(data.size() / 2 + 16);
        for (qsizetype at = 2; at < data.size(); at += kSlice)
            m_converted += QString(decoder.decode(data.sliced(at, std::min(kSlice, data.size() - at)))).toUtf8();
        if (decoder.hasError())
            m_setupError = u"the file starts with a UTF-16 byte-order mark but is not valid UTF-16"_s;
        m_data = m_converted;
    }
}

ImportError LdifReader::lineTooLong(qint64 line) const
{
    return error(line, u"the line is longer than %1 MiB, the most Sunset reads as one attribute line (folding "
                       "undone); an AD export has no such values. Is this an LDIF export, undamaged?"_s.arg(
                           kMaxLineBytes / (1024 * 1024)));
}

ImportError LdifReader::error(qint64 line, QString message) const
{
    return ImportError{m_fileName, line, {}, std::move(message)};
}

qint64 LdifReader::consumedInputBytes() const
{
    if (m_converted.isEmpty() && m_skippedPrefix == 0)
        return m_pos;
    if (!m_converted.isEmpty()) // proportional: UTF-16 and UTF-8 sizes differ, the caller counts file bytes
        return m_inputSize * qint64(m_pos) / qint64(m_data.size());
    return m_skippedPrefix + m_pos;
}

qsizetype LdifReader::physicalLineEnd(qsizetype start, qsizetype& next) const
{
    const char* base = m_data.data();
    const char* const dataEnd = base + m_data.size();
    const char* newline = findNewline(base + start, dataEnd);
    qsizetype end = newline - base;
    next = newline != dataEnd ? end + 1 : end;
    if (end > start && base[end - 1] == '\r')
        --end;
    return end;
}

Result<void> LdifReader::nextLine(LineKind& kind, Line& line)
{
    const char* base = m_data.data();
    const qsizetype size = m_data.size();
    for (;;) {
        if (m_pos >= size) {
            kind = LineKind::End;
            return {};
        }
        const qsizetype start = m_pos;
        const qint64 number = m_lineNumber;
        qsizetype next = 0;
        const qsizetype end = physicalLineEnd(start, next);
        m_pos = next;
        ++m_lineNumber;
        if (end == start) {
            kind = LineKind::Blank;
            line.number = number;
            return {};
        }
        if (base[start] == ' ') {
            return error(number, u"expected an attribute line or a blank line but found a continuation line "
                                 "(starting with a space) with no line before it to continue: "_s
                                     + quoted(QByteArrayView(base + start, end - start)));
        }
        const bool comment = base[start] == '#';
        if (!comment && end - start > kMaxLineBytes)
            return lineTooLong(number);
        if (!comment && (m_pos >= size || base[m_pos] != ' ')) {
            line.text = {start, end - start, false}; // the common case: a view into the input
            line.number = number;
            kind = LineKind::Text;
            return {};
        }
        const qsizetype scratchStart = m_scratch.size();
        if (!comment)
            m_scratch.append(base + start, end - start);
        while (m_pos < size && base[m_pos] == ' ') {
            qsizetype continuationNext = 0;
            const qsizetype continuationEnd = physicalLineEnd(m_pos, continuationNext);
            if (!comment) // RFC 2849: exactly one leading space is the fold marker; any further spaces are
                          // data
                m_scratch.append(base + m_pos + 1, continuationEnd - m_pos - 1);
            m_pos = continuationNext;
            ++m_lineNumber;
            if (!comment && m_scratch.size() - scratchStart > kMaxLineBytes)
                return lineTooLong(number);
        }
        if (comment)
            continue;
        line.text = {scratchStart, m_scratch.size() - scratchStart, true};
        line.number = number;
        kind = LineKind::Text;
        return {};
    }
}

Result<void> LdifReader::parseAttribute(const Line& line, PendingAttribute& out)
{
    const QByteArrayView text = view(line.text);
    qsizetype i = nameLength(text.data(), text.size()); // stops at the colon
    if (i == text.size() || text[i] != ':') {
        if (!text.contains(':')) {
            return error(line.number,
                         u"expected \"attribute: value\" but found a line without a colon: "_s + quoted(text));
        }
        return error(line.number, u"expected an attribute name before the colon but found "_s + quoted(text));
    }
    if (i == 0)
        return error(line.number, u"expected an attribute name before the colon but found "_s + quoted(text));

    out.line = line.number;
    out.name = {line.text.offset, i, line.text.inScratch};
    ++i;
    if (i < text.size() && text[i] == '<') {
        return error(line.number,
                     u"URL values are not supported; export with the values inline (found "_s + quoted(text) + u')');
    }
    const bool base64 = i < text.size() && text[i] == ':';
    if (base64)
        ++i;
    while (i < text.size() && text[i] == ' ')
        ++i;
    qsizetype valueSize = text.size() - i;
    if (!base64) {
        out.value = {line.text.offset + i, valueSize, line.text.inScratch};
        return {};
    }

    // Spaces are not base64; trailing ones (some editors leave them) cannot change the value.
    while (valueSize > 0 && text[i + valueSize - 1] == ' ')
        --valueSize;
    // Decoded behind everything else in m_scratch (the text itself may be there, folded): pointers are taken
    // after the resize, and the text stays intact for the error message.
    const qsizetype outOffset = m_scratch.size();
    m_scratch.resize(outOffset + valueSize / 4 * 3 + 3);
    char* target = m_scratch.data() + outOffset;
    const char* in = (line.text.inScratch ? m_scratch.constData() : m_data.data()) + line.text.offset + i;
    const qsizetype decoded = decodeBase64(in, valueSize, target);
    m_scratch.resize(outOffset + std::max<qsizetype>(decoded, 0));
    if (decoded < 0) {
        const QByteArrayView name = view(line.text).first(out.name.size); // text may point into the old buffer
        return error(line.number, u"expected base64 after \""_s + QString::fromUtf8(name) + u"::\" but found "_s
                                      + quoted(view(line.text).sliced(i, valueSize)));
    }
    out.value = {outOffset, decoded, true};
    return {};
}

Result<void> LdifReader::read(const EntryHandler& onEntry, const ReadProgress& progress)
{
    if (!m_setupError.isEmpty())
        return error(0, m_setupError);
    m_pos = 0;
    m_lineNumber = 1;
    qsizetype lastReport = 0;
    bool atFileStart = true;
    for (;;) {
        // Between records nothing of the input is referenced any more: progress may release it here.
        if (progress && m_pos - lastReport >= kProgressInterval) {
            lastReport = m_pos;
            if (!progress(consumedInputBytes()))
                return error(0, u"cancelled"_s);
        }
        m_scratch.clear(); // keeps the capacity

        LineKind kind = LineKind::End;
        Line first;
        if (auto lineRead = nextLine(kind, first); !lineRead)
            return lineRead;
        if (kind == LineKind::End)
            break;
        if (kind == LineKind::Blank)
            continue;

        PendingAttribute attribute;
        if (auto parsed = parseAttribute(first, attribute); !parsed)
            return parsed;
        const QByteArrayView name = view(attribute.name);
        if (std::exchange(atFileStart, false) && equalsIgnoringCase(name, QByteArrayView("version"))) {
            if (view(attribute.value) != QByteArrayView("1")) {
                return error(first.number, u"expected \"version: 1\" but found "_s + quoted(view(first.text)));
            }
            continue;
        }
        if (equalsIgnoringCase(name, QByteArrayView("dn"))) {
            if (auto entryRead = readEntry(attribute, onEntry); !entryRead)
                return entryRead;
        } else if (isResultRecordName(name)) {
            if (auto skipped = skipResultRecord(attribute); !skipped)
                return skipped;
        } else {
            return error(first.number, u"expected a record starting with \"dn: <distinguished name>\" but found "_s
                                           + quoted(view(first.text)));
        }
    }
    if (progress && !progress(consumedInputBytes()))
        return error(0, u"cancelled"_s);
    return {};
}

Result<void> LdifReader::readEntry(const PendingAttribute& dn, const EntryHandler& onEntry)
{
    m_pending.clear();
    const char* const base = m_data.data();
    const char* const dataEnd = base + m_data.size();
    for (;;) {
        LineKind kind = LineKind::End;
        Line line;
        const char* const p = base + m_pos;
        const char* newline = p < dataEnd ? findNewline(p, dataEnd) : nullptr;
        // No arithmetic on the null newline of the input's end (UB; found by tests/fuzz FuzzLdif).
        const char* const next = !newline ? nullptr : newline == dataEnd ? dataEnd : newline + 1;
        if (newline && *p != ' ' && *p != '#' && (next == dataEnd || *next != ' ')) {
            // The common line, read here rather than by nextLine(): one physical line, no comment, no folding.
            if (newline > p && newline[-1] == '\r')
                --newline;
            m_pos = next - base;
            if (newline == p) { // blank: the entry ends
                ++m_lineNumber;
                break;
            }
            if (newline - p > kMaxLineBytes)
                return lineTooLong(m_lineNumber);
            line = {{p - base, newline - p, false}, m_lineNumber++};
        } else {
            if (auto lineRead = nextLine(kind, line); !lineRead)
                return lineRead;
            if (kind != LineKind::Text)
                break;
        }
        PendingAttribute attribute;
        if (auto parsed = parseAttribute(line, attribute); !parsed)
            return parsed;
        const QByteArrayView name = view(attribute.name);
        if (equalsIgnoringCase(name, QByteArrayView("dn"))) {
            return error(line.number, u"expected a blank line before the next \"dn:\" (records are separated "
                                      "by blank lines) but found "_s
                                          + quoted(view(line.text)));
        }
        if (equalsIgnoringCase(name, QByteArrayView("changetype"))) {
            const QByteArrayView type = view(attribute.value);
            if (type.size() == 3 && equalsIgnoringCase(type, QByteArrayView("add")))
                continue; // ldifde writes every exported entry as an add
            return error(line.number, u"this is a change file, not an export: expected content records but found "_s
                                          + quoted(view(line.text))
                                          + u". Export with ldifde -f or ldapsearch -LLL instead."_s);
        }
        if (qsizetype(m_pending.size()) >= kMaxValuesPerEntry) {
            return error(line.number, u"the entry %1 has more than %2 values; Sunset reads at most that many "
                                      "per entry (AD itself hands out 1,500 per range). Is the file damaged? "
                                      "Export the mailboxes again."_s.arg(quotedForMessage(view(dn.value)))
                                          .arg(kMaxValuesPerEntry));
        }
        m_pending.push_back(attribute);
    }

    // m_scratch has stopped growing: now the views can be made.
    m_attributes.clear();
    for (const PendingAttribute& p : m_pending)
        m_attributes.push_back({view(p.name), view(p.value), p.line});
    const LdifEntry entry{view(dn.value), dn.line, m_attributes};
    Result<void> handled = onEntry(entry);
    if (handled || !handled.error().file.isEmpty())
        return handled;
    ImportError failure = handled.error();
    failure.file = m_fileName;
    return failure;
}

Result<void> LdifReader::checkResultLine(const PendingAttribute& attribute) const
{
    if (!equalsIgnoringCase(view(attribute.name), QByteArrayView("result")))
        return {};
    const QByteArrayView value = view(attribute.value);
    if (value == QByteArrayView("0") || value.startsWith(QByteArrayView("0 ")))
        return {};
    // e.g. "result: 4 Size limit exceeded": the entries above are only part of what was asked for.
    return error(attribute.line, u"ldapsearch reported "_s + quoted(QByteArray("result: ").append(value))
                                     + u": the export is incomplete. Re-run it with paged results "
                                       "(ldapsearch -E pr=1000/noprompt) or use ldifde."_s);
}

Result<void> LdifReader::skipResultRecord(const PendingAttribute& first)
{
    if (auto checked = checkResultLine(first); !checked)
        return checked;
    for (;;) {
        LineKind kind = LineKind::End;
        Line line;
        if (auto lineRead = nextLine(kind, line); !lineRead)
            return lineRead;
        if (kind != LineKind::Text)
            return {};
        PendingAttribute attribute;
        if (auto parsed = parseAttribute(line, attribute); !parsed)
            return parsed;
        if (!isResultRecordName(view(attribute.name))) {
            return error(line.number, u"expected only search:/result: lines in ldapsearch's result record but "
                                      "found "_s
                                          + quoted(view(line.text)));
        }
        if (auto checked = checkResultLine(attribute); !checked)
            return checked;
    }
}

} // namespace sunset
