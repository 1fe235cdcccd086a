// SPDX-License-Identifier: Apache-2.0
#pragma once

// A strict RFC 4515 filter parser for the tests (tests/security) and the filter fuzzer (tests/fuzz): just enough
// to compare a filter's shape and get its assertion values back unescaped. Stricter than servers: every
// '(', ')', '\\' and NUL inside a value must be escaped as \\XX, and an escape must be two hex digits.

#include <QByteArray>
#include <QByteArrayView>

#include <cctype>
#include <vector>

namespace sunset::test {

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// A parsed filter: just enough of RFC 4515 to compare shapes.
struct FilterNode {
    char kind = 0;         // '&', '|', '!', '=' (equality), 's' (substring), 'p' (presence)
    QByteArray attribute;  // items
    std::vector<QByteArray> parts; // '=': the value; 's': initial, any..., final ("" where absent); unescaped
    std::vector<FilterNode> children;
};

class StrictFilterParser {
public:
    explicit StrictFilterParser(QByteArrayView text) : m_text(text) {}

    bool parse(FilterNode& out)
    {
        if (!filter(out, 0))
            return false;
        return m_pos == m_text.size();
    }

private:
    bool filter(FilterNode& out, int depth)
    {
        if (depth > 8 || !take('('))
            return false;
        if (m_pos >= m_text.size())
            return false;
        const char c = m_text[m_pos];
        if (c == '&' || c == '|' || c == '!') {
            ++m_pos;
            out.kind = c;
            while (m_pos < m_text.size() && m_text[m_pos] == '(') {
                out.children.emplace_back();
                if (!filter(out.children.back(), depth + 1))
                    return false;
            }
            if (out.children.empty() || (c == '!' && out.children.size() != 1))
                return false;
        } else if (!item(out)) {
            return false;
        }
        return take(')');
    }

    bool item(FilterNode& out)
    {
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '-'))
            ++m_pos;
        out.attribute = m_text.sliced(start, m_pos - start).toByteArray();
        if (out.attribute.isEmpty() || !take('='))
            return false;
        // The assertion value, with unescaped '*' splitting substrings; any ( ) \ NUL must have been escaped.
        std::vector<QByteArray> parts(1);
        while (m_pos < m_text.size() && m_text[m_pos] != ')') {
            const char c = m_text[m_pos++];
            if (c == '*') {
                parts.emplace_back();
            } else if (c == '\\') {
                if (m_pos + 2 > m_text.size())
                    return false;
                const int high = hexValue(m_text[m_pos]), low = hexValue(m_text[m_pos + 1]);
                if (high < 0 || low < 0)
                    return false;
                parts.back() += char(high << 4 | low);
                m_pos += 2;
            } else if (c == '(' || c == '\0') {
                return false;
            } else {
                parts.back() += c;
            }
        }
        if (parts.size() == 1) {
            out.kind = '=';
        } else if (parts.size() == 2 && parts[0].isEmpty() && parts[1].isEmpty()) {
            out.kind = 'p';
            parts.clear();
        } else {
            out.kind = 's';
        }
        out.parts = std::move(parts);
        return true;
    }

    bool take(char c)
    {
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

} // namespace sunset::test
