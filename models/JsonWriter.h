// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace sunset {

// Writes indented JSON into a growing buffer, one token at a time, so a report over 600,000 mailboxes is
// produced without building a document tree. Output is deterministic (key order is the caller's).
class JsonWriter final {
public:
    explicit JsonWriter(int indent = 2) : m_indent(indent) {}

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(QLatin1StringView name);
    JsonWriter& value(QStringView text);
    JsonWriter& value(QLatin1StringView text);
    JsonWriter& value(const QString& text) { return value(QStringView(text)); }
    JsonWriter& value(qint64 number);
    JsonWriter& value(bool flag);
    JsonWriter& null();
    JsonWriter& stringArray(const QStringList& values); // on one line

    // The text so far; take() hands it over and leaves the writer empty (used to flush in chunks).
    const QByteArray& buffer() const { return m_out; }
    QByteArray take();

    static void appendEscaped(QByteArray& out, QStringView text);

private:
    void beforeValue();
    void newline();

    QByteArray m_out;
    std::vector<bool> m_hasItems; // per open container
    bool m_afterKey = false;
    int m_indent;
};

} // namespace sunset
