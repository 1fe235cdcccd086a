// SPDX-License-Identifier: Apache-2.0
#include "Identity.h"

#include "ByteText.h"

#include <QDateTime>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <iterator>

namespace sunset {

std::optional<QByteArray> sidToText(QByteArrayView b)
{
    if (b.size() < 8)
        return std::nullopt;
    const int revision = static_cast<unsigned char>(b[0]);
    const int count = static_cast<unsigned char>(b[1]);
    if (revision != 1 || count > 15 || b.size() != 8 + 4 * count)
        return std::nullopt;
    quint64 authority = 0;
    for (int i = 2; i < 8; ++i)
        authority = (authority << 8) | static_cast<unsigned char>(b[i]);
    // Formatted into one stack buffer: "S-1-" + a 48-bit authority + up to 15 32-bit sub-authorities.
    char text[4 + 20 + 15 * 11];
    std::memcpy(text, "S-1-", 4);
    char* out = std::to_chars(text + 4, std::end(text), authority).ptr;
    for (int i = 0; i < count; ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(b.data() + 8 + 4 * i);
        const quint32 sub = quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24;
        *out++ = '-';
        out = std::to_chars(out, std::end(text), sub).ptr;
    }
    return QByteArray(text, out - text);
}

std::optional<QByteArray> sidFromText(QByteArrayView text)
{
    const QList<QByteArray> parts = text.toByteArray().split('-');
    if (parts.size() < 3 || parts.size() > 18 || (parts[0] != "S" && parts[0] != "s") || parts[1] != "1")
        return std::nullopt;
    bool ok = false;
    const quint64 authority = parts[2].toULongLong(&ok);
    if (!ok || authority >= (quint64(1) << 48))
        return std::nullopt;
    QByteArray b;
    b.append(char(1)).append(char(parts.size() - 3));
    for (int shift = 40; shift >= 0; shift -= 8)
        b.append(char((authority >> shift) & 0xff));
    for (qsizetype i = 3; i < parts.size(); ++i) {
        const quint32 sub = parts[i].toUInt(&ok);
        if (!ok)
            return std::nullopt;
        for (int k = 0; k < 4; ++k)
            b.append(char((sub >> (8 * k)) & 0xff));
    }
    return b;
}

namespace {

// Guid.ToByteArray(): Data1 (4 bytes), Data2 and Data3 (2 bytes each) little-endian, Data4 as is.
constexpr int kGuidByteOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
// Where the text form's hex pairs start: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
constexpr int kGuidTextPos[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

// The 36-character form with dashes at 8, 13, 18, 23 and hex digits everywhere else; braces and surrounding
// whitespace already removed. False for anything else.
bool isCanonicalGuidText(QByteArrayView t)
{
    if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-')
        return false;
    int any = 0; // a negative value anywhere makes it negative
    for (int i = 0; i < 16; ++i)
        any |= hexDigitValue(t[kGuidTextPos[i]]) | hexDigitValue(t[kGuidTextPos[i] + 1]);
    return any >= 0;
}

// text.trimmed(), then without one pair of surrounding braces: what guidFromText looks at.
QByteArrayView guidTextCore(QByteArrayView text)
{
    QByteArrayView hex = text.trimmed();
    if (hex.size() >= 2 && hex.startsWith('{') && hex.endsWith('}'))
        hex = hex.sliced(1, hex.size() - 2);
    return hex;
}

} // namespace

std::optional<QByteArray> guidToText(QByteArrayView b)
{
    if (b.size() != 16)
        return std::nullopt;
    static constexpr char kHex[] = "0123456789abcdef";
    char text[36];
    for (int i = 0; i < 16; ++i) {
        const auto byte = static_cast<unsigned char>(b[kGuidByteOrder[i]]);
        text[kGuidTextPos[i]] = kHex[byte >> 4];
        text[kGuidTextPos[i] + 1] = kHex[byte & 0xf];
    }
    text[8] = text[13] = text[18] = text[23] = '-';
    return QByteArray(text, 36);
}

std::optional<QByteArray> guidFromText(QByteArrayView text)
{
    const QByteArrayView hex = guidTextCore(text);
    if (!isCanonicalGuidText(hex))
        return std::nullopt; // 8-4-4-4-12 hex digits, nothing else
    char b[16];
    for (int i = 0; i < 16; ++i) {
        const int at = kGuidTextPos[i];
        b[kGuidByteOrder[i]] = char((hexDigitValue(hex[at]) << 4) | hexDigitValue(hex[at + 1]));
    }
    return QByteArray(b, 16);
}

QByteArray sourceAnchorOf(QByteArrayView guidBytes) { return guidBytes.toByteArray().toBase64(); }

std::optional<QByteArray> normalizeExternalDirectoryObjectId(QByteArrayView value)
{
    // The common "User_<guid>" (or a bare GUID) is read without trimming: a value starting with a printable
    // character and ending in a hex digit has no surrounding space, and only a '_' among the first 16 bytes
    // counts as the end of a prefix.
    QByteArrayView core;
    if (!value.isEmpty() && static_cast<unsigned char>(value[0]) > ' ' && hexDigitValue(value.back()) >= 0) {
        core = value;
        for (qsizetype i = 0; i < std::min<qsizetype>(value.size(), 16); ++i) {
            if (value[i] == '_') {
                core = value.sliced(i + 1);
                break;
            }
        }
    }
    QByteArrayView v = value;
    bool canonical = isCanonicalGuidText(core);
    if (!canonical) {
        v = value.trimmed();
        const qsizetype underscore = v.indexOf('_');
        if (underscore >= 0 && underscore < 16)
            v = v.sliced(underscore + 1); // "User_", "Group_", "Contact_"
        core = guidTextCore(v);
        canonical = isCanonicalGuidText(core);
    }
    if (canonical) {
        // guidFromText then guidToText: the same digits, lower case.
        char lower[36];
        for (int i = 0; i < 36; ++i) {
            const char c = core[i];
            lower[i] = (c >= 'A' && c <= 'F') ? char(c + ('a' - 'A')) : c;
        }
        return QByteArray(lower, 36);
    }
    const auto bytes = guidFromText(v);
    if (!bytes)
        return std::nullopt;
    return guidToText(*bytes);
}

namespace {

// Builds a UTC time from parts without consulting the local time zone (which would reject times that fall in a
// daylight-saving gap, and is slow).
std::optional<qint64> utcMsecs(const QDate& date, const QTime& time)
{
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::UTC).toMSecsSinceEpoch();
}

int digits(QByteArrayView t, qsizetype from, qsizetype count)
{
    int value = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(t[i])))
            return -1;
        value = value * 10 + (t[i] - '0');
    }
    return value;
}

// Like digits(), for ASCII digits only.
int asciiDigits(const char* p, int count)
{
    int value = 0;
    for (int i = 0; i < count; ++i) {
        const unsigned d = unsigned(static_cast<unsigned char>(p[i])) - '0';
        if (d > 9)
            return -1;
        value = value * 10 + int(d);
    }
    return value;
}

bool isLeapYear(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Milliseconds since the epoch of a UTC time, by arithmetic (Howard Hinnant's days_from_civil): what
// QDateTime(QDate(y, mo, d), QTime(h, mi, s), Qt::UTC).toMSecsSinceEpoch() gives, for the years 1 to 9999 that
// four digits can hold. nullopt where QDate or QTime would be invalid (year 0, Feb 30, hour 24, second 60, ...).
std::optional<qint64> civilUtcMsecs(int y, int mo, int d, int h, int mi, int s)
{
    static constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return std::nullopt;
    if (d > kDaysInMonth[mo - 1] + (mo == 2 && isLeapYear(y) ? 1 : 0))
        return std::nullopt;
    const int yy = mo <= 2 ? y - 1 : y; // y >= 1, so yy >= 0 and the divisions need no floor
    const int era = yy / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const qint64 days = qint64(era) * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * qint64(60000) + qint64(s) * 1000;
}

// "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DDTHH:MM:SS.fffffffZ" (up to 15 fraction digits), as Exchange Online
// writes WhenChangedUTC. Reads them exactly as QDateTime::fromString(Qt::ISODate) does in Qt 6.4: at most four
// fraction digits count, rounded half up to milliseconds (a rounded-up 1000 carries into the next second). nullopt for every
// other form, which then goes the general way.
std::optional<qint64> parseIsoUtcFast(QByteArrayView t)
{
    const qsizetype n = t.size();
    if (n < 20 || n > 36 || t[n - 1] != 'Z' || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':'
        || t[16] != ':')
        return std::nullopt;
    const char* p = t.data();
    const int y = asciiDigits(p, 4), mo = asciiDigits(p + 5, 2), d = asciiDigits(p + 8, 2);
    const int h = asciiDigits(p + 11, 2), mi = asciiDigits(p + 14, 2), s = asciiDigits(p + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0)
        return std::nullopt;
    int msec = 0;
    if (n > 20) {
        if (t[19] != '.' || n < 22)
            return std::nullopt;
        const int fractionDigits = int(n - 21);
        if (asciiDigits(p + 20, std::min(fractionDigits, 8)) < 0
            || (fractionDigits > 8 && asciiDigits(p + 28, fractionDigits - 8) < 0))
            return std::nullopt;
        const int used = std::min(fractionDigits, 4);
        const int fraction = asciiDigits(p + 20, used);
        static constexpr int kScale[4] = {100, 10, 1, 0};
        msec = used == 4 ? (fraction + 5) / 10 : fraction * kScale[used - 1]; // halves round up, as in Qt
    }
    const auto base = civilUtcMsecs(y, mo, d, h, mi, s);
    if (!base)
        return std::nullopt;
    return *base + msec;
}

} // namespace

std::optional<qint64> parseGeneralizedTime(QByteArrayView text)
{
    // YYYYMMDDHHMMSS[.f]Z as AD writes it; anything else is not a timestamp we trust.
    const QByteArrayView t = text.trimmed();
    if (t.size() < 15 || !t.endsWith('Z'))
        return std::nullopt;
    const int y = digits(t, 0, 4), mo = digits(t, 4, 2), d = digits(t, 6, 2);
    const int h = digits(t, 8, 2), mi = digits(t, 10, 2), s = digits(t, 12, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0)
        return std::nullopt;
    // After the seconds: "Z", or a fraction ".f…" (or ",f…") and then "Z".
    if (t.size() > 15) {
        const QByteArrayView fraction = t.sliced(15, t.size() - 16);
        if ((t[14] != '.' && t[14] != ',') || fraction.isEmpty() ||
            !std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
    }
    return civilUtcMsecs(y, mo, d, h, mi, s);
}

std::optional<qint64> parseCloudTimestamp(QByteArrayView text)
{
    if (const auto fast = parseIsoUtcFast(text.trimmed()))
        return fast;
    const QByteArray t = text.trimmed().toByteArray();
    if (t.isEmpty())
        return std::nullopt;
    if (t.startsWith("/Date(") && t.endsWith(")/")) { // Windows PowerShell 5.1 ConvertTo-Json
        QByteArray inner = t.mid(6, t.size() - 8);
        const qsizetype offset = inner.indexOf('+', 1) > 0 ? inner.indexOf('+', 1) : inner.indexOf('-', 1);
        if (offset > 0)
            inner.truncate(offset); // the ms value is UTC already; the offset is for display
        bool ok = false;
        const qint64 ms = inner.toLongLong(&ok);
        return ok ? std::optional<qint64>(ms) : std::nullopt;
    }
    QDateTime dt = QDateTime::fromString(QString::fromLatin1(t), Qt::ISODateWithMs);
    if (!dt.isValid()) {
        // .NET writes seven fractional digits ("2022-06-29T17:57:03.0000000Z"); Qt parses at most three.
        QByteArray trimmed = t;
        const qsizetype dot = trimmed.indexOf('.');
        if (dot > 0) {
            qsizetype end = dot + 1;
            while (end < trimmed.size() && std::isdigit(static_cast<unsigned char>(trimmed[end])))
                ++end;
            trimmed.remove(dot, end - dot);
        }
        dt = QDateTime::fromString(QString::fromLatin1(trimmed), Qt::ISODate);
    }
    if (!dt.isValid()) { // Export-Csv under en-US culture, no zone: taken as UTC
        const QString s = QString::fromLatin1(t);
        const qsizetype space = s.indexOf(u' ');
        if (space < 0)
            return std::nullopt;
        return utcMsecs(QDate::fromString(s.left(space), QStringLiteral("M/d/yyyy")),
                        QTime::fromString(s.mid(space + 1), QStringLiteral("h:mm:ss AP")));
    }
    if (dt.timeSpec() == Qt::LocalTime)
        return utcMsecs(dt.date(), dt.time()); // ISO without a zone: taken as UTC
    return dt.toMSecsSinceEpoch();
}

} // namespace sunset
