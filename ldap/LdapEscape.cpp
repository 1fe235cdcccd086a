// SPDX-License-Identifier: Apache-2.0
#include "LdapEscape.h"

#include "ByteText.h"

#include <QString>
#include <QStringList>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendHexEscape(QByteArray& out, unsigned char byte)
{
    out += '\\';
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
}

bool isSpace(char c)
{
    return c == ' ';
}

bool isAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// descr (ALPHA *(ALPHA / DIGIT / "-")) or numericoid (number *("." number)).
bool isAttributeType(QByteArrayView type)
{
    if (type.isEmpty())
        return false;
    if (isAlpha(type[0]))
        return std::all_of(type.begin(), type.end(), [](char c) { return isAlpha(c) || isDigit(c) || c == '-'; });
    bool previousDot = true;
    for (char c : type) {
        if (c == '.') {
            if (previousDot)
                return false;
            previousDot = true;
        } else if (isDigit(c)) {
            previousDot = false;
        } else {
            return false;
        }
    }
    return !previousDot;
}

bool isDnSpecial(char c)
{
    switch (c) {
    case '"':
    case '+':
    case ',':
    case ';':
    case '<':
    case '>':
    case '\\':
    case '#':
    case '=':
    case ' ':
        return true;
    default:
        return false;
    }
}

QString caseFolded(QByteArrayView utf8)
{
    return QString::fromUtf8(utf8).toCaseFolded();
}

} // namespace

QByteArray escapeFilterValue(QByteArrayView value)
{
    QByteArray out;
    out.reserve(value.size() + 8);
    for (qsizetype i = 0; i < value.size();) {
        const char c = value[i];
        switch (c) {
        case '*':
        case '(':
        case ')':
        case '\\':
        case '\0':
            appendHexEscape(out, static_cast<unsigned char>(c));
            ++i;
            continue;
        default:
            break;
        }
        const qsizetype length = utf8SequenceLength(value, i);
        if (length == 0) {
            appendHexEscape(out, static_cast<unsigned char>(c));
            ++i;
        } else {
            out.append(value.sliced(i, length));
            i += length;
        }
    }
    return out;
}

std::optional<QByteArray> addressHolderFilter(QByteArrayView address)
{
    if (address.contains('\0'))
        return std::nullopt;
    const QByteArray escaped = escapeFilterValue(address);
    return "(|(proxyAddresses=smtp:" + escaped + ")(mail=" + escaped + "))";
}

QByteArray escapeFilterBytes(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve(bytes.size() * 3);
    for (char c : bytes)
        appendHexEscape(out, static_cast<unsigned char>(c));
    return out;
}

std::optional<Dn> parseDn(QByteArrayView text)
{
    Dn dn;
    qsizetype i = 0;
    const qsizetype n = text.size();
    const auto skipSpaces = [&] {
        while (i < n && isSpace(text[i]))
            ++i;
    };
    skipSpaces();
    if (i == n)
        return dn; // the empty DN

    Rdn rdn;
    for (;;) {
        // attributeType
        skipSpaces();
        const qsizetype typeStart = i;
        while (i < n && text[i] != '=' && !isSpace(text[i]))
            ++i;
        const QByteArrayView type = text.sliced(typeStart, i - typeStart);
        skipSpaces();
        if (i == n || text[i] != '=' || !isAttributeType(type))
            return std::nullopt;
        ++i; // '='
        skipSpaces();

        DnAttribute attribute;
        attribute.type = type.toByteArray();
        if (i < n && text[i] == '#') { // BER-encoded value as hex
            ++i;
            while (i + 1 < n && hexDigitValue(text[i]) >= 0 && hexDigitValue(text[i + 1]) >= 0) {
                attribute.value += char(hexDigitValue(text[i]) << 4 | hexDigitValue(text[i + 1]));
                i += 2;
            }
            if (attribute.value.isEmpty())
                return std::nullopt;
            attribute.berEncoded = true;
            skipSpaces();
        } else if (i < n && text[i] == '"') { // RFC 2253 quoted value
            ++i;
            bool closed = false;
            while (i < n) {
                const char c = text[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    if (i == n)
                        return std::nullopt;
                    attribute.value += text[i++];
                } else {
                    attribute.value += c;
                }
            }
            if (!closed)
                return std::nullopt;
            skipSpaces();
        } else {
            qsizetype significant = 0; // value length without unescaped trailing spaces
            while (i < n && text[i] != ',' && text[i] != ';' && text[i] != '+') {
                const char c = text[i];
                if (c == '\\') {
                    if (i + 1 == n)
                        return std::nullopt;
                    const int high = hexDigitValue(text[i + 1]);
                    if (high >= 0 && i + 2 < n && hexDigitValue(text[i + 2]) >= 0) {
                        attribute.value += char(high << 4 | hexDigitValue(text[i + 2]));
                        i += 3;
                    } else if (isDnSpecial(text[i + 1])) {
                        attribute.value += text[i + 1];
                        i += 2;
                    } else {
                        return std::nullopt;
                    }
                    significant = attribute.value.size();
                    continue;
                }
                if (c == '\0' || c == '"' || c == '<' || c == '>')
                    return std::nullopt; // must be escaped
                attribute.value += c;
                ++i;
                if (!isSpace(c))
                    significant = attribute.value.size();
            }
            attribute.value.truncate(significant);
        }
        rdn.push_back(std::move(attribute));

        if (i == n) {
            dn.push_back(std::move(rdn));
            return dn;
        }
        const char separator = text[i++];
        if (separator == '+')
            continue;
        if (separator != ',' && separator != ';')
            return std::nullopt;
        dn.push_back(std::move(rdn));
        rdn.clear();
        skipSpaces();
        if (i == n)
            return std::nullopt; // a trailing separator
    }
}

QByteArray escapeDnValue(QByteArrayView value)
{
    QByteArray out;
    out.reserve(value.size() + 4);
    for (qsizetype i = 0; i < value.size(); ++i) {
        const char c = value[i];
        switch (c) {
        case '"':
        case '+':
        case ',':
        case ';':
        case '<':
        case '>':
        case '\\':
            out += '\\';
            out += c;
            break;
        case '\0':
            out += "\\00";
            break;
        case '#':
            if (i == 0)
                out += '\\';
            out += c;
            break;
        case ' ':
            if (i == 0 || i == value.size() - 1)
                out += '\\';
            out += c;
            break;
        default:
            out += c;
        }
    }
    return out;
}

QByteArray formatDn(const Dn& dn)
{
    QByteArray out;
    for (size_t r = 0; r < dn.size(); ++r) {
        if (r > 0)
            out += ',';
        for (size_t a = 0; a < dn[r].size(); ++a) {
            const DnAttribute& attribute = dn[r][a];
            if (a > 0)
                out += '+';
            out += attribute.type;
            out += '=';
            if (attribute.berEncoded) {
                out += '#';
                out += attribute.value.toHex();
            } else {
                out += escapeDnValue(attribute.value);
            }
        }
    }
    return out;
}

bool sameDn(QByteArrayView a, QByteArrayView b)
{
    const auto left = parseDn(a);
    const auto right = parseDn(b);
    if (!left || !right || left->size() != right->size())
        return false;
    const auto key = [](const DnAttribute& attribute) -> QString {
        return caseFolded(attribute.type) + u'=' + (attribute.berEncoded ? u"#"_s : QString()) +
               caseFolded(attribute.value);
    };
    for (size_t r = 0; r < left->size(); ++r) {
        const Rdn& x = (*left)[r];
        const Rdn& y = (*right)[r];
        if (x.size() != y.size())
            return false;
        QStringList xs, ys;
        for (const DnAttribute& attribute : x)
            xs << key(attribute);
        for (const DnAttribute& attribute : y)
            ys << key(attribute);
        xs.sort();
        ys.sort();
        if (xs != ys)
            return false;
    }
    return true;
}

} // namespace sunset
