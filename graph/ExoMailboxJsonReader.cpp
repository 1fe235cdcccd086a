// SPDX-License-Identifier: Apache-2.0
#include "ExoMailboxJsonReader.h"

#include "ByteText.h"
#include "CloudRecordMapper.h"
#include "InputEncoding.h"
#include "JsonPullParser.h"
#include "StreamingJsonReader.h"

#include <cstring>
#include <optional>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Property = CloudRecordMapper::Property;
using Shape = CloudRecordMapper::Shape;

bool isValueKey(QByteArrayView key)
{
    return key.compare("value", Qt::CaseInsensitive) == 0;
}

// ConvertTo-Json writes every mailbox with the same members in the same order, so the name at position i of this
// mailbox is almost always the name at position i of the previous one: one memcmp instead of a lookup, for the
// ~100 members of each of 600,000 mailboxes. Names are views into the input, which outlives the reader.
class MemberNameCache final {
public:
    explicit MemberNameCache(QByteArrayView input)
        : m_input(input)
    {
    }

    Property resolve(qsizetype ordinal, QByteArrayView name)
    {
        if (ordinal < qsizetype(m_entries.size())) {
            const Entry& e = m_entries[size_t(ordinal)];
            if (sameBytes(e.name, name))
                return e.property;
        }
        const Property property = CloudRecordMapper::resolve(name);
        const bool inInput =
            name.data() >= m_input.data() && name.data() + name.size() <= m_input.data() + m_input.size();
        if (inInput && ordinal < kMaxCached) { // a name decoded from escapes lives in scratch memory: not cached
            if (ordinal >= qsizetype(m_entries.size()))
                m_entries.resize(size_t(ordinal) + 1);
            m_entries[size_t(ordinal)] = {name, property};
        }
        return property;
    }

private:
    static constexpr qsizetype kMaxCached = 1024;
    struct Entry {
        QByteArrayView name;
        Property property;
    };
    QByteArrayView m_input;
    std::vector<Entry> m_entries;
};

// Walks the token stream of one export and hands each known property to the mapper.
class ExoMailboxJsonReader final : private StreamingJsonReader {
public:
    ExoMailboxJsonReader(QByteArrayView data, const QString& fileName, const GraphDirectory* graph,
                         const ReadProgress& progress)
        : StreamingJsonReader(data, fileName, progress)
        , m_names(data)
        , m_mapper(graph)
    {
        m_snapshot.side = Side::Cloud;
        m_snapshot.source = fileName;
        m_snapshot.records.reserve(size_t(data.size() / 4096)); // an exported mailbox is 1.5 to 10 KB of JSON
    }

    Result<Snapshot> read()
    {
        const Token first = m_parser.next();
        bool ok = false;
        if (first == Token::BeginArray)
            ok = readMailboxArray();
        else if (first == Token::BeginObject)
            ok = readTopObject();
        else if (first == Token::Error)
            ok = failParser();
        else
            ok = fail(m_parser.unexpected("an array of mailboxes or a mailbox object"_L1));
        if (!ok || !finishInput())
            return *m_error;
        m_snapshot.newestChangeMsecs = m_mapper.newestChangeMsecs();
        return std::move(m_snapshot);
    }

private:
    // After '[': every element is a mailbox object.
    bool readMailboxArray()
    {
        qint64 item = 0;
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndArray)
                return true;
            if (t == Token::Error)
                return failParser();
            if (t != Token::BeginObject)
                return fail(m_parser.unexpected("a mailbox object"_L1));
            if (!readMailbox(++item) || !reportProgress())
                return false;
        }
    }

    // A top-level object is one mailbox, or a page whose "value" array holds the mailboxes (admin API page, or
    // the {"value":[...],"Count":n} wrapper Windows PowerShell 5.1 writes for some arrays). A mailbox has no
    // "value" property, so the first "value" array decides; whatever was fed to the mapper before is discarded.
    bool readTopObject()
    {
        const qint64 startLine = m_parser.line();
        m_mapper.begin(1);
        bool isPage = false;
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndObject)
                break;
            if (t == Token::Error)
                return failParser();
            if (!isPage && isValueKey(m_parser.text())) {
                const Token v = m_parser.next();
                if (v == Token::BeginArray) {
                    isPage = true;
                    if (!readMailboxArray())
                        return false;
                    continue;
                }
                if (v == Token::Error || !m_parser.skipValue())
                    return failParser();
                continue;
            }
            if (isPage) {
                if (!m_parser.skipValue())
                    return failParser();
            } else if (!readMember(-1)) {
                return false;
            }
        }
        return isPage || finishMailbox(startLine);
    }

    // After '{' of a mailbox.
    bool readMailbox(qint64 item)
    {
        const qint64 startLine = m_parser.line();
        m_mapper.begin(item);
        for (qsizetype ordinal = 0;; ++ordinal) {
            const Token t = m_parser.next();
            if (t == Token::EndObject)
                return finishMailbox(startLine);
            if (t == Token::Error)
                return failParser();
            if (!readMember(ordinal))
                return false;
        }
    }

    bool finishMailbox(qint64 startLine)
    {
        Result<MailboxRecord> record = m_mapper.finish();
        if (!record) {
            ImportError error = m_parser.errorHere(record.error().message);
            error.line = startLine;
            return fail(error);
        }
        m_snapshot.records.push_back(std::move(record.value()));
        return true;
    }

    // At a Key token; ordinal is the member's position in a mailbox of the array, -1 when there is none.
    bool readMember(qsizetype ordinal)
    {
        const Property property =
            ordinal >= 0 ? m_names.resolve(ordinal, m_parser.text()) : CloudRecordMapper::resolve(m_parser.text());
        if (property.isIgnored())
            return m_parser.skipValue() || failParser();
        return readValue(property, true);
    }

    bool take(const QString& mapperError) { return mapperError.isEmpty() || fail(m_parser.errorHere(mapperError)); }

    bool wrongShape(Property property)
    {
        return fail(m_parser.unexpected(CloudRecordMapper::expectedShape(property.shape)));
    }

    // The value of a known property. mayBeWrapped: an object {"value": X, ...} stands for X (Windows PowerShell 5.1
    // writes collections and DateTime values that way); only one level of it.
    bool readValue(Property property, bool mayBeWrapped)
    {
        switch (m_parser.next()) {
        case Token::Error:
            return failParser();
        case Token::Null:
            return true;
        case Token::String:
            return take(m_mapper.addText(property, m_parser.text()));
        case Token::True:
        case Token::False:
            if (property.shape != Shape::Boolean)
                return wrongShape(property);
            return take(m_mapper.addBoolean(property, m_parser.token() == Token::True));
        case Token::Number:
            if (property.shape != Shape::RecipientType)
                return wrongShape(property);
            return take(m_mapper.addNumber(property, m_parser.text()));
        case Token::BeginArray:
            if (property.shape != Shape::TextList)
                return wrongShape(property);
            return readTextList(property);
        case Token::BeginObject:
            if (!mayBeWrapped)
                return wrongShape(property);
            return readWrapped(property);
        default:
            return wrongShape(property);
        }
    }

    // After '[' of a multi-valued property.
    bool readTextList(Property property)
    {
        for (;;) {
            switch (m_parser.next()) {
            case Token::EndArray:
                return true;
            case Token::Error:
                return failParser();
            case Token::Null:
                continue;
            case Token::String:
                if (!take(m_mapper.addText(property, m_parser.text())))
                    return false;
                continue;
            default:
                return fail(m_parser.unexpected("a string"_L1));
            }
        }
    }

    // After '{' where a value was expected.
    bool readWrapped(Property property)
    {
        bool found = false;
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndObject)
                break;
            if (t == Token::Error)
                return failParser();
            if (!found && isValueKey(m_parser.text())) {
                found = true;
                if (!readValue(property, false))
                    return false;
            } else if (!m_parser.skipValue()) {
                return failParser();
            }
        }
        if (found)
            return true;
        return fail(m_parser.errorHere(u"expected %1, found an object without a \"value\" member"_s.arg(
            CloudRecordMapper::expectedShape(property.shape))));
    }

    MemberNameCache m_names;
    CloudRecordMapper m_mapper;
    Snapshot m_snapshot;
};

} // namespace

Result<Snapshot> readExoMailboxesJson(QByteArrayView data, const QString& fileName, const GraphDirectory* graph,
                                      const ReadProgress& progress)
{
    QByteArray converted;
    const QByteArrayView utf8 = utf8Input(data, converted);
    return ExoMailboxJsonReader(utf8, fileName, graph, progress).read();
}

} // namespace sunset
