// SPDX-License-Identifier: Apache-2.0
#include "ReportSink.h"

#include "JsonWriter.h"

namespace sunset {

namespace {
constexpr qsizetype kChunkBytes = 4 << 20;
} // namespace

void flushIfBig(JsonWriter& json, const ReportSink& sink)
{
    if (json.buffer().size() >= kChunkBytes)
        sink(json.take());
}

void flushIfBig(QString& csv, const ReportSink& sink)
{
    if (csv.size() >= kChunkBytes) {
        sink(csv.toUtf8());
        csv.clear();
    }
}

void finishJson(JsonWriter& json, const ReportSink& sink)
{
    QByteArray tail = json.take();
    tail += '\n';
    sink(tail);
}

void finishCsv(QString& csv, const ReportSink& sink)
{
    sink(csv.toUtf8());
    csv.clear();
}

} // namespace sunset
