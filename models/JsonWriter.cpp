// SPDX-License-Identifier: Apache-2.0
#include "JsonWriter.h"

namespace sunset {

void JsonWriter::appendEscaped(QByteArray& out, QStringView text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

void JsonWriter::newline()
{
    m_out += '\n';
    m_out.append(qsizetype(m_hasItems.size()) * m_indent, ' ');
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasItems.empty()) {
        if (m_hasItems.back())
            m_out += ',';
        m_hasItems.back() = true;
        newline();
    }
}

JsonWriter& JsonWriter::beginObject()
{
    beforeValue();
    m_out += '{';
    m_hasItems.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endObject()
{
    const bool had = m_hasItems.back();
    m_hasItems.pop_back();
    if (had)
        newline();
    m_out += '}';
    return *this;
}

JsonWriter& JsonWriter::beginArray()
{
    beforeValue();
    m_out += '[';
    m_hasItems.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endArray() { return endObject(), m_out.back() = ']', *this; }

JsonWriter& JsonWriter::key(QLatin1StringView name)
{
    beforeValue();
    m_out += '"';
    m_out.append(name.data(), name.size());
    m_out += "\": ";
    m_afterKey = true;
    return *this;
}

JsonWriter& JsonWriter::value(QStringView text)
{
    beforeValue();
    appendEscaped(m_out, text);
    return *this;
}

JsonWriter& JsonWriter::value(QLatin1StringView text) { return value(QStringView(QString(text))); }

JsonWriter& JsonWriter::value(qint64 number)
{
    beforeValue();
    m_out += QByteArray::number(number);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag)
{
    beforeValue();
    m_out += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null()
{
    beforeValue();
    m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::stringArray(const QStringList& values)
{
    beforeValue();
    m_out += '[';
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            m_out += ", ";
        appendEscaped(m_out, values[i]);
    }
    m_out += ']';
    return *this;
}

QByteArray JsonWriter::take()
{
    QByteArray out;
    out.swap(m_out);
    return out;
}

} // namespace sunset
