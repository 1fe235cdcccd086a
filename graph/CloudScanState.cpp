// SPDX-License-Identifier: Apache-2.0
#include "CloudScanState.h"

#include "CloudLiveScan.h"
#include "GraphUsersJsonReader.h"
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

std::optional<ImportError> writeOwnerOnly(const QString& path, const QByteArray& bytes)
{
    if (auto error = writeOwnerOnlyFile(path, bytes))
        return ImportError{path, 0, {}, u"cannot write the cloud scan state: "_s + error->message};
    return std::nullopt;
}

QJsonValue text(const QByteArray& value)
{
    return value.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(value));
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
    return state;
}

std::shared_ptr<const CloudScanResult> CloudScanState::asPrevious(const QString& forTenant,
                                                                  const QUrl& forEndpoint) const
{
    if (tenant.compare(forTenant, Qt::CaseInsensitive) != 0 || graphEndpoint != forEndpoint ||
        (deltaLink.isEmpty() && resumeLink.isEmpty()))
        return nullptr;
    auto previous = std::make_shared<CloudScanResult>();
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
    return std::optional<CloudScanState>(std::move(state));
}

std::optional<ImportError> saveCloudScanState(const QString& directory, const CloudScanState& state)
{
    if (!QDir().mkpath(directory))
        return ImportError{directory, 0, {}, u"cannot create the profile directory"_s};
    QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // The users first: a state file never points at users of another round.
    QJsonArray users;
    for (auto it = state.users.usersById.cbegin(); it != state.users.usersById.cend(); ++it) {
        users.append(QJsonObject{{u"id"_s, text(it->id)},
                                 {u"userPrincipalName"_s, text(it->userPrincipalName)},
                                 {u"onPremisesImmutableId"_s, text(it->onPremisesImmutableId)},
                                 {u"onPremisesSecurityIdentifier"_s, text(it->onPremisesSecurityIdentifier)}});
    }
    if (auto failure = writeOwnerOnly(pathIn(directory, kUsersFile),
                                      QJsonDocument(QJsonObject{{u"value"_s, users}}).toJson(QJsonDocument::Compact)))
        return failure;
    const QJsonObject root{
        {u"version"_s, 1},
        {u"tenant"_s, state.tenant},
        {u"graphEndpoint"_s, state.graphEndpoint.toString()},
        {u"deltaLink"_s, QString::fromUtf8(state.deltaLink)},
        {u"resumeLink"_s, QString::fromUtf8(state.resumeLink)},
        {u"savedAt"_s, state.savedAt.toString(Qt::ISODate)},
        {u"usersSource"_s, state.users.source},
        {u"users"_s, qint64(state.users.usersById.size())},
    };
    return writeOwnerOnly(pathIn(directory, kStateFile), QJsonDocument(root).toJson(QJsonDocument::Indented));
}

void removeCloudScanState(const QString& directory)
{
    QFile::remove(pathIn(directory, kStateFile));
    QFile::remove(pathIn(directory, kUsersFile));
}

} // namespace sunset
