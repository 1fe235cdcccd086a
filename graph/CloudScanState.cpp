// SPDX-License-Identifier: Apache-2.0
#include "CloudScanState.h"

#include "CloudLiveScan.h"
#include "GraphUsersJsonReader.h"
#include "MailboxCache.h"
#include "platform/OwnerOnlyFile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto kStateFile = "cloud-state.json";
constexpr auto kUsersFile = "cloud-users.json";

QString pathIn(const QString& directory, const char* name)
{
    return QDir(directory).filePath(QString::fromLatin1(name));
}

Result<void> writeOwnerOnly(const QString& path, const QByteArray& bytes)
{
    if (auto written = writeOwnerOnlyFile(path, bytes); !written)
        return ImportError{path, 0, {}, u"cannot write the cloud scan state: "_s + written.error().message};
    return {};
}

QJsonValue text(const QByteArray& value)
{
    return value.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(value));
}

QString timeText(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(Qt::ISODateWithMs);
}

qint64 msecsOf(const QJsonValue& text)
{
    const QDateTime at = QDateTime::fromString(text.toString(), Qt::ISODateWithMs);
    return at.isValid() ? at.toMSecsSinceEpoch() : 0;
}

} // namespace

CloudScanState CloudScanState::fromResult(const QString& tenant, const QUrl& graphEndpoint,
                                          const CloudScanResult& result)
{
    CloudScanState state;
    state.tenant = tenant;
    state.graphEndpoint = graphEndpoint;
    state.deltaLink = result.deltaLink;
    state.resumeLink = result.usersResumeLink;
    state.savedAt = QDateTime::currentDateTimeUtc();
    state.users = result.users;
    state.exoCursor = result.exoCursor;
    return state;
}

std::shared_ptr<const CloudScanResult> CloudScanState::asPrevious(const QString& forTenant,
                                                                  const QUrl& forEndpoint) const
{
    if (tenant.compare(forTenant, Qt::CaseInsensitive) != 0 || graphEndpoint != forEndpoint ||
        (deltaLink.isEmpty() && resumeLink.isEmpty())) {
        if (!exoCursor.isSet())
            return nullptr;
        auto cursorOnly = std::make_shared<CloudScanResult>();
        cursorOnly->exoCursor = exoCursor;
        return cursorOnly;
    }
    auto previous = std::make_shared<CloudScanResult>();
    previous->exoCursor = exoCursor;
    previous->users = users;
    previous->deltaLink = deltaLink;
    previous->usersResumeLink = resumeLink;
    return previous;
}

QString cloudStateDirectory(const QString& profile)
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/sunset/profiles/"_s + profile;
}

Result<std::optional<CloudScanState>> loadCloudScanState(const QString& directory)
{
    const QString statePath = pathIn(directory, kStateFile);
    QFile stateFile(statePath);
    if (!stateFile.exists())
        return std::optional<CloudScanState>();
    if (!stateFile.open(QIODevice::ReadOnly))
        return ImportError{statePath, 0, {}, u"cannot read the cloud scan state: "_s + stateFile.errorString()};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(stateFile.readAll(), &parseError);
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value("version"_L1).toInt() != 1)
        return ImportError{
            statePath, 0, {}, u"not a cloud scan state Sunset wrote (delete it for a full read next time)"_s};
    CloudScanState state;
    state.tenant = root.value("tenant"_L1).toString();
    state.graphEndpoint = QUrl(root.value("graphEndpoint"_L1).toString());
    state.deltaLink = root.value("deltaLink"_L1).toString().toUtf8();
    state.resumeLink = root.value("resumeLink"_L1).toString().toUtf8();
    state.savedAt = QDateTime::fromString(root.value("savedAt"_L1).toString(), Qt::ISODate);
    const QString usersPath = pathIn(directory, kUsersFile);
    QFile usersFile(usersPath);
    if (!usersFile.open(QIODevice::ReadOnly))
        return ImportError{
            usersPath, 0, {}, u"cannot read the users kept for the next rescan: "_s + usersFile.errorString()};
    Result<GraphDirectory> users = readGraphUsersJson(usersFile.readAll(), usersPath);
    if (!users)
        return users.error();
    state.users = std::move(users.value());
    state.users.source = root.value("usersSource"_L1).toString();
    if (const QJsonObject exo = root.value("exchangeOnline"_L1).toObject(); !exo.isEmpty()) {
        ExoRescanCursor& c = state.exoCursor;
        c.tenant = exo.value("tenant"_L1).toString();
        c.exoEndpoint = exo.value("endpoint"_L1).toString();
        c.cacheFormat = exo.value("cacheFormat"_L1).toInt();
        c.cacheId = exo.value("cacheId"_L1).toString().toUtf8();
        c.mailboxes = exo.value("mailboxes"_L1).toInteger();
        c.readStartedMsecs = msecsOf(exo.value("readStarted"_L1));
        c.lastFullReadMsecs = msecsOf(exo.value("lastFullRead"_L1));
        c.rescansSinceFull = exo.value("rescansSinceFull"_L1).toInt();
        for (const QJsonValue& border : exo.value("sliceBorders"_L1).toArray())
            c.sliceBorders.append(border.toString());
    }
    return std::optional<CloudScanState>(std::move(state));
}

Result<void> saveCloudScanState(const QString& directory, const CloudScanState& state)
{
    if (auto made = makeOwnerOnlyDirectory(directory); !made)
        return ImportError{directory, 0, {}, made.error().message};
    // The users first: a state file never points at users of another round.
    QJsonArray users;
    for (auto it = state.users.usersById.cbegin(); it != state.users.usersById.cend(); ++it) {
        users.append(QJsonObject{{u"id"_s, text(it->id)},
                                 {u"userPrincipalName"_s, text(it->userPrincipalName)},
                                 {u"onPremisesImmutableId"_s, text(it->onPremisesImmutableId)},
                                 {u"onPremisesSecurityIdentifier"_s, text(it->onPremisesSecurityIdentifier)}});
    }
    if (auto written = writeOwnerOnly(pathIn(directory, kUsersFile),
                                      QJsonDocument(QJsonObject{{u"value"_s, users}}).toJson(QJsonDocument::Compact));
        !written)
        return written;
    QJsonObject root{
        {u"version"_s, 1},
        {u"tenant"_s, state.tenant},
        {u"graphEndpoint"_s, state.graphEndpoint.toString()},
        {u"deltaLink"_s, QString::fromUtf8(state.deltaLink)},
        {u"resumeLink"_s, QString::fromUtf8(state.resumeLink)},
        {u"savedAt"_s, state.savedAt.toString(Qt::ISODate)},
        {u"usersSource"_s, state.users.source},
        {u"users"_s, qint64(state.users.usersById.size())},
    };
    if (const ExoRescanCursor& c = state.exoCursor; c.isSet())
        root.insert(u"exchangeOnline"_s, QJsonObject{{u"tenant"_s, c.tenant},
                                                     {u"endpoint"_s, c.exoEndpoint},
                                                     {u"cacheFormat"_s, c.cacheFormat},
                                                     {u"cacheId"_s, QString::fromUtf8(c.cacheId)},
                                                     {u"mailboxes"_s, c.mailboxes},
                                                     {u"readStarted"_s, timeText(c.readStartedMsecs)},
                                                     {u"lastFullRead"_s, timeText(c.lastFullReadMsecs)},
                                                     {u"rescansSinceFull"_s, c.rescansSinceFull},
                                                     {u"sliceBorders"_s, QJsonArray::fromStringList(c.sliceBorders)}});
    return writeOwnerOnly(pathIn(directory, kStateFile), QJsonDocument(root).toJson(QJsonDocument::Indented));
}

void removeCloudScanState(const QString& directory)
{
    QFile::remove(pathIn(directory, kStateFile));
    QFile::remove(pathIn(directory, kUsersFile));
    QFile::remove(MailboxCache::path(directory));
}

} // namespace sunset
