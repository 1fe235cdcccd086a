// SPDX-License-Identifier: Apache-2.0
#pragma once

// The JSON the history keeps in its detail and drift columns: written compact, string arrays read back as lists.
#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace sunset {

inline QByteArray compactJson(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The strings of a JSON array (anything else in it reads as an empty string; a non-array as no strings).
inline QStringList jsonStrings(const QJsonValue& value)
{
    QStringList out;
    for (const QJsonValue& element : value.toArray())
        out << element.toString();
    return out;
}

} // namespace sunset
