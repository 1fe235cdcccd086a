// SPDX-License-Identifier: Apache-2.0
#include "ExoMailboxCsvReader.h"

#include "CloudRecordMapper.h"
#include "InputEncoding.h"

#include <QStringList>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Property = CloudRecordMapper::Property;
using Shape = CloudRecordMapper::Shape;

constexpr qint64 kProgressInterval = qint64(1) << 20;

// Splits RFC 4180 text into rows of fields. Fields without doubled quotes are views into the input; the others
// are decoded into a scratch buffer reused for every row.
class CsvRowReader final {
public:
    enum class Status : quint8 { Row, End, Error };

    CsvRowReader(QByteArrayView data, qsizetype start, qint64 firstLine, char delimiter)
        : m_data(data)
        , m_pos(start)
        , m_line(firstLine)
        , m_delimiter(delimiter)
    {
    }

    Status next()
    {
        m_fields.clear();
        m_scratch.resize(0);
        // Blank lines carry no mailbox; Export-Csv writes none, but editors leave one at the end.
        while (m_pos < m_data.size() && (m_data[m_pos] == '\n' || m_data[m_pos] == '\r')) {
            if (m_data[m_pos] == '\n')
                ++m_line;
            ++m_pos;
        }
        if (m_pos >= m_data.size())
            return Status::End;
        m_rowLine = m_line;
        for (;;) {
            if (!readField())
                return Status::Error;
            if (m_pos < m_data.size() && m_data[m_pos] == m_delimiter) {
                ++m_pos;
                continue;
            }
            // End of the row: CRLF, LF, a lone CR, or the end of the input.
            if (m_pos < m_data.size() && m_data[m_pos] == '\r')
                ++m_pos;
            if (m_pos < m_data.size() && m_data[m_pos] == '\n') {
                ++m_pos;
                ++m_line;
            }
            return Status::Row;
        }
    }

    qsizetype fieldCount() const { return qsizetype(m_fields.size()); }
    QByteArrayView field(qsizetype i) const
    {
        const Field& f = m_fields[size_t(i)];
        return f.inScratch ? QByteArrayView(m_scratch).sliced(f.offset, f.length) : m_data.sliced(f.offset, f.length);
    }
    qint64 fieldLine(qsizetype i) const { return m_fields[size_t(i)].line; }
    qint64 rowLine() const { return m_rowLine; }
    qint64 offset() const { return m_pos; }
    const QString& errorMessage() const { return m_errorMessage; }
    qint64 errorLine() const { return m_errorLine; }

private:
    struct Field {
        qsizetype offset;
        qsizetype length;
        qint64 line;
        bool inScratch;
    };

    bool readField()
    {
        const qint64 line = m_line;
        const qsizetype size = m_data.size();
        if (m_pos >= size || m_data[m_pos] != '"') {
            const qsizetype start = m_pos;
            while (m_pos < size && m_data[m_pos] != m_delimiter && m_data[m_pos] != '\n' && m_data[m_pos] != '\r')
                ++m_pos;
            m_fields.push_back({start, m_pos - start, line, false});
            return true;
        }
        ++m_pos; // the opening quote
        const qsizetype start = m_pos;
        bool inScratch = false;
        qsizetype scratchStart = 0;
        for (;;) {
            const char* base = m_data.data();
            const auto* quote = static_cast<const char*>(std::memchr(base + m_pos, '"', size_t(size - m_pos)));
            const qsizetype segmentEnd = quote ? quote - base : size;
            m_line += std::count(base + m_pos, base + segmentEnd, '\n'); // line breaks inside the value
            if (!quote) {
                return fail(line, u"a quoted value that starts on this line is not closed before the end of "
                                  "the file (the file may be truncated)"_s);
            }
            const bool doubled = segmentEnd + 1 < size && m_data[segmentEnd + 1] == '"';
            if (doubled && !inScratch) {
                inScratch = true;
                scratchStart = m_scratch.size();
                m_scratch.append(base + start, segmentEnd - start);
            } else if (inScratch) {
                m_scratch.append(base + m_pos, segmentEnd - m_pos);
            }
            if (doubled) {
                m_scratch.append('"');
                m_pos = segmentEnd + 2;
                continue;
            }
            m_pos = segmentEnd + 1; // past the closing quote
            if (inScratch)
                m_fields.push_back({scratchStart, m_scratch.size() - scratchStart, line, true});
            else
                m_fields.push_back({start, segmentEnd - start, line, false});
            if (m_pos < size && m_data[m_pos] != m_delimiter && m_data[m_pos] != '\n' && m_data[m_pos] != '\r') {
                return fail(m_line, u"expected '%1' or the end of the line after a closing quote, found '%2' "
                                    "(a quote inside a value must be doubled)"_s.arg(QChar::fromLatin1(m_delimiter),
                                                                                     QChar::fromLatin1(m_data[m_pos])));
            }
            return true;
        }
    }

    bool fail(qint64 line, const QString& message)
    {
        m_errorLine = line;
        m_errorMessage = message;
        return false;
    }

    QByteArrayView m_data;
    qsizetype m_pos;
    qint64 m_line;
    qint64 m_rowLine = 0;
    char m_delimiter;
    std::vector<Field> m_fields;
    QByteArray m_scratch;
    QString m_errorMessage;
    qint64 m_errorLine = 0;
};

// Export-Csv writes each cell as the value's ToString(); for a collection that is its type name, with no data.
bool isCollectionTypeName(QByteArrayView value)
{
    QByteArrayView v = value.trimmed();
    if (v.startsWith("Deserialized."))
        v = v.sliced(13);
    return v == "System.Collections.ArrayList" || v == "Microsoft.Exchange.Data.ProxyAddressCollection" ||
           v == "System.Object[]" || v == "System.String[]" ||
           v.startsWith("Microsoft.Exchange.Data.MultiValuedProperty");
}

// "smtp:", "X500:", "SPO:": a token that starts a new proxy address rather than continuing an X400 one.
bool startsWithAddressPrefix(QByteArrayView token)
{
    const QByteArrayView t = token.trimmed();
    qsizetype n = 0;
    while (n < t.size() && n <= 10) {
        const char c = t[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            break;
        ++n;
    }
    return n >= 2 && n <= 10 && n < t.size() && t[n] == ':';
}

bool isX400(QByteArrayView address)
{
    return address.size() >= 5 && address.first(5).compare("X400:", Qt::CaseInsensitive) == 0;
}

// First line's column delimiter: ',' unless the header line uses ';' and no ',' (Export-Csv -UseCulture in
// cultures whose list separator is ';').
char detectDelimiter(QByteArrayView data, qsizetype start)
{
    qsizetype commas = 0;
    qsizetype semicolons = 0;
    bool quoted = false;
    for (qsizetype i = start; i < data.size(); ++i) {
        const char c = data[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            ++commas;
        else if (!quoted && c == ';')
            ++semicolons;
    }
    return commas == 0 && semicolons > 0 ? ';' : ',';
}

class ExoMailboxCsvReader final {
public:
    ExoMailboxCsvReader(QByteArrayView data, const QString& fileName, const GraphDirectory* graph,
                        const ReadProgress& progress, char separator)
        : m_data(data)
        , m_fileName(fileName)
        , m_mapper(graph)
        , m_progress(progress)
        , m_separator(separator)
    {
        m_snapshot.side = Side::Cloud;
        m_snapshot.source = fileName;
    }

    Result<Snapshot> read()
    {
        qsizetype start = 0;
        qint64 line = 1;
        if (m_data.startsWith("\xEF\xBB\xBF"))
            start = 3;
        if (m_data.sliced(start).startsWith("#TYPE")) { // Windows PowerShell 5.1 without -NoTypeInformation
            const qsizetype newline = m_data.indexOf('\n', start);
            start = newline < 0 ? m_data.size() : newline + 1;
            line = 2;
        }
        CsvRowReader rows(m_data, start, line, detectDelimiter(m_data, start));
        if (!readHeader(rows))
            return *m_error;
        for (;;) {
            const CsvRowReader::Status status = rows.next();
            if (status == CsvRowReader::Status::End)
                break;
            if (status == CsvRowReader::Status::Error)
                return error(rows.errorLine(), rows.errorMessage());
            if (!readRow(rows))
                return *m_error;
            if (m_progress && rows.offset() - m_lastProgress >= kProgressInterval) {
                m_lastProgress = rows.offset();
                if (!m_progress(m_lastProgress))
                    return error(rows.rowLine(), u"cancelled"_s);
            }
        }
        if (m_progress && !m_progress(m_data.size()))
            return error(0, u"cancelled"_s);
        m_snapshot.newestChangeMsecs = m_mapper.newestChangeMsecs();
        return std::move(m_snapshot);
    }

private:
    ImportError error(qint64 line, const QString& message)
    {
        m_error = ImportError{m_fileName, line, {}, message};
        return *m_error;
    }

    bool readHeader(CsvRowReader& rows)
    {
        const CsvRowReader::Status status = rows.next();
        if (status == CsvRowReader::Status::Error) {
            error(rows.errorLine(), rows.errorMessage());
            return false;
        }
        if (status == CsvRowReader::Status::End) {
            error(1, u"the file is empty: expected a header line with the column names"_s);
            return false;
        }
        bool hasIdentityColumn = false;
        for (qsizetype i = 0; i < rows.fieldCount(); ++i) {
            const QByteArrayView name = rows.field(i).trimmed();
            const Property property = CloudRecordMapper::resolve(name);
            hasIdentityColumn = hasIdentityColumn || property.isIdentityKey();
            m_columns.push_back(property);
            m_columnNames.push_back(QString::fromUtf8(name));
        }
        if (!hasIdentityColumn) {
            error(rows.rowLine(),
                  u"the header has no UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId column, "
                  "so no mailbox can be matched (columns found: %1); export with Select-Object including one of them"_s
                      .arg(m_columnNames.join(u", "_s)));
            return false;
        }
        return true;
    }

    bool readRow(const CsvRowReader& rows)
    {
        if (rows.fieldCount() != qsizetype(m_columns.size())) {
            error(rows.rowLine(), u"this line has %1 fields but the header has %2 columns (is a value with a '\"' "
                                  "or a delimiter not quoted?)"_s.arg(rows.fieldCount())
                                      .arg(m_columns.size()));
            return false;
        }
        m_mapper.begin(rows.rowLine());
        for (qsizetype c = 0; c < rows.fieldCount(); ++c) {
            const Property property = m_columns[size_t(c)];
            if (property.isIgnored())
                continue;
            const QByteArrayView value = rows.field(c);
            if (isCollectionTypeName(value)) {
                const QString& column = m_columnNames[size_t(c)];
                error(rows.fieldLine(c),
                      u"column %1 holds \"%2\", the name of a collection type instead of its values: Export-Csv "
                      "writes multi-valued properties that way. Flatten it in the export: "
                      "@{n='%1';e={$_.%1 -join ';'}}"_s.arg(column, QString::fromUtf8(value.trimmed())));
                return false;
            }
            const QString problem =
                property.shape == Shape::TextList ? addList(property, value) : m_mapper.addText(property, value);
            if (!problem.isEmpty()) {
                error(rows.fieldLine(c), u"column %1: %2"_s.arg(m_columnNames[size_t(c)], problem));
                return false;
            }
        }
        Result<MailboxRecord> record = m_mapper.finish();
        if (!record) {
            error(rows.rowLine(), record.error().message);
            return false;
        }
        m_snapshot.records.push_back(std::move(record.value()));
        return true;
    }

    // A flattened multi-valued cell. EmailAddresses: a token that does not start a new "prefix:" address continues
    // the previous one (X400 addresses contain ';' and end with it, X500 ones contain spaces), and addresses never
    // have outer spaces. Other columns: values kept exactly as written. Empty values are dropped either way.
    QString addList(Property property, QByteArrayView cell)
    {
        const bool isAddresses = property.cloud == CloudProperty::EmailAddresses;
        qsizetype valueStart = -1; // start of the value being assembled (its tokens are contiguous in the cell)
        qsizetype valueEnd = 0;
        auto flush = [&]() -> QString {
            if (valueStart < 0)
                return {};
            const QByteArrayView v = cell.sliced(valueStart, valueEnd - valueStart);
            valueStart = -1;
            return m_mapper.addText(property, isAddresses ? v.trimmed() : v);
        };
        for (qsizetype at = 0; at <= cell.size();) {
            qsizetype end = cell.indexOf(m_separator, at);
            if (end < 0)
                end = cell.size();
            const QByteArrayView token = cell.sliced(at, end - at);
            const bool empty = token.trimmed().isEmpty();
            bool continues = false;
            if (isAddresses && valueStart >= 0) {
                // "...;G=Anna;;X500:..." : the empty token is the X400 address's own final ';'.
                continues = empty ? isX400(cell.sliced(valueStart)) : !startsWithAddressPrefix(token);
            }
            if (continues) {
                valueEnd = end;
            } else {
                if (QString problem = flush(); !problem.isEmpty())
                    return problem;
                if (!empty) {
                    valueStart = at;
                    valueEnd = end;
                }
            }
            at = end + 1;
        }
        return flush();
    }

    QByteArrayView m_data;
    QString m_fileName;
    CloudRecordMapper m_mapper;
    const ReadProgress& m_progress;
    char m_separator;
    std::vector<Property> m_columns;
    QStringList m_columnNames;
    Snapshot m_snapshot;
    std::optional<ImportError> m_error;
    qint64 m_lastProgress = 0;
};

} // namespace

Result<Snapshot> readExoMailboxesCsv(QByteArrayView data, const QString& fileName, const GraphDirectory* graph,
                                     const ReadProgress& progress, char multiValueSeparator)
{
    QByteArray converted;
    const QByteArrayView utf8 = utf8Input(data, converted);
    return ExoMailboxCsvReader(utf8, fileName, graph, progress, multiValueSeparator).read();
}

} // namespace sunset
