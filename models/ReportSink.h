// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace sunset {

class JsonWriter;

// Receives report text in chunks (a few MiB at most), so a 600,000-mailbox report never sits whole in memory.
using ReportSink = std::function<void(const QByteArray& chunk)>;

// The chunking every report writer does the same way: hand the text over once it reaches a few MiB, and at the
// end hand over the rest (a JSON document ends with a newline).
void flushIfBig(JsonWriter& json, const ReportSink& sink);
void flushIfBig(QString& csv, const ReportSink& sink);
void finishJson(JsonWriter& json, const ReportSink& sink);
void finishCsv(QString& csv, const ReportSink& sink);

} // namespace sunset
