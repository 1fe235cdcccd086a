// SPDX-License-Identifier: Apache-2.0
#include "ExoInvokeCommand.h"

#include "ExoMailboxClient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QUrl exoInvokeCommandUrl(const QUrl& endpoint, const QString& tenant)
{
    QUrl url = endpoint;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/adminapi/beta/"_s + QString::fromUtf8(QUrl::toPercentEncoding(tenant)) + u"/InvokeCommand"_s,
                QUrl::TolerantMode);
    return url;
}

CloudPager::Request exoInvokeCommandRequest(const QUrl& endpoint, const QString& tenant, const QString& resource,
                                            const QString& cmdletName, const QByteArray& parametersJson,
                                            const QString& itemName)
{
    const QJsonObject parameters = QJsonDocument::fromJson(parametersJson).object();
    const QJsonObject body{
        {u"CmdletInput"_s, QJsonObject{{u"CmdletName"_s, cmdletName}, {u"Parameters"_s, parameters}}}};
    CloudPager::Request request;
    request.method = "POST";
    request.firstUrl = exoInvokeCommandUrl(endpoint, tenant);
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.headers = {{"X-AnchorMailbox", ExoMailboxClient::appAnchorMailbox(tenant)},
                       {"X-ResponseFormat", "json"}};
    request.resource = resource;
    request.itemName = itemName;
    const QStringList exoHosts{u"outlook.office365.com"_s, u"outlook.office.com"_s};
    if (exoHosts.contains(endpoint.host(), Qt::CaseInsensitive))
        request.nextLinkHosts = exoHosts;
    return request;
}

} // namespace sunset
