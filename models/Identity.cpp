#include "Identity.h"

#include <QDateTime>
#include <cctype>

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
    QByteArray text = "S-1-" + QByteArray::number(authority);
    for (int i = 0; i < count; ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(b.data() + 8 + 4 * i);
        const quint32 sub = quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24;
        text += '-' + QByteArray::number(sub);
    }
    return text;
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

std::optional<QByteArray> guidToText(QByteArrayView b)
{
    if (b.size() != 16)
        return std::nullopt;
    // Guid.ToByteArray(): Data1 (4 bytes), Data2 and Data3 (2 bytes each) little-endian, Data4 as is.
    static constexpr int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    QByteArray text;
    text.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            text += '-';
        text += QByteArray(1, b[order[i]]).toHex();
    }
    return text;
}

std::optional<QByteArray> guidFromText(QByteArrayView text)
{
    QByteArray hex = text.trimmed().toByteArray();
    if (hex.startsWith('{') && hex.endsWith('}'))
        hex = hex.mid(1, hex.size() - 2);
    if (hex.size() != 36 || hex[8] != '-' || hex[13] != '-' || hex[18] != '-' || hex[23] != '-')
        return std::nullopt;
    hex.replace("-", "");
    for (char c : hex)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
    const QByteArray raw = QByteArray::fromHex(hex);
    static constexpr int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    QByteArray b(16, '\0');
    for (int i = 0; i < 16; ++i)
        b[order[i]] = raw[i];
    return b;
}

QByteArray sourceAnchorOf(QByteArrayView guidBytes) { return guidBytes.toByteArray().toBase64(); }

std::optional<QByteArray> normalizeExternalDirectoryObjectId(QByteArrayView value)
{
    QByteArrayView v = value.trimmed();
    const qsizetype underscore = v.indexOf('_');
    if (underscore >= 0 && underscore < 16)
        v = v.sliced(underscore + 1); // "User_", "Group_", "Contact_"
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
    return utcMsecs(QDate(y, mo, d), QTime(h, mi, s));
}

std::optional<qint64> parseCloudTimestamp(QByteArrayView text)
{
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
