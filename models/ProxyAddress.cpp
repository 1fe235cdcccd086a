// SPDX-License-Identifier: Apache-2.0
#include "ProxyAddress.h"

#include "ByteText.h"

#include <QHashFunctions>
#include <QString>

namespace sunset {

namespace {

char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c; }

// Exchange prefixes are 1-9 characters of letters/digits ("SMTP", "X500", "SIP", "SPO", "EUM", "X400").
qsizetype prefixLength(QByteArrayView v)
{
    const qsizetype colon = v.indexOf(':');
    if (colon <= 0 || colon > 9)
        return -1;
    for (qsizetype i = 0; i < colon; ++i) {
        const char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return -1;
    }
    return colon;
}

} // namespace

bool equalsCaseInsensitive(QByteArrayView a, QByteArrayView b)
{
    if (a == b)
        return true; // identical bytes: the common case, and one memcmp
    if (a.size() == b.size()) {
        bool ascii = true;
        for (qsizetype i = 0; i < a.size(); ++i) {
            const char ca = a[i], cb = b[i];
            if ((static_cast<unsigned char>(ca) | static_cast<unsigned char>(cb)) >= 0x80) {
                ascii = false;
                break;
            }
            if (asciiLower(ca) != asciiLower(cb))
                return false;
        }
        if (ascii)
            return true;
    } else if (isAscii(a) && isAscii(b)) {
        return false;
    }
    return QString::fromUtf8(a).toCaseFolded() == QString::fromUtf8(b).toCaseFolded();
}

size_t hashCaseInsensitive(QByteArrayView value, size_t seed)
{
    // Qt's hash over the case-folded UTF-8 bytes. For ASCII, folding is lower-casing into a stack buffer;
    // otherwise fold through QString, so that e.g. the Kelvin sign hashes like the 'k' it equals.
    char folded[128];
    if (value.size() <= qsizetype(sizeof folded)) {
        bool ascii = true;
        for (qsizetype i = 0; i < value.size(); ++i) {
            const char c = value[i];
            ascii &= static_cast<unsigned char>(c) < 0x80;
            folded[i] = asciiLower(c);
        }
        if (ascii)
            return qHash(QByteArrayView(folded, value.size()), seed);
    } else if (isAscii(value)) {
        return qHash(value.toByteArray().toLower(), seed);
    }
    return qHash(QByteArrayView(QString::fromUtf8(value).toCaseFolded().toUtf8()), seed);
}

ProxyAddress::ProxyAddress(QByteArrayView utf8Value)
    : m_value(utf8Value)
{
    const qsizetype n = prefixLength(utf8Value);
    if (n > 0) {
        m_type = utf8Value.first(n);
        m_address = utf8Value.sliced(n + 1);
    } else {
        m_address = utf8Value;
    }
}

bool ProxyAddress::isSmtp() const { return equalsCaseInsensitive(m_type, "smtp"); }

bool ProxyAddress::isPrimarySmtp() const { return m_type == QByteArrayView("SMTP"); }

bool ProxyAddress::equivalent(QByteArrayView a, QByteArrayView b)
{
    const ProxyAddress pa(a), pb(b);
    if (pa.isPrimarySmtp() != pb.isPrimarySmtp())
        return false;
    return equalsCaseInsensitive(pa.m_type, pb.m_type) && equalsCaseInsensitive(pa.m_address, pb.m_address);
}

size_t ProxyAddress::hash(QByteArrayView value)
{
    const ProxyAddress p(value);
    return hashCaseInsensitive(p.m_address, hashCaseInsensitive(p.m_type) + (p.isPrimarySmtp() ? 1 : 0));
}

} // namespace sunset
