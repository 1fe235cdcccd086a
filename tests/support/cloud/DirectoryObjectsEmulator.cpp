// SPDX-License-Identifier: Apache-2.0
#include "DirectoryObjectsEmulator.h"

#include "CloudEmulator.h"

#include <QHash>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

DirectoryObjectsAnswer error(int status, const QString& code, const QString& message)
{
    return {status, QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}}};
}

QJsonObject group(const QString& id, const QString& name, bool security, bool unified, QJsonValue synced,
                  bool cloudManaged)
{
    const QString mail = name.toLower().remove(u' ') + u"@contoso.com"_s;
    return {{u"id"_s, id},
            {u"displayName"_s, name},
            {u"mail"_s, mail},
            {u"mailEnabled"_s, true},
            {u"securityEnabled"_s, security},
            {u"groupTypes"_s, unified ? QJsonArray{u"Unified"_s} : QJsonArray{}},
            {u"onPremisesSyncEnabled"_s, synced},
            {u"isCloudManaged"_s, cloudManaged}};
}

} // namespace

EmulatedDirectoryObjects EmulatedDirectoryObjects::mixed()
{
    EmulatedDirectoryObjects t;
    t.groups = {group(u"0a1b0000-0000-4000-8000-000000000001"_s, u"Sales Team"_s, false, false, true, false),
                group(u"0a1b0000-0000-4000-8000-000000000002"_s, u"Finance Approvers"_s, true, false, true, false),
                group(u"0a1b0000-0000-4000-8000-000000000003"_s, u"Moved Already"_s, false, false, true, true),
                group(u"0a1b0000-0000-4000-8000-000000000004"_s, u"Project X"_s, false, true, true, false),
                group(u"0a1b0000-0000-4000-8000-000000000005"_s, u"Cloud List"_s, false, false, QJsonValue(), false)};
    t.contacts = {QJsonObject{{u"id"_s, u"0c0c0000-0000-4000-8000-000000000001"_s},
                              {u"displayName"_s, u"Fabrikam Partner"_s},
                              {u"mail"_s, u"partner@fabrikam.com"_s},
                              {u"onPremisesSyncEnabled"_s, true},
                              {u"isCloudManaged"_s, false}},
                  QJsonObject{{u"id"_s, u"0c0c0000-0000-4000-8000-000000000002"_s},
                              {u"displayName"_s, u"Moved Contact"_s},
                              {u"mail"_s, u"moved@fabrikam.com"_s},
                              {u"onPremisesSyncEnabled"_s, true},
                              {u"isCloudManaged"_s, true}}};
    return t;
}

EmulatedDirectoryObjects& emulatedDirectoryObjects(const CloudEmulator* emulator)
{
    static QHash<const CloudEmulator*, EmulatedDirectoryObjects> tenants; // test process, one thread
    return tenants[emulator];
}

DirectoryObjectsAnswer answerDirectoryObjects(const CloudEmulator* emulator, QStringView collection,
                                              const QUrlQuery& query, QByteArrayView consistencyLevel)
{
    EmulatedDirectoryObjects& tenant = emulatedDirectoryObjects(emulator);
    ++tenant.requests;
    const bool contacts = collection == u"contacts"_s;
    if (contacts ? tenant.denyContacts : tenant.denyGroups)
        return error(403, u"Authorization_RequestDenied"_s, u"Insufficient privileges to complete the operation."_s);
    const QString filter = query.queryItemValue(u"$filter"_s, QUrl::FullyDecoded).simplified();
    std::optional<bool> wanted;
    if (!filter.isEmpty()) {
        if (filter.compare(u"onPremisesSyncBehavior/isCloudManaged eq true"_s, Qt::CaseInsensitive) == 0)
            wanted = true;
        else if (filter.compare(u"onPremisesSyncBehavior/isCloudManaged eq false"_s, Qt::CaseInsensitive) == 0)
            wanted = false;
        else
            return error(400, u"Request_UnsupportedQuery"_s, u"Unsupported Query."_s);
        // An advanced query [documented]: without both, Graph refuses it. The message is assumed.
        if (consistencyLevel.compare("eventual", Qt::CaseInsensitive) != 0 ||
            query.queryItemValue(u"$count"_s) != u"true"_s)
            return error(400, u"Request_UnsupportedQuery"_s,
                         u"Property 'onPremisesSyncBehavior' is only supported in an advanced query: send "
                         "ConsistencyLevel: eventual and $count=true."_s);
    }
    int top = 100;
    if (query.hasQueryItem(u"$top"_s)) {
        bool ok = false;
        top = query.queryItemValue(u"$top"_s).toInt(&ok);
        if (!ok || top < 1 || top > 999)
            return error(400, u"Request_UnsupportedQuery"_s,
                         u"Invalid page size specified: '%1'. Must be between 1 and 999 inclusive."_s.arg(
                             query.queryItemValue(u"$top"_s)));
    }
    qsizetype offset = 0;
    if (query.hasQueryItem(u"$skiptoken"_s)) {
        const QByteArray decoded = QByteArray::fromBase64(query.queryItemValue(u"$skiptoken"_s).toLatin1(),
                                                          QByteArray::Base64UrlEncoding);
        const QByteArray prefix = collection.toLatin1() + ':';
        if (!decoded.startsWith(prefix))
            return error(400, u"Directory_InvalidSkipToken"_s, u"The specified skip token is invalid."_s);
        offset = decoded.mid(collection.size() + 1).toLongLong();
    }
    QJsonArray matching;
    for (const QJsonValue& v : contacts ? tenant.contacts : tenant.groups) {
        QJsonObject o = v.toObject();
        const bool cloudManaged = o.take(u"isCloudManaged"_s).toBool();
        if (!wanted || *wanted == cloudManaged)
            matching.append(o);
    }
    QJsonArray value;
    const qsizetype end = std::min<qsizetype>(matching.size(), offset + top);
    for (qsizetype i = offset; i < end; ++i)
        value.append(matching.at(i));
    QJsonObject page{{u"@odata.context"_s,
                      QString(emulator->baseUrl().toString() + u"/beta/$metadata#"_s + collection)}};
    if (offset == 0 && consistencyLevel.compare("eventual", Qt::CaseInsensitive) == 0 &&
        query.queryItemValue(u"$count"_s) == u"true"_s)
        page.insert(u"@odata.count"_s, qint64(matching.size()));
    if (end < matching.size()) {
        QUrlQuery next = query;
        next.removeAllQueryItems(u"$skiptoken"_s);
        const QByteArray token = collection.toLatin1() + ':' + QByteArray::number(end);
        next.addQueryItem(u"$skiptoken"_s, QString::fromLatin1(token.toBase64(QByteArray::Base64UrlEncoding |
                                                                              QByteArray::OmitTrailingEquals)));
        QUrl nextUrl = emulator->baseUrl();
        nextUrl.setPath(u"/beta/"_s + collection);
        nextUrl.setQuery(next);
        page.insert(u"@odata.nextLink"_s, nextUrl.toString(QUrl::FullyEncoded));
    }
    page.insert(u"value"_s, value);
    return {200, page};
}

} // namespace sunset
