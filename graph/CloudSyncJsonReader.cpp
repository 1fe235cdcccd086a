// SPDX-License-Identifier: Apache-2.0
#include "CloudSyncJsonReader.h"

#include "Identity.h"
#include "InputEncoding.h"
#include "JsonPullParser.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>

#include <functional>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Token = JsonPullParser::Token;

// Where an item of a file began, so that errors found while interpreting it (well-formed JSON, wrong shape)
// name the same file, line and JSON path as a syntax error would.
struct ItemPlace {
    QString file;
    qint64 line = 0;
    QString path;
};

// A reader's first-error member as the outcome of the read that filled it: ok when it holds none.
Result<void> firstErrorOutcome(const std::optional<ImportError>& firstError)
{
    if (firstError)
        return *firstError;
    return {};
}

// Walks a file of Graph answers and hands each item to a callback as a small QJsonObject: a job, a schema or a
// provisioning entry is a few KiB, so a DOM per item costs little, while the file around them (a 30-day
// provisioning log of a large tenant runs into GiB) is never held as one.
class GraphAnswerWalker final {
public:
    using ItemHandler = std::function<bool(const QJsonObject& item, const ItemPlace& place)>;

    GraphAnswerWalker(QByteArrayView data, const QString& fileName, const ReadProgress& progress)
        : m_data(data)
        , m_fileName(fileName)
        , m_parser(data, fileName)
        , m_progress(progress)
    {
    }

    Result<void> walk(const ItemHandler& handler)
    {
        m_handler = &handler;
        // Answers concatenated: each JSON text is parsed on its own, errors placed in the whole file.
        for (;;) {
            const Token first = m_parser.next();
            bool ok = false;
            if (first == Token::BeginObject)
                ok = readObject(true);
            else if (first == Token::BeginArray)
                ok = readObjects(true);
            else if (first == Token::Error)
                ok = failParser();
            else
                ok = fail(m_parser.unexpected("a Graph answer (an object) or an array of answers"_L1));
            if (!ok)
                return firstErrorOutcome(m_error);
            const qint64 consumed = m_base + m_parser.offset();
            qint64 rest = consumed;
            while (rest < m_data.size() && static_cast<unsigned char>(m_data[rest]) <= ' ')
                ++rest;
            if (rest >= m_data.size())
                break;
            if (m_data[rest] != '{' && m_data[rest] != '[') {
                if (m_parser.next() != Token::EndOfInput) // reports what follows the value, with its place
                    failParser();
                return firstErrorOutcome(m_error);
            }
            m_lineBase += m_parser.line() - 1;
            for (qint64 i = consumed; i < rest; ++i)
                m_lineBase += m_data[i] == '\n';
            m_base = rest;
            ++m_text;
            m_parser = JsonPullParser(m_data.sliced(rest), m_fileName);
        }
        if (m_progress && !m_progress(m_data.size()))
            return placed(m_parser.errorHere(u"cancelled"_s));
        return {};
    }

private:
    ImportError placed(ImportError error) const
    {
        if (error.line > 0)
            error.line += m_lineBase;
        if (m_text > 0)
            error.jsonPath = u"JSON text %1, "_s.arg(m_text + 1) + error.jsonPath;
        return error;
    }
    bool fail(const ImportError& error)
    {
        m_error = placed(error);
        return false;
    }
    bool failParser() { return fail(m_parser.error()); }

    bool reportProgress()
    {
        const qint64 at = m_base + m_parser.offset();
        if (!m_progress || at - m_lastProgress < (qint64(1) << 20))
            return true;
        m_lastProgress = at;
        return m_progress(at) || fail(m_parser.errorHere(u"cancelled"_s));
    }

    // After '[': objects. At the top they may be answers (pages or single items); in a page's "value", items.
    bool readObjects(bool mayBePages)
    {
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndArray)
                return true;
            if (t == Token::Error)
                return failParser();
            if (t != Token::BeginObject)
                return fail(m_parser.unexpected("an object"_L1));
            if (!readObject(mayBePages) || !reportProgress())
                return false;
        }
    }

    // After '{': a page (its "value" is an array of items) or an item. Members before "value" are kept until
    // the object shows which it is.
    bool readObject(bool mayBePage)
    {
        ItemPlace place{m_fileName, m_parser.line() + m_lineBase, m_parser.path()};
        if (m_text > 0)
            place.path = u"JSON text %1, "_s.arg(m_text + 1) + place.path;
        QJsonObject item;
        bool isPage = false;
        for (;;) {
            const Token t = m_parser.next();
            if (t == Token::EndObject)
                break;
            if (t == Token::Error)
                return failParser();
            const QString key = QString::fromUtf8(m_parser.text());
            const Token v = m_parser.next();
            if (mayBePage && !isPage && key == "value"_L1 && v == Token::BeginArray) {
                isPage = true;
                if (!readObjects(false))
                    return false;
                continue;
            }
            if (isPage) {
                if (!m_parser.skipValue())
                    return failParser();
                continue;
            }
            QJsonValue value;
            if (!build(v, value))
                return false;
            item.insert(key, value);
        }
        return isPage || (*m_handler)(item, place);
    }

    bool build(Token t, QJsonValue& out)
    {
        switch (t) {
        case Token::String: out = QString::fromUtf8(m_parser.text()); return true;
        case Token::Number:
            if (const auto i = m_parser.integer())
                out = QJsonValue(*i);
            else
                out = QString::fromUtf8(m_parser.text()).toDouble();
            return true;
        case Token::True: out = true; return true;
        case Token::False: out = false; return true;
        case Token::Null: out = QJsonValue(); return true;
        case Token::BeginArray: {
            QJsonArray array;
            for (;;) {
                const Token e = m_parser.next();
                if (e == Token::EndArray)
                    break;
                QJsonValue element;
                if (!build(e, element))
                    return false;
                array.append(element);
            }
            out = array;
            return true;
        }
        case Token::BeginObject: {
            QJsonObject object;
            for (;;) {
                const Token k = m_parser.next();
                if (k == Token::EndObject)
                    break;
                if (k == Token::Error)
                    return failParser();
                const QString key = QString::fromUtf8(m_parser.text());
                QJsonValue member;
                if (!build(m_parser.next(), member))
                    return false;
                object.insert(key, member);
            }
            out = object;
            return true;
        }
        case Token::Error: return failParser();
        default: return fail(m_parser.unexpected("a value"_L1));
        }
    }

    QByteArrayView m_data;
    QString m_fileName;
    JsonPullParser m_parser;
    const ReadProgress& m_progress;
    const ItemHandler* m_handler = nullptr;
    std::optional<ImportError> m_error;
    qint64 m_base = 0;     // offset of the current JSON text in the file
    qint64 m_lineBase = 0; // lines before it
    int m_text = 0;        // index of the current JSON text
    qint64 m_lastProgress = 0;
};

QLatin1StringView typeName(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null: return "null"_L1;
    case QJsonValue::Bool: return "a boolean"_L1;
    case QJsonValue::Double: return "a number"_L1;
    case QJsonValue::String: return "a string"_L1;
    case QJsonValue::Array: return "an array"_L1;
    case QJsonValue::Object: return "an object"_L1;
    case QJsonValue::Undefined: break;
    }
    return "nothing"_L1;
}

// Reads the members of one item with the item's place, so that a member of the wrong type is an error naming
// its path ("$.value[3].status.quarantine.currentBegan: expected a time, found a number").
class ItemFields final {
public:
    explicit ItemFields(const ItemPlace& place) : m_place(place) {}

    const std::optional<ImportError>& error() const { return m_error; }

    // Graph names are camelCase; a differently cased name is taken too, as older doc pages show some.
    static QJsonValue member(const QJsonObject& o, QLatin1StringView name)
    {
        const auto exact = o.constFind(name);
        if (exact != o.constEnd())
            return *exact;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it)
            if (it.key().compare(name, Qt::CaseInsensitive) == 0)
                return *it;
        return QJsonValue(QJsonValue::Undefined);
    }

    QString text(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (v.isString())
            return v.toString();
        if (v.isDouble()) // a number where text was expected (e.g. an error code) is still that text
            return QString::number(v.toDouble(), 'g', 17);
        if (!v.isNull() && !v.isUndefined())
            wrong(path, name, "a string"_L1, v);
        return {};
    }

    // ISO 8601; Graph's 0001-01-01T00:00:00Z ("never") and absent values give 0.
    qint64 time(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (v.isNull() || v.isUndefined())
            return 0;
        const auto ms = v.isString() ? parseCloudTimestamp(v.toString().toUtf8()) : std::nullopt;
        if (!ms) {
            wrong(path, name, "an ISO 8601 time such as 2026-11-24T09:12:00Z"_L1, v);
            return 0;
        }
        return *ms > 0 ? *ms : 0;
    }

    // Int64 members may come as strings (IEEE754Compatible answers).
    qint64 integer(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (v.isDouble())
            return qint64(v.toDouble());
        bool ok = false;
        const qint64 n = v.isString() ? v.toString().toLongLong(&ok) : 0;
        if (v.isString() && !ok)
            wrong(path, name, "a whole number"_L1, v);
        else if (!v.isString() && !v.isNull() && !v.isUndefined())
            wrong(path, name, "a whole number"_L1, v);
        return n;
    }

    // true, false, or nullopt when null or absent.
    std::optional<bool> flag(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (v.isBool())
            return v.toBool();
        if (!v.isNull() && !v.isUndefined())
            wrong(path, name, "true or false"_L1, v);
        return std::nullopt;
    }

    QJsonObject object(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (!v.isObject() && !v.isNull() && !v.isUndefined())
            wrong(path, name, "an object"_L1, v);
        return v.toObject();
    }

    QJsonArray array(const QJsonObject& o, QLatin1StringView name, const QString& path)
    {
        const QJsonValue v = member(o, name);
        if (!v.isArray() && !v.isNull() && !v.isUndefined())
            wrong(path, name, "an array"_L1, v);
        return v.toArray();
    }

    void missing(const QString& path, QLatin1StringView name, const QString& hint)
    {
        fail(path + u'.' + name, u"no \"%1\"; %2"_s.arg(name, hint));
    }

    void fail(const QString& path, const QString& message)
    {
        if (!m_error)
            m_error = ImportError{m_place.file, m_place.line, path, message};
    }

    const ItemPlace& place() const { return m_place; }

private:
    void wrong(const QString& path, QLatin1StringView name, QLatin1StringView expected, const QJsonValue& found)
    {
        fail(path + u'.' + name, u"expected %1, found %2"_s.arg(expected, typeName(found)));
    }

    const ItemPlace& m_place;
    std::optional<ImportError> m_error;
};

std::optional<SyncExecution> readExecution(ItemFields& f, const QJsonObject& status, QLatin1StringView name,
                                           const QString& path)
{
    const QJsonObject e = f.object(status, name, path);
    if (e.isEmpty())
        return std::nullopt;
    const QString at = path + u'.' + name;
    SyncExecution x;
    x.timeBeganMsecs = f.time(e, "timeBegan"_L1, at);
    x.timeEndedMsecs = f.time(e, "timeEnded"_L1, at);
    x.state = f.text(e, "state"_L1, at);
    x.errorCode = f.text(f.object(e, "error"_L1, at), "code"_L1, at + u".error"_s);
    if (x.whenMsecs() == 0 && x.state.isEmpty())
        return std::nullopt; // "never": Graph fills the object with 0001-01-01 times
    return x;
}

// One synchronizationJob [documented: resources/synchronization-synchronizationjob.md].
std::optional<WritebackJob> readJob(ItemFields& f, const QJsonObject& o)
{
    const QString path = f.place().path;
    WritebackJob job;
    job.id = f.text(o, "id"_L1, path);
    const QString templateId = f.text(o, "templateId"_L1, path);
    if (templateId.compare(kWritebackJobTemplateId, Qt::CaseInsensitive) != 0 &&
        !(templateId.isEmpty() && job.id.startsWith(kWritebackJobTemplateId, Qt::CaseInsensitive)))
        return std::nullopt;
    if (job.id.isEmpty())
        f.missing(path, "id"_L1, u"save the jobs as GET …/synchronization/jobs returns them"_s);
    const QJsonArray settings = f.array(o, "synchronizationJobSettings"_L1, path);
    for (const QJsonValue& s : settings) // [{name, value}] [documented]; DomainFQDN [observed]
        if (ItemFields::member(s.toObject(), "name"_L1).toString().compare("DomainFQDN"_L1, Qt::CaseInsensitive) == 0)
            job.domain = ItemFields::member(s.toObject(), "value"_L1).toString().trimmed().toLower();
    const QJsonObject status = f.object(o, "status"_L1, path);
    const QString at = path + u".status"_s;
    job.statusCodeText = f.text(status, "code"_L1, at);
    job.code = syncJobCodeFromName(job.statusCodeText);
    const QJsonObject quarantine = f.object(status, "quarantine"_L1, at);
    if (!quarantine.isEmpty()) {
        const QString q = at + u".quarantine"_s;
        job.quarantine = SyncQuarantine{f.text(quarantine, "reason"_L1, q), f.time(quarantine, "currentBegan"_L1, q),
                                        f.time(quarantine, "seriesBegan"_L1, q), f.time(quarantine, "nextAttempt"_L1, q)};
    }
    job.lastExecution = readExecution(f, status, "lastExecution"_L1, at);
    job.lastSuccessfulExecution = readExecution(f, status, "lastSuccessfulExecution"_L1, at);
    job.lastSuccessfulExecutionWithExports = readExecution(f, status, "lastSuccessfulExecutionWithExports"_L1, at);
    job.countSuccessiveCompleteFailures = f.integer(status, "countSuccessiveCompleteFailures"_L1, at);
    // [{key, value}] (stringKeyLongValuePair) [documented]; the key "User to user" [observed].
    const QJsonArray counts = f.array(status, "synchronizedEntryCountByType"_L1, at);
    for (qsizetype i = 0; i < counts.size(); ++i) {
        const QJsonObject pair = counts[i].toObject();
        const QString where = at + u".synchronizedEntryCountByType[%1]"_s.arg(i);
        job.synchronizedEntryCounts.push_back({f.text(pair, "key"_L1, where), f.integer(pair, "value"_L1, where)});
    }
    const QJsonObject schedule = f.object(o, "schedule"_L1, path);
    const QString interval = f.text(schedule, "interval"_L1, path + u".schedule"_s);
    if (!interval.isEmpty()) {
        if (const auto ms = parseIsoDuration(interval))
            job.scheduleIntervalMsecs = *ms;
        else
            f.fail(path + u".schedule.interval"_s,
                   u"expected an ISO 8601 duration such as PT20M, found \"%1\""_s.arg(interval));
    }
    job.scheduleState = f.text(schedule, "state"_L1, path + u".schedule"_s);
    return job;
}

// One synchronizationSchema [documented: resources/synchronization-synchronizationschema.md]: the target
// attributes of the first rule's enabled object mappings.
WritebackSchema readSchema(ItemFields& f, const QJsonObject& o)
{
    const QString path = f.place().path;
    WritebackSchema schema;
    schema.id = f.text(o, "id"_L1, path);
    const QJsonArray rules = f.array(o, "synchronizationRules"_L1, path);
    if (rules.isEmpty()) {
        f.missing(path, "synchronizationRules"_L1,
                  u"save the answer of GET …/jobs/{jobId}/schema whole: Cloud Sync's mappings are in its first rule"_s);
        return schema;
    }
    const QString rulePath = path + u".synchronizationRules[0]"_s;
    const QJsonArray mappings = f.array(rules.first().toObject(), "objectMappings"_L1, rulePath);
    for (qsizetype m = 0; m < mappings.size(); ++m) {
        const QJsonObject mapping = mappings[m].toObject();
        const QString mapPath = rulePath + u".objectMappings[%1]"_s.arg(m);
        if (ItemFields::member(mapping, "enabled"_L1) == QJsonValue(false))
            continue; // a disabled object mapping writes nothing
        const QJsonArray attributes = f.array(mapping, "attributeMappings"_L1, mapPath);
        for (qsizetype a = 0; a < attributes.size(); ++a) {
            const QString target = f.text(attributes[a].toObject(), "targetAttributeName"_L1,
                                          mapPath + u".attributeMappings[%1]"_s.arg(a));
            if (const auto id = AttributeCatalog::byLdapName(QStringView(target)))
                schema.mappedAttributes |= quint32(1) << int(*id);
        }
    }
    return schema;
}

// details is an open object in v1.0 ({"SkipReason":"NotInScope"}) [observed]; older pages show a key/value list.
QString skipReasonOf(const QJsonValue& details)
{
    if (details.isObject())
        return ItemFields::member(details.toObject(), "SkipReason"_L1).toString();
    for (const QJsonValue& pair : details.toArray())
        if (ItemFields::member(pair.toObject(), "key"_L1).toString().compare("SkipReason"_L1, Qt::CaseInsensitive) == 0)
            return ItemFields::member(pair.toObject(), "value"_L1).toString();
    return {};
}

// Many entries repeat the same texts (error codes, reasons, the job id): one shared copy each.
class TextPool final {
public:
    QString operator()(const QString& text)
    {
        if (text.isEmpty())
            return {};
        const auto it = m_texts.constFind(text);
        if (it != m_texts.cend())
            return *it;
        m_texts.insert(text);
        return text;
    }

private:
    QSet<QString> m_texts;
};

// One provisioningObjectSummary [documented: resources/provisioningobjectsummary.md]. False when it is not the
// writeback job's; an error is left in f.
bool readProvisioningEntry(ItemFields& f, const QJsonObject& o, TextPool& pool, ProvisioningLog& log)
{
    const QString path = f.place().path;
    ProvisioningEntry entry;
    entry.jobId = pool(f.text(o, "jobId"_L1, path));
    if (!entry.jobId.isEmpty() && !entry.jobId.startsWith(kWritebackJobTemplateId, Qt::CaseInsensitive))
        return false;
    const QJsonObject source = f.object(o, "sourceIdentity"_L1, path);
    const QString id = f.text(source, "id"_L1, path + u".sourceIdentity"_s).trimmed().toLower();
    if (id.isEmpty()) {
        f.missing(path + u".sourceIdentity"_s, "id"_L1, u"save the entries as GET /auditLogs/provisioning returns them"_s);
        return false;
    }
    entry.activityMsecs = f.time(o, "activityDateTime"_L1, path);
    if (entry.activityMsecs == 0 && !f.error())
        f.missing(path, "activityDateTime"_L1, u"save the entries as GET /auditLogs/provisioning returns them"_s);
    // provisioningStatusInfo; statusInfo is its deprecated beta name [documented].
    QString statusPath = path + u".provisioningStatusInfo"_s;
    QJsonObject status = f.object(o, "provisioningStatusInfo"_L1, path);
    if (status.isEmpty()) {
        status = f.object(o, "statusInfo"_L1, path);
        statusPath = path + u".statusInfo"_s;
    }
    entry.status = provisioningStatusFromName(f.text(status, "status"_L1, statusPath));
    // errorInformation [documented, v1.0]; errorInfo on an older page of the docs.
    const bool newName = !ItemFields::member(status, "errorInformation"_L1).isUndefined();
    const QLatin1StringView errorName = newName ? "errorInformation"_L1 : "errorInfo"_L1;
    const QJsonObject error = f.object(status, errorName, statusPath);
    const QString errorPath = statusPath + u'.' + errorName;
    entry.errorCode = pool(f.text(error, "errorCode"_L1, errorPath));
    entry.errorCategory = pool(f.text(error, "errorCategory"_L1, errorPath));
    entry.reason = pool(f.text(error, "reason"_L1, errorPath));
    entry.recommendedAction = pool(f.text(error, "recommendedAction"_L1, errorPath));
    for (const QJsonValue& step : f.array(o, "provisioningSteps"_L1, path)) {
        const QString reason = skipReasonOf(ItemFields::member(step.toObject(), "details"_L1));
        if (!reason.isEmpty())
            entry.skipReason = pool(reason);
    }
    std::vector<AttributeWrite> writes;
    const QJsonArray modified = f.array(o, "modifiedProperties"_L1, path);
    for (qsizetype i = 0; i < modified.size(); ++i) {
        const QJsonObject p = modified[i].toObject();
        const QString mp = path + u".modifiedProperties[%1]"_s.arg(i);
        // displayName is the target (AD) attribute's name for the writeback [observed].
        const auto attribute = AttributeCatalog::byLdapName(QStringView(f.text(p, "displayName"_L1, mp)));
        if (attribute)
            writes.push_back({*attribute, 0, f.text(p, "newValue"_L1, mp)});
    }
    if (f.error())
        return false;
    log.add(id.toUtf8(), std::move(entry), std::move(writes));
    return true;
}

// A group or orgContact of Graph beta [documented: resources/group.md, orgcontact.md, onpremisessyncbehavior.md]:
// its kind from mailEnabled, securityEnabled and groupTypes (contacts are mail contacts), its sync state, and
// onPremisesSyncBehavior.isCloudManaged when the answer carries it (as an expanded object, or wrapped in
// "value" as GET …/{id}/onPremisesSyncBehavior returns it [documented]).
SyncedDirectoryObject readSyncedObject(ItemFields& f, const QJsonObject& o, bool contact)
{
    const QString path = f.place().path;
    SyncedDirectoryObject object;
    object.id = f.text(o, "id"_L1, path);
    if (object.id.isEmpty())
        f.missing(path, "id"_L1,
                  u"save the answer of GET /beta/%1 as Graph returns it"_s.arg(contact ? u"contacts"_s : u"groups"_s));
    object.displayName = f.text(o, "displayName"_L1, path);
    object.mail = f.text(o, "mail"_L1, path);
    object.onPremisesSyncEnabled = f.flag(o, "onPremisesSyncEnabled"_L1, path);
    if (contact) {
        object.kind = SyncedObjectKind::MailContact;
    } else {
        QStringList types;
        for (const QJsonValue& t : f.array(o, "groupTypes"_L1, path))
            types << t.toString();
        object.kind = groupKind(f.flag(o, "mailEnabled"_L1, path).value_or(false),
                                f.flag(o, "securityEnabled"_L1, path).value_or(false), types);
    }
    QJsonObject behavior = f.object(o, "onPremisesSyncBehavior"_L1, path);
    if (ItemFields::member(behavior, "value"_L1).isObject())
        behavior = ItemFields::member(behavior, "value"_L1).toObject();
    object.cloudManaged = f.flag(behavior, "isCloudManaged"_L1, path + u".onPremisesSyncBehavior"_s);
    return object;
}

template <typename T>
Result<T> walkItems(QByteArrayView data, const QString& fileName, const ReadProgress& progress, T result,
                    const std::function<Result<void>(T&, const QJsonObject&, const ItemPlace&)>& take)
{
    QByteArray converted;
    const QByteArrayView utf8 = utf8Input(data, converted);
    GraphAnswerWalker walker(utf8, fileName, progress);
    std::optional<ImportError> itemError; // the item take() refused, which stopped the walk
    const auto walked = walker.walk([&](const QJsonObject& item, const ItemPlace& place) {
        auto taken = take(result, item, place);
        if (!taken)
            itemError = taken.error();
        return taken.ok();
    });
    if (itemError)
        return *itemError;
    if (!walked)
        return walked.error();
    return result;
}

} // namespace

Result<std::vector<WritebackJob>> readSyncJobsJson(QByteArrayView data, const QString& fileName, qint64* otherJobs)
{
    qint64 others = 0;
    auto result = walkItems<std::vector<WritebackJob>>(
        data, fileName, {}, {},
        [&](std::vector<WritebackJob>& jobs, const QJsonObject& item, const ItemPlace& place) {
            ItemFields f(place);
            auto job = readJob(f, item);
            if (!f.error()) {
                if (job)
                    jobs.push_back(std::move(*job));
                else
                    ++others;
            }
            return firstErrorOutcome(f.error());
        });
    if (otherJobs)
        *otherJobs = others;
    return result;
}

Result<std::vector<WritebackSchema>> readSyncSchemaJson(QByteArrayView data, const QString& fileName)
{
    return walkItems<std::vector<WritebackSchema>>(
        data, fileName, {}, {},
        [](std::vector<WritebackSchema>& schemas, const QJsonObject& item, const ItemPlace& place) {
            ItemFields f(place);
            WritebackSchema schema = readSchema(f, item);
            if (!f.error())
                schemas.push_back(std::move(schema));
            return firstErrorOutcome(f.error());
        });
}

Result<ProvisioningLog> readProvisioningLogJson(QByteArrayView data, const QString& fileName,
                                                const ReadProgress& progress, ProvisioningLog into)
{
    TextPool pool;
    return walkItems<ProvisioningLog>(data, fileName, progress, std::move(into),
                                      [&pool](ProvisioningLog& log, const QJsonObject& item, const ItemPlace& place) {
                                          ItemFields f(place);
                                          readProvisioningEntry(f, item, pool, log);
                                          return firstErrorOutcome(f.error());
                                      });
}

Result<std::vector<SyncedDirectoryObject>> readSyncedObjectsJson(QByteArrayView data, const QString& fileName,
                                                                 SyncedObjectKind kind)
{
    const bool contact = kind == SyncedObjectKind::MailContact;
    return walkItems<std::vector<SyncedDirectoryObject>>(
        data, fileName, {}, {},
        [contact](std::vector<SyncedDirectoryObject>& objects, const QJsonObject& item, const ItemPlace& place) {
            ItemFields f(place);
            SyncedDirectoryObject object = readSyncedObject(f, item, contact);
            if (!f.error())
                objects.push_back(std::move(object));
            return firstErrorOutcome(f.error());
        });
}

} // namespace sunset
